"""Site chrome learned from the corpus itself: the lines a site repeats.

A crawl holds many pages per site, and a site's chrome (menus, footers,
share bars, "most read" lists) is the text its pages share. Two passes:

1. `count_document` (per document) feeds `LineCounts`: per site, in how many
   documents each normalised line occurs. Lines are hashed to 8-byte keys
   (`line_key`) and the counts live in SQLite on disk, so memory stays
   bounded however large the corpus.
2. `RepeatedLines` (a pipeline step) removes a line found in at least
   `min_docs` documents of its site and in at least the share of them its
   shape requires (`required_share`), with reason `repeated` and a note
   such as "in 7 of 12 documents of site bbc.co.uk".

Body text that two articles happen to share (a quotation, a standard wire
sentence) must survive, so the share a line needs grows with how much it
reads like running text: a short menu item needs `min_share`, a line that
ends like a sentence `sentence_share`, and prose (`features.is_prose`) nearly
every page of the site (`prose_share`).

Counts are sums and sample texts are minima, so the result depends neither
on the order documents are counted in nor on how the work is split.

`learned_lines` and `site_rule_file` turn the counts of one site into a rule
file (for `cleaner learn-rules`), so what was learned can be read, edited and
applied without a counting pass.
"""

from __future__ import annotations

import glob
import hashlib
import math
import re
import sqlite3
from collections import OrderedDict
import heapq
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import re2
from xxhash import xxh3_64_digest

from cleaner.config import SITE_MODES, Config
from cleaner.document import Document
from cleaner.errors import ConfigError
from cleaner.features import ends_sentence, is_prose, word_count

REASON = "repeated"
KEY_BYTES = 8

# Documents buffered before one transaction. Small enough that the count reduce writes while the workers
# still parse (with 2000, the 990 dev dumps were one transaction after the last parse task: a quarter of
# a 2-worker run's wall time on the loaded test machine, with the workers idle); the total cost of
# counting them measured the same from 128 to 2000.
BATCH_DOCS = 256
BATCH_ENTRIES = 500_000    # or this many line keys (each document's distinct ones)
LOOKUP_CHUNK = 500         # keys per SELECT ... IN (...)
SITE_CACHE = 65_536        # document counts of sites kept in memory by the step
CANDIDATE_SITES = 64       # sites whose repeated-line candidates the step keeps in memory

SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
DIGITS = re.compile(r"\d+")
ASCII_DIGITS_TO_ZERO = bytes.maketrans(b"0123456789", b"0000000000")
ZERO_RUNS = re.compile(rb"00+")  # a literal prefix: much faster than \d+ over text
NON_ASCII_DIGIT = re2.compile(r"\p{Nd}")  # on UTF-8 with the ASCII digits taken out
HOST = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$")
ID_SLUG = re.compile(r"[^a-z0-9.-]+")
RE2_SPECIAL = set("\\.+*?()|[]{}^$")


# --- keys and sites --------------------------------------------------------------


def normalise_line(text: str) -> str:
    """The form under which two lines count as the same: casefolded, digit runs as 0, spaces collapsed.

    >>> normalise_line("  Updated 12:45 GMT,  3 March 2013 ")
    'updated 0:0 gmt, 0 march 0'
    """
    return " ".join(DIGITS.sub("0", text.casefold()).split())


def line_key(text: str) -> bytes:
    """The fixed-size (8-byte) key of a normalised line: its XXH3 hash (64 bits).

    Not a cryptographic hash: the keys only tell lines apart (a collision
    counts two lines as one), and XXH3 is a fifth of BLAKE2's cost for
    lines this short (190,000 lines of the 990 dev dumps: 10 against 72 ms).

    >>> line_key("Home") == line_key("HOME") != line_key("Homes")
    True
    >>> len(line_key("© 2013 BBC")), line_key("© 2013 BBC") == line_key("© 2024 BBC")
    (8, True)
    """
    return xxh3_64_digest(normalise_line(text).encode("utf-8"))


def line_keys(texts: Sequence[str]) -> list[bytes]:
    """`line_key` of each of a document's lines (already normalised: single spaces, stripped), in one pass.

    Casefolding and digit folding run once over the joined lines instead of
    once per line, which is most of the cost of keying a document.

    >>> line_keys(["Home", "© 2013 BBC"]) == [line_key("Home"), line_key("© 2013 BBC")]
    True
    """
    if not texts:
        return []
    return list(map(xxh3_64_digest, fold_digits("\n".join(texts).casefold()).split(b"\n")))


def body_line_keys(body: str) -> list[bytes]:
    """`line_keys` of the lines of a body whose lines are not made (`Document.unsplit`): its non-blank ones, as `lines_from_text` makes them.

    Folded whole and split once, its blank lines left out of the folded
    bytes: no string a line (over the 990 dev dumps, the keys 145 -> 117 ms).

    >>> body_line_keys("Home\\n\\n© 2013 BBC\\n") == line_keys(["Home", "© 2013 BBC"])
    True
    """
    return list(map(xxh3_64_digest, filter(None, fold_digits(body.casefold()).split(b"\n"))))


def fold_digits(text: str) -> bytes:
    """`text` in UTF-8 with each run of decimal digits as one "0" (`DIGITS.sub`, at about a quarter of its cost).

    Bytes 0-9 never occur inside a UTF-8 sequence, so ASCII digits are
    folded on the bytes; only text with other decimal digits (Arabic-Indic,
    Devanagari, ...) goes through the regular expression.

    >>> fold_digits("12:45, ٣ march 2013")
    b'0:0, 0 march 0'
    """
    data = text.encode("utf-8")
    if not text.isascii() and NON_ASCII_DIGIT.search(data.translate(None, b"0123456789")):
        return DIGITS.sub("0", text).encode("utf-8")
    return ZERO_RUNS.sub(b"0", data.translate(ASCII_DIGITS_TO_ZERO))


def site_of(source: str, url: str, mode: str = "auto") -> str:
    """The site a document belongs to, for counting.

    `host`: the URL's host, lowercased, without a leading "www."; `folder`:
    the first folder of `source` (the posix path relative to the input), or
    "" for a file at the top; `none`: "" (one site for the whole corpus);
    `auto`: the host when there is a URL, else the folder.

    >>> site_of("bbc/1.txt", "https://WWW.BBC.co.uk/news/1"), site_of("bbc/1.txt", "", "auto")
    ('bbc.co.uk', 'bbc')
    >>> site_of("1.txt", ""), site_of("bbc/1.txt", "https://bbc.co.uk/", "none")
    ('', '')
    """
    if mode == "host":
        return url_host(url)
    if mode == "folder":
        return source_folder(source)
    if mode == "none":
        return ""
    if mode == "auto":
        return url_host(url) or source_folder(source)
    raise ConfigError(f"unknown site mode {mode!r}; known modes: {', '.join(SITE_MODES)}")


def url_host(url: str) -> str:
    if not url:
        return ""
    try:
        host = urlsplit(url if SCHEME.match(url) or url.startswith("//") else "//" + url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def source_folder(source: str) -> str:
    folder, sep, _ = source.lstrip("/").partition("/")
    return folder if sep else ""


def document_lines(doc: Document) -> list[str]:
    """The texts of the lines counting reads: the kept ones."""
    return doc.kept_texts()


# --- the counts --------------------------------------------------------------------


def site_hash(site: str) -> bytes:
    return hashlib.blake2b(site.encode("utf-8"), digest_size=KEY_BYTES, person=b"cleaner-site").digest()


# `LineCounts.merge_runs`'s statement: ?1 the run's keys joined, ?2 their row numbers, ?3 its count, ?4 a key's size.
RUN_ROWS_JSON = (
    "INSERT INTO lines (k, n) SELECT substr(?1, key * ?4 + 1, ?4), ?3 FROM json_each(?2) WHERE true "
    "ON CONFLICT (k) DO UPDATE SET n = n + excluded.n"
)
RUN_ROWS_RECURSIVE = (
    "WITH RECURSIVE row (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM row WHERE i + 1 < ?2) "
    "INSERT INTO lines (k, n) SELECT substr(?1, i * ?4 + 1, ?4), ?3 FROM row WHERE true "
    "ON CONFLICT (k) DO UPDATE SET n = n + excluded.n"
)


def has_json_each(db: sqlite3.Connection) -> bool:
    """Whether this SQLite has the JSON functions (built in since 3.38; an older build may leave them out)."""
    try:
        return db.execute("SELECT count(*) FROM json_each('[0,0]')").fetchone() == (2,)
    except sqlite3.OperationalError:
        return False


class LineCounts:
    """Per site, how many documents hold each line key; an SQLite file on disk.

    Writes are buffered in memory (aggregated per site and key) and written in
    one transaction per `BATCH_DOCS` documents; call `flush` (or `close`, or
    leave the `with` block) before reading. The file is scratch: it is not
    journalled, so a crashed counting run must be started again.

    Tables: `sites(h, name, docs)` and `lines(k, n, text)`, where `k` is the
    site's 8-byte hash followed by the line key, and `text` the
    lexicographically smallest text seen for the key (only when texts are
    given to `add`), so the sample does not depend on input order.

    `readonly=True` opens an existing file for lookups only, as a worker
    process does in the second pass; pickling a `LineCounts` gives such a
    read-only handle on the same file.
    """

    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        if readonly:
            if not self.path.is_file():
                raise ConfigError(f"line counts not found: {self.path}")
            self.db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        else:
            self.db = sqlite3.connect(self.path, check_same_thread=False)
            self.db.executescript(
                """
                PRAGMA journal_mode = OFF;
                PRAGMA synchronous = OFF;
                CREATE TABLE IF NOT EXISTS sites (h BLOB PRIMARY KEY, name TEXT NOT NULL, docs INTEGER NOT NULL) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS lines (k BLOB PRIMARY KEY, n INTEGER NOT NULL, text TEXT) WITHOUT ROWID;
                """
            )
        self.db.execute("PRAGMA cache_size = -65536")  # 64 MiB
        self.json_rows = not readonly and has_json_each(self.db)
        self._keys: dict[bytes, list[bytes]] = {}  # site hash -> each buffered document's distinct line keys, joined
        self._texts: dict[bytes, dict[bytes, str]] = {}  # site hash -> line key -> smallest text seen, when texts are kept
        self._sites: dict[bytes, list] = {}
        self._hashes: dict[str, bytes] = {}  # site -> its hash, for the sites buffered
        self._entries = 0  # line keys buffered (each document's distinct ones)
        self._buffered_docs = 0

    # context manager and pickling

    def __enter__(self) -> LineCounts:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __reduce__(self):
        if self._buffered_docs:
            raise RuntimeError("flush LineCounts before sending it to another process")
        return (LineCounts, (self.path, True))

    def close(self) -> None:
        if self.db is None:
            return
        if not self.readonly:
            self.flush()
        self.db.close()
        self.db = None

    # pass 1

    def add(self, site: str, keys: Sequence[bytes], texts: Sequence[str] | None = None) -> None:
        """Count one document of `site`: each distinct key once.

        With `texts` (aligned with `keys`), the smallest text of each key is
        kept as its sample, for `text` and learn-rules.
        """
        if self.readonly:
            raise RuntimeError(f"line counts opened read-only: {self.path}")
        h = self._hashes.get(site)
        if h is None:
            h = self._hashes[site] = site_hash(site)
            self._sites[h] = [site, 0]
            self._keys[h] = []
        self._sites[h][1] += 1
        # A document counts each of its distinct lines once: a set, joined (`flush` counts the site's keys in NumPy).
        distinct = set(keys)
        joined = b"".join(distinct)
        if len(joined) != KEY_BYTES * len(distinct):
            raise ValueError(f"line keys are {KEY_BYTES} bytes each (`line_key`)")
        self._keys[h].append(joined)
        self._entries += len(distinct)
        if texts is not None:
            samples = self._texts.setdefault(h, {})
            for key, text in zip(keys, texts):
                if key not in samples or text < samples[key]:
                    samples[key] = text
        self._buffered_docs += 1
        if self._buffered_docs >= BATCH_DOCS or self._entries >= BATCH_ENTRIES:
            self.flush()

    def flush(self) -> None:
        """Write the buffered counts in one transaction."""
        if not self._buffered_docs:
            return
        sites = sorted((h, name, docs) for h, (name, docs) in self._sites.items())
        if self._texts:
            self.merge(self._buffered_lines(), sites)
        else:
            self.merge_runs(self._buffered_runs(), sites)
        self._clear()

    def _clear(self) -> None:
        self._keys.clear()
        self._texts.clear()
        self._sites.clear()
        self._hashes.clear()
        self._entries = 0
        self._buffered_docs = 0

    def _buffered_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """The buffered (site hash + key)s in key order, as rows of two 64-bit numbers (the bytes read big-endian), and the documents of each.

        Counted in NumPy (`np.unique` of a site's keys), not key by key in
        a `Counter`: the parent counts every document of a run, serially
        with the workers (over the 990 dev dumps, 190,000 keys, about 90 ms
        in Python for the counting and the runs' sorts).
        """
        rows, counts = [np.empty((0, 2), dtype=np.uint64)], [np.empty(0, dtype=np.int64)]
        for h in sorted(self._keys):
            keys, n = np.unique(np.frombuffer(b"".join(self._keys[h]), dtype=">u8").astype(np.uint64), return_counts=True)
            site_rows = np.empty((len(keys), 2), dtype=np.uint64)
            site_rows[:, 0] = int.from_bytes(h, "big")
            site_rows[:, 1] = keys
            rows.append(site_rows)
            counts.append(n)
        return np.concatenate(rows), np.concatenate(counts)

    def _buffered_lines(self) -> Iterator[tuple[bytes, int, str | None]]:
        """The buffered (site hash + key, documents, sample text) in key order: B-tree inserts in order are the cheapest."""
        rows, counts = self._buffered_rows()
        joined = rows.astype(">u8").tobytes()
        size = 2 * KEY_BYTES
        for at, n in enumerate(counts.tolist()):
            k = joined[at * size : (at + 1) * size]
            yield k, n, self._texts.get(k[:KEY_BYTES], {}).get(k[KEY_BYTES:])

    def _buffered_runs(self) -> Iterator[tuple[int, bytes]]:
        """The buffered counts without texts as runs: each number of documents with its (site hash + key)s joined, in key order."""
        rows, counts = self._buffered_rows()
        order = np.argsort(counts, kind="stable")  # by documents, each run in key order
        joined = rows[order].astype(">u8").tobytes()
        numbers, starts = np.unique(counts[order], return_index=True)
        size = 2 * KEY_BYTES
        for n, start, end in zip(numbers.tolist(), starts.tolist(), [*starts[1:].tolist(), len(counts)]):
            yield n, joined[start * size : end * size]

    def merge_runs(self, runs: Iterable[tuple[int, bytes]], sites: Iterable[tuple[bytes, str, int]]) -> None:
        """`merge` for counts without sample texts, given as runs: (documents, the (site hash + key)s counted that often, joined).

        Each run is one statement: its keys go to SQLite as one blob that a
        query cuts into rows, instead of one bound row each through
        `executemany`, which cost SQLite's own work over again (the count
        reduce is the parent's work, serial with the workers'). The rows are
        numbered by `json_each` over an array of as many items, where SQLite
        has it (`RUN_ROWS_JSON`), else by a recursive query: numbering 120,000
        rows took 0.064 s recursively and 0.019 s by `json_each` (SQLite
        3.40), a third of the statement's time, the B-tree inserts the rest. A key
        without a text keeps the text it had, as `merge`'s CASE does, and a
        new key gets none, so the file is the one `merge` writes.
        """
        if self.readonly:
            raise RuntimeError(f"line counts opened read-only: {self.path}")
        size = 2 * KEY_BYTES
        with self.db:
            self.db.executemany(
                "INSERT INTO sites (h, name, docs) VALUES (?, ?, ?) "
                "ON CONFLICT (h) DO UPDATE SET docs = docs + excluded.docs",
                sites,
            )
            rows = RUN_ROWS_JSON if self.json_rows else RUN_ROWS_RECURSIVE
            for n, keys in runs:
                count = len(keys) // size
                if not count:  # the recursive query would give one (empty) row
                    continue
                # The row numbers: a JSON array of as many zeros (json_each numbers its items), else the count.
                numbers = "[" + "0," * (count - 1) + "0]" if self.json_rows else count
                self.db.execute(rows, (keys, numbers, n, size))

    def merge(self, lines: Iterable[tuple[bytes, int, str | None]], sites: Iterable[tuple[bytes, str, int]]) -> None:
        """Add counts already aggregated elsewhere: (site hash + key, documents, sample text or None) and (site hash, name, documents).

        Counts add and the smallest text wins, so merging parts in any order gives the same file.
        """
        if self.readonly:
            raise RuntimeError(f"line counts opened read-only: {self.path}")
        with self.db:
            self.db.executemany(
                "INSERT INTO sites (h, name, docs) VALUES (?, ?, ?) "
                "ON CONFLICT (h) DO UPDATE SET docs = docs + excluded.docs",
                sites,
            )
            self.db.executemany(
                "INSERT INTO lines (k, n, text) VALUES (?, ?, ?) "
                "ON CONFLICT (k) DO UPDATE SET n = n + excluded.n, "
                "text = CASE WHEN text IS NULL OR excluded.text < text THEN coalesce(excluded.text, text) ELSE text END",
                lines,
            )

    # lookups

    def documents(self, site: str) -> int:
        """How many documents of `site` were counted."""
        row = self.db.execute("SELECT docs FROM sites WHERE h = ?", (site_hash(site),)).fetchone()
        return row[0] if row else 0

    def count(self, site: str, key: bytes) -> int:
        """In how many documents of `site` the line with `key` occurs."""
        row = self.db.execute("SELECT n FROM lines WHERE k = ?", (site_hash(site) + key,)).fetchone()
        return row[0] if row else 0

    def counts(self, site: str, keys: Sequence[bytes]) -> list[int]:
        """`count` for each of `keys` (one document's lines), in few queries."""
        h = site_hash(site)
        wanted = sorted({h + key for key in keys})
        found: dict[bytes, int] = {}
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            chunk = wanted[start : start + LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            found.update(self.db.execute(f"SELECT k, n FROM lines WHERE k IN ({marks})", chunk))
        return [found.get(h + key, 0) for key in keys]

    def text(self, site: str, key: bytes) -> str | None:
        """The sample text kept for a key (the smallest seen), or None."""
        row = self.db.execute("SELECT text FROM lines WHERE k = ?", (site_hash(site) + key,)).fetchone()
        return row[0] if row else None

    def sites(self) -> Iterator[tuple[str, int]]:
        """Every site counted and its number of documents, by name."""
        yield from self.db.execute("SELECT name, docs FROM sites ORDER BY name")

    def repeated(self, site: str, min_docs: int) -> Iterator[tuple[bytes, int]]:
        """The keys of `site` found in at least `min_docs` documents, most frequent first (ties by key)."""
        for k, n in self._repeated_rows(site, min_docs, "k, n"):
            yield k[KEY_BYTES:], n

    def repeated_texts(self, site: str, min_docs: int) -> Iterator[tuple[bytes, int, str | None]]:
        """As `repeated`, with each key's sample text (None when no texts were counted)."""
        for k, n, text in self._repeated_rows(site, min_docs, "k, n, text"):
            yield k[KEY_BYTES:], n, text

    def _repeated_rows(self, site: str, min_docs: int, columns: str) -> Iterator[tuple]:
        h = site_hash(site)
        low, high = h + bytes(KEY_BYTES), h + b"\xff" * KEY_BYTES
        yield from self.db.execute(
            f"SELECT {columns} FROM lines WHERE k BETWEEN ? AND ? AND n >= ? ORDER BY n DESC, k",
            (low, high, min_docs),
        )


PARTS_SUFFIX = ".parts"  # a line counts file counted by partitions (the Ray executor) keeps them in FILE.parts/


def line_partition(k: bytes, partitions: int) -> int:
    """Which partition holds an entry: a line's `k` (site hash + key) or a site's hash."""
    return zlib.crc32(k) % partitions


def partition_file(folder: Path, number: int) -> Path:
    return folder / f"part-{number:05d}.sqlite"


def open_line_counts(path: Path) -> LineCounts | PartitionedLineCounts:
    """The line counts at `path` for lookups: one SQLite file, or its partitions when they were counted apart."""
    parts = path.with_name(path.name + PARTS_SUFFIX)
    if parts.is_dir():
        return PartitionedLineCounts(parts)
    return LineCounts(path, readonly=True)


class PartitionedLineCounts:
    """The lookups of a read-only `LineCounts` over partition files, each holding the lines and sites whose hash falls to it.

    What a lookup returns is what one file holding every entry would return
    (the per-site listings are merged in the same order), so cleaning
    decides alike whichever way the lines were counted.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        files = sorted(self.folder.glob("part-*.sqlite"))
        if not files:
            raise ConfigError(f"line counts not found: {self.folder}")
        self.parts = [LineCounts(file, readonly=True) for file in files]

    def __reduce__(self):
        return (PartitionedLineCounts, (self.folder,))

    def __enter__(self) -> PartitionedLineCounts:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for part in self.parts:
            part.close()

    def _part(self, k: bytes) -> LineCounts:
        return self.parts[line_partition(k, len(self.parts))]

    def documents(self, site: str) -> int:
        return self._part(site_hash(site)).documents(site)

    def count(self, site: str, key: bytes) -> int:
        return self._part(site_hash(site) + key).count(site, key)

    def counts(self, site: str, keys: Sequence[bytes]) -> list[int]:
        h = site_hash(site)
        by_part: dict[int, list[bytes]] = {}
        for key in keys:
            by_part.setdefault(line_partition(h + key, len(self.parts)), []).append(key)
        found: dict[bytes, int] = {}
        for number, wanted in by_part.items():
            found.update(zip(wanted, self.parts[number].counts(site, wanted)))
        return [found.get(key, 0) for key in keys]

    def text(self, site: str, key: bytes) -> str | None:
        return self._part(site_hash(site) + key).text(site, key)

    def sites(self) -> Iterator[tuple[str, int]]:
        yield from heapq.merge(*(part.sites() for part in self.parts))

    def repeated(self, site: str, min_docs: int) -> Iterator[tuple[bytes, int]]:
        """As `LineCounts.repeated`: most frequent first, ties by key, across the partitions."""
        yield from heapq.merge(*(part.repeated(site, min_docs) for part in self.parts), key=lambda row: (-row[1], row[0]))

    def repeated_texts(self, site: str, min_docs: int) -> Iterator[tuple[bytes, int, str | None]]:
        yield from heapq.merge(*(part.repeated_texts(site, min_docs) for part in self.parts), key=lambda row: (-row[1], row[0]))


def count_document(counts: LineCounts, doc: Document, site_mode: str, keep_text: bool = False) -> None:
    """Pass 1 for one document: count its kept lines under its site.

    `keep_text` also keeps sample texts (needed by learn-rules, costs disk).
    """
    site, texts, keys = document_keys(doc, site_mode)
    counts.add(site, keys, texts if keep_text else None)


def document_keys(doc: Document, site_mode: str, texts: bool = True) -> tuple[str, list[str] | None, list[bytes]]:
    """What counting needs of a document: its site, the texts of its kept lines (None unless `texts`) and their keys."""
    return site_of(doc.source, doc.url, site_mode), document_lines(doc) if texts else None, doc.kept_keys(line_keys, body_line_keys)


# --- the step ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Repeats:
    """When a line a site repeats is the site's chrome (`required_share`, `is_repeated`, `RepeatedLines`).

    A line goes when at least `min_docs` of its site's documents carry it,
    and at least the share of them its shape requires: `min_share`, and
    for a sentence (`sentence_min_words` words or more, ending like one)
    `sentence_share`, for prose (`features.is_prose`) `prose_share`.
    Defaults measured on cleanportaleval: on page dumps F1 rises as
    `min_share` falls from 0.5 to 0.1 (recall never moved); 0.2 keeps a
    margin (`Config.repeat_min_share`). Prose needs nearly every page unless
    it stands among repeated lines (`among_repeated`), which is how teaser
    summaries go and shared quotations stay.
    """

    min_docs: int = 3
    min_share: float = 0.2
    sentence_share: float = 0.5
    prose_share: float = 0.9
    sentence_min_words: int = 4

    @classmethod
    def of(cls, config: Config) -> Repeats:
        """The defaults with the two figures a run's options set (`--repeat-min-docs`, `--repeat-min-share`)."""
        return cls(min_docs=config.repeat_min_docs, min_share=config.repeat_min_share)

    def __post_init__(self) -> None:
        if self.min_docs < 2:
            raise ConfigError(f"min_docs must be at least 2 (a line in one document repeats nothing), not {self.min_docs}")
        for name in ("min_share", "sentence_share", "prose_share"):
            share = getattr(self, name)
            if not 0.0 < share <= 1.0:
                raise ConfigError(f"{name} must be in (0, 1], not {share}")


REPEATS = Repeats()


def required_share(text: str, *, repeats: Repeats = REPEATS) -> float:
    """The share of a site's documents a line must occur in to be removed, by its shape.

    Chrome is short and rarely ends like a sentence; text two articles share
    is a sentence. So a line that ends like a sentence needs
    `Repeats.sentence_share`, and prose (a sentence of 8 words or more, or
    any line of 20) nearly all documents: `prose_share`. Each is at least
    `min_share`.

    >>> required_share("Most read"), required_share("Copyright 2013 BBC. All rights reserved."), required_share(
    ...     "“We will not accept this,” the minister told reporters on Monday.")
    (0.2, 0.5, 0.9)
    >>> required_share("首页"), required_share("版权所有，不得转载。"), required_share("部长周一对记者说：“我们不会接受这一点。”")
    (0.2, 0.5, 0.9)
    """
    words = word_count(text)
    if is_prose(text, words):
        return max(repeats.min_share, repeats.prose_share)
    if words >= repeats.sentence_min_words and ends_sentence(text):
        return max(repeats.min_share, repeats.sentence_share)
    return repeats.min_share


def is_repeated(text: str, n: int, documents: int, *, repeats: Repeats = REPEATS) -> bool:
    """Whether a line found in `n` of a site's `documents` counts as the site's chrome.

    >>> is_repeated("Most read", 3, 10), is_repeated("Most read", 2, 4), is_repeated("Most read", 3, 16)
    (True, False, False)
    """
    if n < repeats.min_docs or documents <= 0:
        return False
    return n >= documents * required_share(text, repeats=repeats) - 1e-9


def among_repeated(found: Sequence[int], documents: int, *, repeats: Repeats = REPEATS) -> list[bool]:
    """For each line, whether it passes the base threshold and so do its neighbours (one, at an edge).

    Chrome comes in runs (a teaser's headline, its summary, the next
    headline), body text a few articles share stands among lines of their
    own: a sentence that passes only the base threshold goes when it stands
    in a run of repeated lines.

    >>> among_repeated([5, 5, 9, 0, 5], 10, repeats=Repeats(min_share=0.3))
    [True, True, False, False, False]
    """
    min_docs, min_share = repeats.min_docs, repeats.min_share
    base = [n >= min_docs and n >= documents * min_share - 1e-9 for n in found]
    last = len(base) - 1
    return [
        ok and (i > 0 or i < last) and (i == 0 or base[i - 1]) and (i == last or base[i + 1])
        for i, ok in enumerate(base)
    ]


def describe(n: int, documents: int, site: str) -> str:
    where = f" of site {site}" if site else ""
    return f"in {n} of {documents} documents{where}"


class RepeatedLines:
    """The pipeline step: remove the lines a document's site repeats, with reason `repeated`."""

    def __init__(self, counts: LineCounts, site_mode: str = "auto", *, repeats: Repeats = REPEATS) -> None:
        if site_mode not in SITE_MODES:
            raise ConfigError(f"unknown site mode {site_mode!r}; known modes: {', '.join(SITE_MODES)}")
        self.counts = counts
        self.site_mode = site_mode
        self.repeats = repeats
        self.min_docs = repeats.min_docs
        self._documents: dict[str, int] = {}
        self._candidates: OrderedDict[str, dict[bytes, int]] = OrderedDict()

    def __call__(self, doc: Document) -> Document:
        site = site_of(doc.source, doc.url, self.site_mode)
        documents = self.site_documents(site)
        if documents < self.min_docs:
            return doc
        indexes = doc.kept_indexes()
        if not indexes:
            return doc
        candidates = self.site_candidates(site, documents)
        found = list(map(candidates.get, doc.kept_keys(line_keys), repeat(0)))
        if not any(found):  # no line is a candidate (every count is 0): nothing to remove, nothing between
            return doc
        repeats = self.repeats
        for index, n, between in zip(indexes, found, among_repeated(found, documents, repeats=repeats)):
            text = doc.lines[index].text
            if n < self.min_docs:
                continue
            if is_repeated(text, n, documents, repeats=repeats):
                doc.remove(index, REASON, describe(n, documents, site))
            elif between:
                doc.remove(index, REASON, describe(n, documents, site) + ", between repeated lines")
        return doc

    def site_candidates(self, site: str, documents: int) -> dict[bytes, int]:
        """The site's keys that pass the base threshold, with their counts; the other keys never matter.

        A site has at most (its line occurrences / (min_share x documents))
        such keys, a few hundred per site, so they are read once per site and
        kept for the `CANDIDATE_SITES` sites used last (documents come in path
        order, so one site's documents mostly come together).
        """
        candidates = self._candidates.get(site)
        if candidates is None:
            floor = max(self.min_docs, math.ceil(documents * self.repeats.min_share - 1e-9))
            candidates = dict(self.counts.repeated(site, floor))
            self._candidates[site] = candidates
            if len(self._candidates) > CANDIDATE_SITES:
                self._candidates.popitem(last=False)
        else:
            self._candidates.move_to_end(site)
        return candidates

    def site_documents(self, site: str) -> int:
        documents = self._documents.get(site)
        if documents is None:
            if len(self._documents) >= SITE_CACHE:
                self._documents.clear()
            documents = self._documents[site] = self.counts.documents(site)
        return documents


# --- learned rules -----------------------------------------------------------------


def learned_lines(counts: LineCounts, site: str, *, repeats: Repeats = REPEATS) -> list[tuple[str, int]]:
    """The lines `RepeatedLines` would remove on `site`, as (sample text, documents), most frequent first.

    Needs sample texts: count with `keep_text=True`. Ties are ordered by text.
    """
    documents = counts.documents(site)
    lines = [
        (text, n)
        for _key, n, text in counts.repeated_texts(site, repeats.min_docs)
        if text is not None and is_repeated(text, n, documents, repeats=repeats)
    ]
    return sorted(lines, key=lambda item: (-item[1], item[0]))


def looks_like_host(site: str) -> bool:
    """A site named like a host (`bbc.co.uk`) rather than a folder (`bbc_news`).

    >>> looks_like_host("bbc.co.uk"), looks_like_host("bbc.co.uk_news"), looks_like_host("site7")
    (True, False, False)
    """
    return HOST.match(site) is not None


def line_pattern(text: str) -> str:
    """An RE2 pattern matching the line and its variants under `normalise_line` (digits, spacing).

    >>> print(line_pattern("© 2013 BBC. All (rights)"))
    ©\\s+\\d+\\s+BBC\\.\\s+All\\s+\\(rights\\)
    """
    parts: list[str] = []
    for token in re.split(r"(\s+|\d+)", text.strip()):
        if not token:
            continue
        if token.isspace():
            parts.append(r"\s+")
        elif token.isdigit() and token.isascii():
            parts.append(r"\d+")
        else:
            parts.append("".join("\\" + c if c in RE2_SPECIAL else c for c in token))
    return "".join(parts)


def site_slug(site: str) -> str:
    """The site's name as it may stand in a rule id.

    >>> site_slug("bbc.co.uk_news"), site_slug(""), site_slug("Ünï Site")
    ('bbc.co.uk-news', 'corpus', 'n-site')
    """
    slug = ID_SLUG.sub("-", site.lower()).strip(".-")
    slug = re.sub(r"-{2,}", "-", slug)
    return slug or "corpus"


def toml_string(value: str) -> str:
    """A TOML basic string."""
    out = []
    for c in value:
        if c == "\\":
            out.append("\\\\")
        elif c == '"':
            out.append('\\"')
        elif c < " " or c == "\x7f":
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def site_rule_file(site: str, lines: list[tuple[str, int]], documents: int) -> str:
    """A rule file (TOML) with one `drop-line` rule per repeated line of `site`.

    `lines` are (text, documents it occurs in), as `learned_lines` returns
    them; rule ids number them in that order. A site named like a host is
    scoped by domain (and by a folder of that name); any other name by the
    folder (`sources = ["<site>/*"]`); the site "" (one site for the
    corpus) has no scope.
    """
    slug = site_slug(site)
    name = site or "the corpus"
    out = [f"# Lines repeated across the documents of {name}: "
           f"learned from {documents} documents by `cleaner learn-rules`.", ""]
    out.append(f"description = {toml_string(f'Site chrome of {name}, learned from the lines its pages repeat.')}")
    out.append("")
    if site:
        out.append("[scope]")
        if looks_like_host(site):
            out.append(f"domains = [{toml_string(site)}]")
        out.append(f"sources = [{toml_string(glob.escape(site) + '/*')}]")
        out.append("")
    for number, (text, n) in enumerate(lines, 1):
        out += [
            "[[rules]]",
            f"# in {n} of {documents} documents",
            f"id = {toml_string(f'repeated-{slug}-{number}-v1')}",
            f"description = {toml_string(f'A line repeated on {name}: ' + shorten(text))}",
            'kind = "drop-line"',
            f"patterns = [{toml_string(line_pattern(text))}]",
            f"drop = [{toml_string(text)}]",
            "",
        ]
    return "\n".join(out)


def shorten(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"

