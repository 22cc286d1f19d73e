"""What a run reads: work units of input files, and the records they hold.

One input file holds one document (a `.txt` or `.html` file) or many (a WARC
archive, a JSONL or Parquet corpus). The run's unit of work is a `Unit`: a
whole file, or a slice of a container file (records from a byte offset, or
Parquet row groups), so that one large file keeps every worker busy. A unit
is plain data (paths, offsets, counts): any process that can open the path
can read it, which is what lets an executor send units anywhere.

Reading a unit yields `Record`s, each with a stable `key`: the file's source
path for a single-document file, else the source path and the record's
position in the file (`crawl/a.warc.gz#1234`, counted from 0). A record the
reader cannot use still yields a `Record`, with `problem` set to a rejects
reason and detail, so every record is accounted for. Records a container
holds that are not documents (WARC requests, metadata, redirects, images)
are not records: the reader counts them by cause in `ReadStats.skipped`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

# Input formats, as the summary counts them.
FILE, WARC, JSONL, PARQUET = "file", "warc", "jsonl", "parquet"
FORMATS = (FILE, WARC, JSONL, PARQUET)


@dataclass(frozen=True, slots=True)
class Unit:
    """A piece of work: a whole input file, or a slice of a container file.

    `path` is the file to open; `source` its path relative to the input it
    was found under (what keys and the output name). `fmt` is one of
    `FORMATS`; `kind` ("html" or "text") matters for single-document files.
    For containers, `start` is where reading begins (a byte offset at a
    record boundary for WARC and JSONL, the first row group for Parquet),
    `first_index` the position in the file of the first record read there,
    and `count` how many records (WARC, JSONL: records; Parquet: row groups)
    to read from there; None reads to the end of the file. `problem` is set
    when the walk already knows the file cannot be used.
    """

    path: str
    source: str
    fmt: str = FILE
    kind: str = "text"
    start: int = 0
    first_index: int = 0
    count: int | None = None
    problem: str = ""
    size_hint: int = 1  # about how many records the unit holds, for batching
    root: str = ""  # the real path of the input directory the file was found under: it is read only inside it


@dataclass(slots=True)
class Record:
    """One document as its container gives it, before decoding and extraction.

    Exactly one of `data` (bytes still to decode: files, WARC payloads) and
    `text` (already text: JSONL and Parquet fields) is set, unless `problem`
    is. `charset` is what the container declares about the bytes (the HTTP
    `Content-Type` charset of a WARC response), which decoding trusts after a
    byte-order mark. `url`, `date` and `id` are the container's own (WARC
    `WARC-Target-URI`, `WARC-Date`, `WARC-Record-ID`; a JSONL record's
    fields); `fields` holds the container's other metadata, JSON-serialisable,
    which the output record keeps under `metadata`. `problem` is
    (rejects reason, detail) for a record that cannot be used.
    """

    key: str
    source: str
    fmt: str
    kind: str
    data: bytes | None = None
    text: str | None = None
    charset: str = ""
    url: str = ""
    date: str = ""
    id: str = ""
    fields: dict = field(default_factory=dict)
    problem: tuple[str, str] | None = None


@dataclass(slots=True)
class ReadStats:
    """What reading units found besides records: container entries skipped, by cause (`warc_request`, `http_404`, ...)."""

    skipped: Counter = field(default_factory=Counter)

    def skip(self, cause: str, n: int = 1) -> None:
        self.skipped[cause] += n


def record_key(source: str, index: int | None) -> str:
    """The key of a record: the source alone for a single-document file, else `source#index`.

    >>> record_key("pages/a.html", None), record_key("crawl/a.warc.gz", 12)
    ('pages/a.html', 'crawl/a.warc.gz#12')
    """
    return source if index is None else f"{source}#{index}"
