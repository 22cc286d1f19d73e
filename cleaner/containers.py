"""Read container files (WARC, JSONL, Parquet) as units of records.

`plan_units` cuts one container file into `Unit`s of about
`RECORDS_PER_UNIT` records each, lazily and in file order, so that one large
file keeps several workers busy; `read_unit` yields the `Record`s of one
unit. Planning reads little: WARC record headers (never payloads), newline
positions of an uncompressed JSONL file, Parquet metadata. A file that cannot
be planned becomes one unit for the whole file, and reading it then yields a
record with a problem, so a bad file ends up in the rejects, never in an
exception. The only error planning raises is `ConfigError`, for a Parquet
file without the configured text (or HTML) column.

WARC is read with FastWARC. Reading the 990 dev pages packed as a WARC (a
request and a response per page, `bench/warc_readers.py`, best of 5, every
payload read): gzipped per record, 28.6 MB, FastWARC 178 ms (161 MB/s),
warcio 413 ms (69 MB/s); uncompressed, 144 MB, FastWARC 36 ms, warcio 85 ms.
FastWARC is 2.3 times faster, and it can skip payloads unread, which is what
planning needs. What it cannot do is tell a record cut short: with
`auto_decode` a payload truncated by the end of the file, or a gzip
`Content-Encoding` body cut short, reads as a shorter body with no error. So
payloads are read raw, their length checked against the declared one, and
the transfer and content encodings undone here afterwards.

Where a unit may start: an uncompressed WARC at any record; a gzipped WARC
only where a gzip member starts (Common Crawl writes one member per record).
FastWARC's `stream_pos` is the offset in the file it read from, which for a
gzip file is the start of the member holding the record only when members
are records: in a file that is one gzip member it is wherever the
decompressor's buffer happened to be. A unit boundary is therefore placed
only at a `stream_pos` that decompresses to the start of a WARC record, and a
one-member file plans as a single unit.

Keys count every WARC record (requests and warcinfo included), every JSONL
line (blank ones included) and every Parquet row, from 0, so a key is a
stable position in the file whatever the options.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import gzip
import io
import json
import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import replace
from typing import BinaryIO

import zstandard
from fastwarc.stream_io import BrotliReader, ChunkedReader
from fastwarc.warc import ArchiveIterator, WarcRecord, WarcRecordType

from cleaner.config import Config
from cleaner.errors import ConfigError, InputError
from cleaner.opening import open_input
from cleaner.records import JSONL, PARQUET, WARC, ReadStats, Record, Unit, record_key

# Records per unit (for WARC: responses and resources) when the caller does not say: a unit is
# about one task for a worker, so a 40,000-record WARC makes 625 of them, and a task is still a
# few hundred milliseconds. A run passes its own task size.
RECORDS_PER_UNIT = 64
READ_CHUNK = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"
# zlib window bits: a gzip header and trailer; a gzip or zlib header.
GZIP_WBITS = 16 + zlib.MAX_WBITS
AUTO_WBITS = 32 + zlib.MAX_WBITS
# Decompressed bytes read to estimate how many lines a compressed JSONL file holds.
ESTIMATE_SAMPLE = 8 << 20

# WARC record types (WARC 1.1), each the skip cause `warc_<type>` when it is not a document.
WARC_TYPES = frozenset(
    {"warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion", "continuation"}
)
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# IANA top-level media types: skip causes name one of these, or `content_other`.
MEDIA_MAJORS = frozenset(
    {"application", "audio", "font", "example", "haptics", "image", "message", "model", "multipart", "text", "video"}
)
MARKUP_START = re.compile(rb"\s*(?:<!doctype\s+html|<html|<head|<body|<\?xml|<!--|<meta|<title)", re.I)
CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]{1,40})", re.I)
# Fields a JSON record's url and date may come from, in order of preference.
DATE_FIELDS = ("date", "timestamp")
KEYS_SHOWN = 20


class _Truncated(Exception):
    """A compressed stream ended before its end marker."""


def container_format(name: str) -> str | None:
    """The container format a file name announces, or None for other files.

    >>> container_format("CC-MAIN-1.warc.gz"), container_format("a.NDJSON.zst"), container_format("b.parquet")
    ('warc', 'jsonl', 'parquet')
    >>> container_format("a.arc.gz"), container_format("a.warc.zst"), container_format("page.html")
    (None, None, None)
    """
    lowered = name.lower()
    if lowered.endswith((".warc", ".warc.gz")):
        return WARC
    if lowered.endswith(tuple(f"{base}{comp}" for base in (".jsonl", ".ndjson") for comp in ("", ".gz", ".zst"))):
        return JSONL
    if lowered.endswith(".parquet"):
        return PARQUET
    return None


def plan_units(
    path: str, source: str, fmt: str, config: Config, records_per_unit: int = RECORDS_PER_UNIT, root: str = ""
) -> Iterator[Unit]:
    """The units of one container file, in file order, covering each of its records once.

    `root` is the real path of the input directory the file was found under:
    the file is opened only inside it (`opening.open_input`), when planned and
    again when each unit is read, and every unit carries it.
    """
    if fmt == WARC:
        units = _plan_warc(path, source, records_per_unit, root)
    elif fmt == JSONL:
        units = _plan_jsonl(path, source, records_per_unit, root)
    elif fmt == PARQUET:
        units = _plan_parquet(path, source, config, records_per_unit, root)
    else:
        raise ValueError(f"not a container format: {fmt!r}")
    return (replace(unit, root=root) for unit in units)


def read_unit(unit: Unit, config: Config, stats: ReadStats) -> Iterator[Record]:
    """The records of one unit, in order, keyed by their position in the file; skipped entries go to `stats`."""
    readers = {WARC: _read_warc, JSONL: _read_jsonl, PARQUET: _read_parquet}
    seen = False
    skipped_before = sum(stats.skipped.values())
    for record in readers[unit.fmt](unit, config, stats):
        seen = True
        yield record
    whole_file = unit.start == 0 and unit.first_index == 0
    if whole_file and not seen and sum(stats.skipped.values()) == skipped_before:
        yield _problem(unit, 0, "empty", f"no {unit.fmt.upper()} records in the file")


def _whole_file(path: str, source: str, fmt: str, size_hint: int = 1) -> Unit:
    return Unit(path, source, fmt, start=0, first_index=0, count=None, size_hint=max(1, size_hint))


def _problem(unit: Unit, index: int, reason: str, detail: str) -> Record:
    return Record(record_key(unit.source, index), unit.source, unit.fmt, "text", problem=(reason, detail))


# WARC ---------------------------------------------------------------------


def _plan_warc(path: str, source: str, per_unit: int, root: str) -> Iterator[Unit]:
    """Units of about `per_unit` documents (response and resource records), each starting where a reader can enter the file.

    Units are sized by the records that can be documents, not by all records:
    a crawl's WARC holds a request and a metadata record beside each response.
    A scan that hits corruption stops there: the last unit runs to the end of
    the file, and reading it reports the problem.
    """
    try:
        handle = open_input(path, root)
    except InputError:
        yield _whole_file(path, source, WARC)
        return
    documents = WarcRecordType.response | WarcRecordType.resource
    with handle:
        compressed = handle.read(2) == GZIP_MAGIC
        handle.seek(0)
        start, first, index, in_unit, rejected_pos = 0, 0, 0, 0, -1
        try:
            for warc in ArchiveIterator(handle, parse_http=False):
                if warc.headers.get("Content-Length") is None:
                    break
                pos = warc.stream_pos
                if in_unit >= per_unit and pos > start and pos != rejected_pos:
                    if _record_starts_at(handle, pos, compressed):
                        yield Unit(path, source, WARC, start=start, first_index=first, count=index - first,
                                   size_hint=in_unit)
                        start, first, in_unit = pos, index, 0
                    else:
                        rejected_pos = pos
                in_unit += 1 if warc.record_type & documents else 0
                index += 1
        except (OSError, ValueError, EOFError):
            pass
    yield Unit(path, source, WARC, start=start, first_index=first, count=None, size_hint=max(1, in_unit))


def _record_starts_at(handle: BinaryIO, pos: int, compressed: bool) -> bool:
    """Whether a WARC record starts at byte `pos` of the file (for gzip: a member holding one); `pread` leaves `handle` where it is."""
    head = os.pread(handle.fileno(), 1024 if compressed else 5, pos)
    if not compressed:
        return head == b"WARC/"
    if not head.startswith(GZIP_MAGIC):
        return False
    try:
        return zlib.decompressobj(GZIP_WBITS).decompress(head, 5) == b"WARC/"
    except zlib.error:
        return False


def _read_warc(unit: Unit, config: Config, stats: ReadStats) -> Iterator[Record]:
    try:
        handle = open_input(unit.path, unit.root)
    except InputError as exc:
        yield _problem(unit, unit.first_index, exc.reason, exc.detail)
        return
    with handle:
        handle.seek(unit.start)
        records = iter(ArchiveIterator(handle, parse_http=False))
        index = unit.first_index
        while unit.count is None or index < unit.first_index + unit.count:
            try:
                warc = next(records)
            except StopIteration:
                return
            except (OSError, ValueError, EOFError) as exc:
                yield _problem(unit, index, "bad_record", f"WARC record: {exc}")
                return
            outcome = _warc_record(warc, unit, index, config.max_bytes)
            if isinstance(outcome, str):
                stats.skip(outcome)
            else:
                yield outcome
            index += 1


def _warc_record(warc: WarcRecord, unit: Unit, index: int, max_bytes: int) -> Record | str:
    """The record one WARC record makes, or the cause it is skipped for."""
    if warc.headers.get("Content-Length") is None:
        return _problem(unit, index, "bad_record", "WARC header cut short or corrupt (no Content-Length)")
    record_type = warc.record_type
    if record_type == WarcRecordType.response:
        return _response_record(warc, unit, index, max_bytes)
    if record_type == WarcRecordType.resource:
        return _resource_record(warc, unit, index, max_bytes)
    name = str(record_type)
    return f"warc_{name}" if name in WARC_TYPES else "warc_unknown"


def _response_record(warc: WarcRecord, unit: Unit, index: int, max_bytes: int) -> Record | str:
    try:
        warc.parse_http()
    except (OSError, ValueError) as exc:
        return _problem(unit, index, "bad_record", f"HTTP headers: {exc}")
    http = warc.http_headers
    if not warc.is_http_parsed or http is None or http.status_code is None:
        if (warc.headers.get("Content-Type") or "").lower().startswith("application/http"):
            return _problem(unit, index, "bad_record", "HTTP headers cut short or corrupt")
        return "warc_response_not_http"
    status = http.status_code
    if status != 200:
        return _status_cause(status)
    content_type = (warc.http_content_type or "").lower()
    kind = "html" if content_type in HTML_TYPES else "text" if content_type == "text/plain" else None
    if content_type and kind is None:
        return _content_cause(content_type)
    payload = _payload(warc, unit, index, max_bytes, encodings=_encodings(http))
    if isinstance(payload, Record):
        return payload
    if kind is None:
        # No Content-Type: a page that opens like markup is read as HTML; any
        # other payload could be anything (a PDF, an image), so it is skipped.
        if not MARKUP_START.match(payload[:1024]):
            return "content_unknown"
        kind = "html"
    fields = {"warc_type": "response", "content_type": content_type, "http_status": status}
    return _warc_document(warc, unit, index, kind, payload, (warc.http_charset or "").lower(), fields)


def _resource_record(warc: WarcRecord, unit: Unit, index: int, max_bytes: int) -> Record | str:
    declared = warc.headers.get("Content-Type") or ""
    content_type = declared.split(";", 1)[0].strip().lower()
    if content_type in HTML_TYPES:
        kind = "html"
    elif content_type.startswith("text/"):
        kind = "text"
    else:
        return _content_cause(content_type) if content_type else "content_unknown"
    payload = _payload(warc, unit, index, max_bytes, encodings=[])
    if isinstance(payload, Record):
        return payload
    match = CHARSET_PARAM.search(declared)
    charset = match.group(1).lower() if match else ""
    fields = {"warc_type": "resource", "content_type": content_type}
    return _warc_document(warc, unit, index, kind, payload, charset, fields)


def _warc_document(
    warc: WarcRecord, unit: Unit, index: int, kind: str, payload: bytes, charset: str, fields: dict
) -> Record:
    headers = warc.headers
    truncated = headers.get("WARC-Truncated")
    if truncated:
        fields["warc_truncated"] = truncated
    return Record(
        record_key(unit.source, index), unit.source, WARC, kind, data=payload, charset=charset,
        url=headers.get("WARC-Target-URI") or "", date=headers.get("WARC-Date") or "",
        id=headers.get("WARC-Record-ID") or "", fields=fields,
    )


def _status_cause(status: int) -> str:
    """The skip cause for a response that is not `200 OK`.

    >>> _status_cause(404), _status_cause(301), _status_cause(206), _status_cause(999)
    ('http_status_4xx', 'http_status_3xx', 'http_status_2xx', 'http_status_other')
    """
    return f"http_status_{status // 100}xx" if 100 <= status < 600 else "http_status_other"


def _content_cause(content_type: str) -> str:
    """The skip cause for a media type that is not a document, from its top-level type only.

    >>> _content_cause("image/png"), _content_cause("text/css"), _content_cause("x-evil/<script>")
    ('content_image', 'content_text', 'content_other')
    """
    major = content_type.split("/", 1)[0]
    return f"content_{major}" if major in MEDIA_MAJORS else "content_other"


def _encodings(http) -> list[str]:
    """The transfer and content codings of an HTTP response, in the order they must be undone."""
    codings = []
    for header in ("Transfer-Encoding", "Content-Encoding"):
        value = http.get(header) or ""
        codings.extend(c.strip().lower() for c in reversed(value.split(",")) if c.strip())
    return [c for c in codings if c != "identity"]


def _payload(warc: WarcRecord, unit: Unit, index: int, max_bytes: int, encodings: list[str]) -> bytes | Record:
    """The payload with its codings undone, or a problem record: too large, cut short, undecodable."""
    declared = warc.content_length
    if declared > max_bytes:
        return _problem(unit, index, "too_large", f"{declared} byte payload > --max-bytes {max_bytes}")
    try:
        raw = _read_up_to(warc.reader, declared)
    except (OSError, ValueError, EOFError) as exc:
        return _problem(unit, index, "bad_record", f"payload: {exc}")
    if len(raw) < declared:
        return _problem(unit, index, "bad_record", f"payload cut short: {len(raw)} of {declared} bytes")
    try:
        data = _decode_codings(raw, encodings, max_bytes)
    except (OSError, ValueError, zlib.error, zstandard.ZstdError, _Truncated) as exc:
        return _problem(unit, index, "bad_record", f"HTTP body encoding: {exc}")
    if len(data) > max_bytes:
        return _problem(unit, index, "too_large", f"more than --max-bytes {max_bytes} once decoded")
    return data


def _read_up_to(reader, size: int) -> bytes:
    """`size` bytes from a reader, fewer only if it ends first."""
    chunks, missing = [], size
    while missing > 0 and (chunk := reader.read(missing)):
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def _decode_codings(data: bytes, encodings: list[str], max_bytes: int) -> bytes:
    """Undo HTTP codings (chunked, gzip, deflate, br, zstd), producing at most `max_bytes` + 1 bytes.

    >>> _decode_codings(b"5\\r\\nhello\\r\\n0\\r\\n\\r\\n", ["chunked"], 100)
    b'hello'
    >>> _decode_codings(gzip.compress(b"hi"), ["gzip"], 100)
    b'hi'
    """
    for coding in encodings:
        if coding == "chunked":
            data = ChunkedReader(io.BytesIO(data)).read()
        elif coding in ("gzip", "x-gzip", "deflate"):
            data = _inflate(data, max_bytes)
        elif coding == "br":
            data = BrotliReader(io.BytesIO(data)).read(max_bytes + 1)
        elif coding == "zstd":
            data = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)).read(max_bytes + 1)
        else:
            raise ValueError(f"unknown coding {coding[:40]!r}")
    return data


def _inflate(data: bytes, max_bytes: int) -> bytes:
    """Gunzip or inflate (zlib-wrapped, or raw deflate as some servers send it)."""
    inflater = zlib.decompressobj(AUTO_WBITS if data[:1] in (b"\x1f", b"\x78") else -zlib.MAX_WBITS)
    out = inflater.decompress(data, max_bytes + 1)
    if len(out) <= max_bytes and not inflater.eof:
        raise _Truncated("compressed body cut short")
    return out


# JSONL --------------------------------------------------------------------


def _plan_jsonl(path: str, source: str, per_unit: int, root: str) -> Iterator[Unit]:
    """Units of `per_unit` lines for an uncompressed file; a compressed one is read in one go."""
    lowered = path.lower()
    if lowered.endswith((".gz", ".zst")):
        yield _whole_file(path, source, JSONL, _estimate_lines(path, root))
        return
    try:
        handle = open_input(path, root)
        size = os.fstat(handle.fileno()).st_size
    except (InputError, OSError):
        yield _whole_file(path, source, JSONL)
        return
    with handle:
        first, start = 0, 0
        for line, offset in _line_starts(handle, per_unit):
            if offset >= size:
                break
            if offset > start:
                yield Unit(path, source, JSONL, start=start, first_index=first, count=line - first, size_hint=line - first)
                first, start = line, offset
        remaining = _count_lines(handle, start)
    yield Unit(path, source, JSONL, start=start, first_index=first, count=None, size_hint=max(1, remaining))


def _line_starts(handle: BinaryIO, step: int) -> Iterator[tuple[int, int]]:
    """(line number, byte offset) of lines 0, step, 2 * step, ... of a file.

    Chunks are read whole and their newlines counted at C speed; only in a
    chunk where a wanted line starts are newlines found one by one, up to it.

    >>> list(_line_starts(io.BytesIO(b"a\\nb\\nc\\nd\\ne"), 2))
    [(0, 0), (2, 4), (4, 8)]
    """
    yield 0, 0
    lines, base, wanted = 0, 0, step
    while chunk := handle.read(READ_CHUNK):
        newlines = chunk.count(b"\n")
        pos = 0
        while lines + newlines >= wanted:
            for _ in range(wanted - lines):
                pos = chunk.index(b"\n", pos) + 1
            newlines -= wanted - lines
            lines = wanted
            yield wanted, base + pos
            wanted += step
        lines += newlines
        base += len(chunk)


def _count_lines(handle: BinaryIO, offset: int) -> int:
    """The number of lines from `offset` to the end of the file (a last line without a newline counts)."""
    handle.seek(offset)
    count, last = 0, b""
    while chunk := handle.read(READ_CHUNK):
        count += chunk.count(b"\n")
        last = chunk
    return count + (1 if last and not last.endswith(b"\n") else 0)


def _estimate_lines(path: str, root: str) -> int:
    """About how many lines a compressed file holds: lines per compressed byte in its first 8 MiB, times its size."""
    try:
        with open_input(path, root) as raw, _open_text_stream(path, raw) as stream:
            size = os.fstat(raw.fileno()).st_size
            sample = stream.read(ESTIMATE_SAMPLE)
            consumed = raw.tell()
    except (InputError, OSError, EOFError, zlib.error, zstandard.ZstdError, _Truncated):
        return 1
    if not sample or not consumed:
        return 1
    return max(1, round(sample.count(b"\n") * size / consumed))


def _open_text_stream(path: str, raw: BinaryIO) -> BinaryIO:
    """A buffered stream of the decompressed bytes of a `.gz` or `.zst` file, else the file itself."""
    lowered = path.lower()
    if lowered.endswith(".gz"):
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if lowered.endswith(".zst"):
        return _ZstdReader(raw)
    return raw


class _ZstdReader:
    """Decompressed bytes of a zstd file, frame after frame, read by line or by size.

    zstandard's own stream reader stops at the end of a truncated file as if
    the data were complete; this one raises `_Truncated` when the file ends
    inside a frame, once the lines before have been read.
    """

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._decompressor = zstandard.ZstdDecompressor()
        self._frame = self._decompressor.decompressobj()
        self._in_frame = False
        self._buffer = bytearray()
        self._pos = 0

    def __enter__(self) -> _ZstdReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._buffer.clear()

    def readline(self, limit: int) -> bytes:
        """The next line with its newline, or its first `limit` bytes; b"" at the end."""
        while True:
            end = self._buffer.find(b"\n", self._pos, self._pos + limit)
            if end >= 0:
                return self._take(end + 1 - self._pos)
            if len(self._buffer) - self._pos >= limit or not self._fill():
                return self._take(min(limit, len(self._buffer) - self._pos))

    def read(self, size: int) -> bytes:
        while len(self._buffer) - self._pos < size and self._fill():
            pass
        return self._take(min(size, len(self._buffer) - self._pos))

    def _take(self, size: int) -> bytes:
        chunk = bytes(self._buffer[self._pos:self._pos + size])
        self._pos += size
        if self._pos >= READ_CHUNK:
            del self._buffer[:self._pos]
            self._pos = 0
        return chunk

    def _fill(self) -> bool:
        """Decompress the next chunk of the file into the buffer; False at the end of the file."""
        compressed = self._raw.read(READ_CHUNK)
        if not compressed:
            if self._in_frame:
                raise _Truncated("truncated zstd stream (it ends inside a frame)")
            return False
        while compressed:
            self._buffer += self._frame.decompress(compressed)
            self._in_frame = not self._frame.eof
            if not self._frame.eof:
                break
            compressed = self._frame.unused_data
            self._frame = self._decompressor.decompressobj()
        return True


def _read_jsonl(unit: Unit, config: Config, stats: ReadStats) -> Iterator[Record]:
    gz = unit.path.lower().endswith(".gz")
    try:
        raw = open_input(unit.path, unit.root)
    except InputError as exc:
        yield _problem(unit, unit.first_index, exc.reason, exc.detail)
        return
    raw.seek(unit.start)
    with raw, _open_text_stream(unit.path, raw) as stream:
        index = unit.first_index
        lines = _lines(stream, config.max_bytes)
        while unit.count is None or index < unit.first_index + unit.count:
            try:
                line = next(lines)
            except StopIteration:
                return
            except (OSError, EOFError, zlib.error, zstandard.ZstdError, _Truncated) as exc:
                yield _problem(unit, index, "bad_gzip" if gz else "bad_record", _stream_error(exc, index))
                return
            if line is None:
                yield _problem(unit, index, "too_large", f"line {index + 1}: longer than --max-bytes {config.max_bytes}")
            elif line.strip():
                yield _json_line_record(unit, index, line, config)
            else:
                stats.skip("jsonl_blank_line")
            index += 1


def _stream_error(exc: Exception, index: int) -> str:
    if isinstance(exc, EOFError):
        return f"line {index + 1}: truncated gzip stream (it ends before its end marker)"
    return f"line {index + 1}: {exc}"


def _lines(stream: BinaryIO, max_bytes: int) -> Iterator[bytes | None]:
    """The lines of a stream; None for a line longer than `max_bytes`, whose rest is skipped unread whole."""
    while line := stream.readline(max_bytes + 1):
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while (rest := stream.readline(READ_CHUNK)) and not rest.endswith(b"\n"):
                pass
            yield None
        else:
            yield line


def _json_line_record(unit: Unit, index: int, line: bytes, config: Config) -> Record:
    where = f"line {index + 1}"
    try:
        value = json.loads(line)
    except ValueError as exc:
        detail = f"invalid JSON ({exc.msg}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else str(exc)
        return _problem(unit, index, "bad_record", f"{where}: {detail}")
    if not isinstance(value, dict):
        return _problem(unit, index, "bad_record", f"{where}: not a JSON object but {_json_type(value)}")
    return _mapping_record(unit, index, value, config, where)


def _json_type(value: object) -> str:
    """How JSON names a decoded value's type.

    >>> _json_type([1]), _json_type(None), _json_type("a")
    ('an array', 'null', 'a string')
    """
    names = {list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


# JSONL and Parquet records --------------------------------------------------


def _mapping_record(unit: Unit, index: int, row: dict, config: Config, where: str) -> Record:
    """A record from one JSON object or Parquet row: text or HTML, id, url, date, and the rest as fields."""
    key = record_key(unit.source, index)
    metadata = row.get("metadata") if isinstance(row.get("metadata"), dict) else {}
    url_from, url = _first_string(row, metadata, ("url",))
    date_from, date = _first_string(row, metadata, DATE_FIELDS)
    used = {config.text_field, config.html_field, config.id_field}
    record = Record(key, unit.source, unit.fmt, "text", url=url, date=date, id=_identifier(row.get(config.id_field)),
                    fields=_fields(row, used, url_from, date_from))
    html = row.get(config.html_field) if config.html_field else None
    if isinstance(html, str) and html.strip():
        record.kind, record.data, record.charset = "html", html.encode("utf-8", "replace"), "utf-8"
    elif isinstance(html, bytes) and html.strip():
        record.kind, record.data = "html", html
    else:
        text = row.get(config.text_field)
        if not isinstance(text, str):
            return _problem(unit, index, "no_text", _no_text_detail(row, config.text_field, where))
        record.text = text
    size = len(record.data) if record.data is not None else _utf8_size(record.text, config.max_bytes)
    if size > config.max_bytes:
        return _problem(unit, index, "too_large", f"{where}: {size} bytes > --max-bytes {config.max_bytes}")
    return record


def _first_string(row: dict, metadata: dict, names: tuple[str, ...]) -> tuple[tuple[str, str] | None, str]:
    """The first of `names` found in the row, else in its `metadata`, as ((where, name), value as text)."""
    for where, mapping in (("row", row), ("metadata", metadata)):
        for name in names:
            value = mapping.get(name)
            if value is not None and value != "":
                return (where, name), _scalar_text(value)
    return None, ""


def _fields(row: dict, used: set[str], url_from: tuple[str, str] | None, date_from: tuple[str, str] | None) -> dict:
    """The row's other fields in input order, a nested `metadata` dict merged in, as JSON-able values.

    Left out: the text, HTML, id and url fields, and whichever date field
    (top-level or in `metadata`) gave the date. A top-level field wins over
    a `metadata` field of the same name.

    >>> _fields({"id": 1, "lang": "de", "metadata": {"url": "u", "stars": 3}}, {"id"}, ("metadata", "url"), None)
    {'lang': 'de', 'stars': 3}
    """
    taken = {source for source in (url_from, date_from) if source}
    skip_row = used | {"url"} | {name for where, name in taken if where == "row"}
    skip_metadata = {name for where, name in taken if where == "metadata"}
    fields: dict = {}
    for name, value in row.items():
        if name == "metadata" and isinstance(value, dict):
            for inner, inner_value in value.items():
                if inner not in skip_metadata:
                    _put(fields, inner, inner_value, replace=False)
        elif name not in skip_row:
            _put(fields, name, value, replace=True)
    return fields


def _put(fields: dict, name: str, value: object, replace: bool) -> None:
    """Store a JSON-able value; bytes are dropped (binary is not metadata a corpus record should carry)."""
    if isinstance(value, (bytes, bytearray)) or (not replace and name in fields):
        return
    fields[name] = _jsonable(value)


def _jsonable(value: object) -> object:
    """A plain JSON value: timestamps and dates as ISO strings, decimals as strings.

    Bytes nested in a value become base64 (a top-level binary field is
    dropped before it gets here, see `_put`).

    >>> _jsonable({"t": datetime.datetime(2024, 5, 1, 12, 0), "n": [decimal.Decimal("1.5"), None]})
    {'t': '2024-05-01T12:00:00', 'n': ['1.5', None]}
    """
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    return str(value)


def _scalar_text(value: object) -> str:
    """A url, date or id value as text.

    >>> _scalar_text(17), _scalar_text(datetime.datetime(2024, 5, 1)), _scalar_text("x")
    ('17', '2024-05-01T00:00:00', 'x')
    """
    jsonable = _jsonable(value)
    return jsonable if isinstance(jsonable, str) else json.dumps(jsonable)


def _identifier(value: object) -> str:
    return "" if value is None else _scalar_text(value)


def _no_text_detail(row: dict, field: str, where: str) -> str:
    if field not in row:
        keys = list(row)
        shown = ", ".join(str(k) for k in keys[:KEYS_SHOWN]) + (", ..." if len(keys) > KEYS_SHOWN else "")
        return f"{where}: no {field!r} field (keys: {shown})"
    return f"{where}: {field!r} is {_json_type(row[field])}, not a string"


def _utf8_size(text: str, max_bytes: int) -> int:
    """The UTF-8 size of a text, encoded only when its length leaves a doubt (a character is 1 to 4 bytes)."""
    if len(text) * 4 <= max_bytes:
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


# Parquet ------------------------------------------------------------------


def _plan_parquet(path: str, source: str, config: Config, per_unit: int, root: str) -> Iterator[Unit]:
    """Units of whole row groups, small groups taken together up to about `per_unit` rows."""
    import pyarrow  # here, not at the top: it costs 0.15 s to import, which only Parquet inputs should pay
    import pyarrow.parquet as pq

    try:
        with open_input(path, root) as handle, pq.ParquetFile(handle) as parquet:
            metadata = parquet.metadata
            names = parquet.schema_arrow.names
    except (InputError, OSError, pyarrow.ArrowException, ValueError):
        yield _whole_file(path, source, PARQUET)
        return
    _check_columns(path, names, config)
    start, rows, row_index = 0, 0, 0
    for group in range(metadata.num_row_groups):
        rows += metadata.row_group(group).num_rows
        if rows >= per_unit or group == metadata.num_row_groups - 1:
            yield Unit(path, source, PARQUET, start=start, first_index=row_index, count=group + 1 - start,
                       size_hint=max(1, rows))
            start, row_index, rows = group + 1, row_index + rows, 0
    if metadata.num_row_groups == 0:
        yield _whole_file(path, source, PARQUET)


def _check_columns(path: str, names: list[str], config: Config) -> None:
    wanted = [config.text_field] + ([config.html_field] if config.html_field else [])
    if not any(name in names for name in wanted):
        missing = " or ".join(repr(name) for name in wanted)
        raise ConfigError(f"{path}: no column {missing}; its columns: {', '.join(names) or 'none'}")


def _read_parquet(unit: Unit, config: Config, stats: ReadStats) -> Iterator[Record]:
    import pyarrow
    import pyarrow.parquet as pq

    index = unit.first_index
    try:
        handle = open_input(unit.path, unit.root)
    except InputError as exc:
        yield _problem(unit, index, exc.reason, exc.detail)
        return
    try:
        with handle, pq.ParquetFile(handle) as parquet:
            end = parquet.num_row_groups if unit.count is None else unit.start + unit.count
            columns = _wanted_columns(parquet.schema_arrow, config)
            for batch in parquet.iter_batches(row_groups=range(unit.start, end), columns=columns, batch_size=1024):
                for row in batch.to_pylist():
                    yield _mapping_record(unit, index, row, config, f"row {index}")
                    index += 1
    except (OSError, pyarrow.ArrowException, ValueError) as exc:
        yield _problem(unit, index, "bad_record", f"Parquet: {exc}")


def _wanted_columns(schema, config: Config) -> list[str]:
    """Every column but binary ones (of a `pyarrow.Schema`), which fields would drop anyway, unless they hold the text or HTML."""
    import pyarrow

    keep = {config.text_field, config.html_field}
    binary = (pyarrow.types.is_binary, pyarrow.types.is_large_binary, pyarrow.types.is_fixed_size_binary)
    return [f.name for f in schema if f.name in keep or not any(test(f.type) for test in binary)]
