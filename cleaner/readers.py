"""Find input files under the given paths, cut them into units, read their records and decode them.

Nothing here knows about cleaning. The walk is sorted and streaming, so the
order of a run is the order of input paths, and a directory of millions of
files is never listed whole in memory. A single-document file (`.txt`,
`.html`) is one unit and one record; a container file (WARC, JSONL,
Parquet: `containers.py`) is planned into units of records. Reading and
decoding raise `InputError` with a rejects code when a file cannot be used.
"""

from __future__ import annotations

import codecs
import errno
import fnmatch
import gzip
import heapq
import itertools
import os
import re
import stat
import tempfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, BinaryIO

from cleaner.config import Config
from cleaner.containers import RECORDS_PER_UNIT, container_format, plan_units, read_unit
from cleaner.errors import InputError
from cleaner.locations import is_url, is_url_dir, join, list_files, read_head, url_size
from cleaner.opening import OUTSIDE, is_inside, open_input, os_reason
from cleaner.records import FILE, ReadStats, Record, Unit, record_key

TEXT_SUFFIXES = frozenset({".txt", ".text"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
SNIFF_BYTES = 1 << 16  # read from a URL whose name says nothing, to see the first 1024 bytes of it even gzipped

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
# The WHATWG Encoding Standard's encodings and their labels (https://encoding.spec.whatwg.org/#names-and-labels,
# encodings.json; every name and label checked equal to whatwg/encoding's encodings.json of 2026-05-21): what a
# charset label means to every browser. Each encoding is read with the Python codec
# given, which for several is larger than Python's codec of the same name (as the standard's decoder is):
# gb2312 and gbk read as GB18030, iso-8859-1 and ascii as windows-1252, iso-8859-9 as windows-1254, tis-620 as
# windows-874, euc-kr as windows-949, shift_jis as windows-31j, big5 as Big5-HKSCS. A label not here (base64,
# rot13, unicode_escape, utf-7, idna, cp037, ...) is no web text encoding and is ignored, as browsers ignore it.
# UTF-16 is read as UTF-8 (see `_declared_charset`; from a container too: bytes with no zero byte in their
# first 8 KiB, which `_looks_binary` requires, are not UTF-16). The `replacement` encoding (ISO-2022-KR,
# HZ-GB-2312, ISO-2022-CN: a browser shows one U+FFFD) and x-user-defined are ignored: detection decides.
WHATWG_ENCODINGS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "UTF-8": ("utf-8", ("unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "utf-8", "utf8", "x-unicode20utf8")),
    "IBM866": ("cp866", ("866", "cp866", "csibm866", "ibm866")),
    "ISO-8859-2": ("iso8859-2", ("csisolatin2", "iso-8859-2", "iso-ir-101", "iso8859-2", "iso88592", "iso_8859-2",
                                 "iso_8859-2:1987", "l2", "latin2")),
    "ISO-8859-3": ("iso8859-3", ("csisolatin3", "iso-8859-3", "iso-ir-109", "iso8859-3", "iso88593", "iso_8859-3",
                                 "iso_8859-3:1988", "l3", "latin3")),
    "ISO-8859-4": ("iso8859-4", ("csisolatin4", "iso-8859-4", "iso-ir-110", "iso8859-4", "iso88594", "iso_8859-4",
                                 "iso_8859-4:1988", "l4", "latin4")),
    "ISO-8859-5": ("iso8859-5", ("csisolatincyrillic", "cyrillic", "iso-8859-5", "iso-ir-144", "iso8859-5", "iso88595",
                                 "iso_8859-5", "iso_8859-5:1988")),
    "ISO-8859-6": ("iso8859-6", ("arabic", "asmo-708", "csiso88596e", "csiso88596i", "csisolatinarabic", "ecma-114",
                                 "iso-8859-6", "iso-8859-6-e", "iso-8859-6-i", "iso-ir-127", "iso8859-6", "iso88596",
                                 "iso_8859-6", "iso_8859-6:1987")),
    "ISO-8859-7": ("iso8859-7", ("csisolatingreek", "ecma-118", "elot_928", "greek", "greek8", "iso-8859-7",
                                 "iso-ir-126", "iso8859-7", "iso88597", "iso_8859-7", "iso_8859-7:1987", "sun_eu_greek")),
    "ISO-8859-8": ("iso8859-8", ("csiso88598e", "csisolatinhebrew", "hebrew", "iso-8859-8", "iso-8859-8-e", "iso-ir-138",
                                 "iso8859-8", "iso88598", "iso_8859-8", "iso_8859-8:1988", "visual")),
    "ISO-8859-8-I": ("iso8859-8", ("csiso88598i", "iso-8859-8-i", "logical")),
    "ISO-8859-10": ("iso8859-10", ("csisolatin6", "iso-8859-10", "iso-ir-157", "iso8859-10", "iso885910", "l6", "latin6")),
    "ISO-8859-13": ("iso8859-13", ("iso-8859-13", "iso8859-13", "iso885913")),
    "ISO-8859-14": ("iso8859-14", ("iso-8859-14", "iso8859-14", "iso885914")),
    "ISO-8859-15": ("iso8859-15", ("csisolatin9", "iso-8859-15", "iso8859-15", "iso885915", "iso_8859-15", "l9")),
    "ISO-8859-16": ("iso8859-16", ("iso-8859-16",)),
    "KOI8-R": ("koi8-r", ("cskoi8r", "koi", "koi8", "koi8-r", "koi8_r")),
    "KOI8-U": ("koi8-u", ("koi8-ru", "koi8-u")),
    "macintosh": ("mac-roman", ("csmacintosh", "mac", "macintosh", "x-mac-roman")),
    "windows-874": ("cp874", ("dos-874", "iso-8859-11", "iso8859-11", "iso885911", "tis-620", "windows-874")),
    "windows-1250": ("cp1250", ("cp1250", "windows-1250", "x-cp1250")),
    "windows-1251": ("cp1251", ("cp1251", "windows-1251", "x-cp1251")),
    "windows-1252": ("cp1252", ("ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819", "iso-8859-1",
                                "iso-ir-100", "iso8859-1", "iso88591", "iso_8859-1", "iso_8859-1:1987", "l1", "latin1",
                                "us-ascii", "windows-1252", "x-cp1252")),
    "windows-1253": ("cp1253", ("cp1253", "windows-1253", "x-cp1253")),
    "windows-1254": ("cp1254", ("cp1254", "csisolatin5", "iso-8859-9", "iso-ir-148", "iso8859-9", "iso88599", "iso_8859-9",
                                "iso_8859-9:1989", "l5", "latin5", "windows-1254", "x-cp1254")),
    "windows-1255": ("cp1255", ("cp1255", "windows-1255", "x-cp1255")),
    "windows-1256": ("cp1256", ("cp1256", "windows-1256", "x-cp1256")),
    "windows-1257": ("cp1257", ("cp1257", "windows-1257", "x-cp1257")),
    "windows-1258": ("cp1258", ("cp1258", "windows-1258", "x-cp1258")),
    "x-mac-cyrillic": ("mac-cyrillic", ("x-mac-cyrillic", "x-mac-ukrainian")),
    "GBK": ("gb18030", ("chinese", "csgb2312", "csiso58gb231280", "gb2312", "gb_2312", "gb_2312-80", "gbk", "iso-ir-58",
                        "x-gbk")),
    "gb18030": ("gb18030", ("gb18030",)),
    "Big5": ("big5hkscs", ("big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5")),
    "EUC-JP": ("euc_jp", ("cseucpkdfmtjapanese", "euc-jp", "x-euc-jp")),
    "ISO-2022-JP": ("iso2022_jp", ("csiso2022jp", "iso-2022-jp")),
    "Shift_JIS": ("cp932", ("csshiftjis", "ms932", "ms_kanji", "shift-jis", "shift_jis", "sjis", "windows-31j", "x-sjis")),
    "EUC-KR": ("cp949", ("cseuckr", "csksc56011987", "euc-kr", "iso-ir-149", "korean", "ks_c_5601-1987", "ks_c_5601-1989",
                         "ksc5601", "ksc_5601", "windows-949")),
    "replacement": (None, ("csiso2022kr", "hz-gb-2312", "iso-2022-cn", "iso-2022-cn-ext", "iso-2022-kr", "replacement")),
    "UTF-16BE": ("utf-8", ("unicodefffe", "utf-16be")),
    "UTF-16LE": ("utf-8", ("csunicode", "iso-10646-ucs-2", "ucs-2", "unicode", "unicodefeff", "utf-16", "utf-16le")),
    "x-user-defined": (None, ("x-user-defined",)),
}
BINARY_SAMPLE = 8192
# zlib window bits that accept a gzip header and trailer.
GZIP_WBITS = 16 + zlib.MAX_WBITS
# Compressed bytes fed to zlib at a time while a gzip member goes on: the first piece, and the largest.
FIRST_FEED, MAX_FEED = 256, 1 << 20
NOT_NUL = re.compile(rb"[^\x00]")
# C0 controls other than tab, newline, vertical tab, form feed, carriage return and escape; counted by
# deleting them with `bytes.translate` (a C loop; a regular expression's findall took 4 times as long).
BINARY_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20)])
# Names of one directory sorted in memory at a time (a larger directory is sorted in spilled runs), and the
# bytes read from a run at a time while they are merged.
WALK_CHUNK = 50_000
RUN_READ = 1 << 13
# What `source_name` escapes: a doubled backslash, or an undecodable byte.
ESCAPED = re.compile(r"\\\\|\\x([0-9a-f]{2})")


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file the run will read: one record (`fmt` "file", of `kind` "html" or "text") or a container of many.

    `problem` is set when the walk already knows the file cannot be used
    (a link out of the input tree); the pipeline turns it into a rejection.
    """

    path: Path | str  # a str is a URL (`locations`)
    source: str
    kind: str
    problem: str = ""
    fmt: str = FILE
    root: str = ""  # the real path of the input directory it was found under; "" for a file named as an input
    # (size, mtime in ns) from the walk's own `stat` of a file found in a directory, for the run's fingerprint
    # (`runner.run_fingerprint`) without a second `stat` of every input; None when the walk did not stat it.
    identity: tuple[int, int] | None = field(default=None, compare=False)


def input_kind(name: str) -> str | None:
    """The kind of input a file name announces, or None for other files.

    >>> input_kind("page.HTML.gz"), input_kind("notes.txt"), input_kind("img.png")
    ('html', 'text', None)
    """
    lowered = name.lower()
    if lowered.endswith(".gz"):
        lowered = lowered[:-3]
    suffix = os.path.splitext(lowered)[1]
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in TEXT_SUFFIXES:
        return "text"
    return None


def input_format(name: str) -> tuple[str, str] | None:
    """(format, kind) of a file by its name: a container format, or a single document's kind; None for other files.

    >>> input_format("crawl.warc.gz"), input_format("page.html"), input_format("img.png")
    (('warc', 'html'), ('file', 'html'), None)
    """
    fmt = container_format(name)
    if fmt is not None:
        return fmt, "html" if fmt == "warc" else "text"
    kind = input_kind(name)
    return (FILE, kind) if kind is not None else None


def sniff_kind(path: Path | str) -> str:
    """Kind of a file named explicitly whose name says nothing: HTML if it opens like markup.

    The file is opened as the read will open it (`open_input`), so a FIFO or a
    device named on the command line is never read here, and the parent never
    blocks on it: its read then reports it.
    """
    try:
        if is_url(path):  # a ranged read: the task that reads the file fetches it, once
            raw_head = read_head(path, SNIFF_BYTES)
            if path.lower().endswith(".gz"):
                raw_head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw_head, 1024)
            head = raw_head[:1024].lstrip().lower()
        else:
            with open_input(str(path)) as raw:
                handle = gzip.GzipFile(fileobj=raw, mode="rb") if str(path).lower().endswith(".gz") else raw
                head = handle.read(1024).lstrip().lower()
    except (InputError, OSError, EOFError, zlib.error):
        return "text"
    return "html" if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")) else "text"


@dataclass
class Walker:
    """Walks input paths in sorted order and yields the files to process.

    Hidden entries are skipped; files of other types are counted in
    `skipped`; symbolic links are followed only while they stay inside the
    input they were found under and do not lead back into a directory already
    being walked. A link loop, a dangling link or an entry that cannot be
    looked at never stops the walk: with an input's name it is yielded with a
    `problem` (an `unreadable` reject), else it is a counted skip. What the
    walk checks is checked again on the opened file (`opening.open_input`),
    since a link can change between the walk and the read.
    """

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    skipped: Counter = field(default_factory=Counter)
    unreadable_dirs: list[str] = field(default_factory=list)

    def walk(self, inputs: tuple[Path | str, ...]) -> Iterator[InputFile]:
        for root, label in zip(inputs, input_labels(inputs)):
            if is_url(root):
                yield from self._walk_url(root, label)
            elif root.is_dir():
                real_root = os.path.realpath(root)
                yield from self._walk_dir(str(root), f"{label}/" if label else "", real_root, frozenset({real_root}))
            else:
                fmt, kind = input_format(root.name) or (FILE, sniff_kind(root))
                yield InputFile(root, label or source_name(root.name), kind, fmt=fmt)

    def _walk_dir(self, folder: str, prefix: str, real_root: str, ancestors: frozenset) -> Iterator[InputFile]:
        """The files under `folder`, sources `prefix` + their path below it; `ancestors` the real paths being walked."""
        try:
            names = sorted_names(folder)
        except OSError as exc:
            self.unreadable_dirs.append(f"{source_name(folder)}: {exc.strerror}")
            self.skipped["unreadable_directory"] += 1
            return
        for name in names:
            if name.startswith("."):
                self.skipped["hidden"] += 1
                continue
            path = os.path.join(folder, name)
            name = source_name(name)
            source = prefix + name
            try:
                info, outside = _look(path, real_root)
            except OSError as exc:
                yield from self._not_looked_at(path, source, name, exc)
                continue
            if stat.S_ISDIR(info.st_mode):
                real = os.path.realpath(path)
                if outside or real in ancestors:
                    self.skipped["link_loop_or_outside"] += 1
                    continue
                yield from self._walk_dir(path, source + "/", real_root, ancestors | {real})
                continue
            yield from self._file(path, source, name, real_root, OUTSIDE if outside else "", (info.st_size, info.st_mtime_ns))

    def _walk_url(self, url: str, label: str) -> Iterator[InputFile]:
        """The files under a URL folder, as `_walk_dir` gives a local one's (hidden entries skipped, each hidden folder counted once); or the file a URL names."""
        name = source_name(url.rstrip("/").rsplit("/", 1)[-1])
        if not is_url_dir(url):
            fmt, kind = input_format(name) or (FILE, sniff_kind(url))
            yield InputFile(url, label or name, kind, fmt=fmt)
            return
        prefix = f"{label}/" if label else ""
        hidden: set[tuple[str, ...]] = set()
        for relative in list_files(url):
            parts = tuple(source_name(part) for part in relative.split("/"))
            first_hidden = next((i for i, part in enumerate(parts) if part.startswith(".")), None)
            if first_hidden is not None:
                if parts[:first_hidden + 1] not in hidden:
                    hidden.add(parts[:first_hidden + 1])
                    self.skipped["hidden"] += 1
                continue
            yield from self._file(join(url, relative), prefix + "/".join(parts), parts[-1], "", "")

    def _file(self, path: str, source: str, name: str, real_root: str, problem: str,
              identity: tuple[int, int] | None = None) -> Iterator[InputFile]:
        announced = input_format(name)
        if announced is None:
            self.skipped["other_type"] += 1
        elif self._selected(source, name):
            yield InputFile(path if is_url(path) else Path(path), source, announced[1], problem, announced[0], real_root, identity)
        else:
            self.skipped["excluded"] += 1

    def _not_looked_at(self, path: str, source: str, name: str, exc: OSError) -> Iterator[InputFile]:
        """An entry `stat` fails on (a link loop, a dangling link): a reject when its name is an input's, else a skip."""
        if input_format(name) is not None:
            yield from self._file(path, source, name, "", os_reason(exc))
        else:
            self.skipped["link_loop_or_outside" if exc.errno == errno.ELOOP else "other_type"] += 1

    def _selected(self, source: str, name: str) -> bool:
        def matches(patterns: tuple[str, ...]) -> bool:
            return any(fnmatch.fnmatch(source, p) or fnmatch.fnmatch(name, p) for p in patterns)

        if self.include and not matches(self.include):
            return False
        return not matches(self.exclude)


def source_name(name: str) -> str:
    """A file name (or path) as a source: valid UTF-8 as it is, an undecodable byte as `\\xNN`, a backslash doubled.

    Names come from the OS as `str` with undecodable bytes as lone
    surrogates, which no output can hold. Doubling every backslash keeps the
    escape reversible (`unescape_source`): two different byte names never
    give the same source.

    >>> source_name(os.fsdecode(b"caf\\xe9.txt")), source_name("a\\\\xff.txt"), source_name("café.txt")
    ('caf\\\\xe9.txt', 'a\\\\\\\\xff.txt', 'café.txt')
    """
    if "\\" not in name and not _has_surrogates(name):
        return name
    return os.fsencode(name).replace(b"\\", b"\\\\").decode("utf-8", "backslashreplace")


def _has_surrogates(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def unescape_source(source: str) -> bytes:
    """The bytes of the name a source was made from (`source_name` undone).

    >>> unescape_source("caf\\\\xe9.txt"), unescape_source("a\\\\\\\\xff.txt")
    (b'caf\\xe9.txt', b'a\\\\xff.txt')
    """
    out, pos = bytearray(), 0
    for match in ESCAPED.finditer(source):
        out += source[pos:match.start()].encode("utf-8")
        out += b"\\" if match.group(0) == "\\\\" else bytes([int(match.group(1), 16)])
        pos = match.end()
    out += source[pos:].encode("utf-8")
    return bytes(out)


def input_labels(inputs: tuple[Path, ...]) -> list[str]:
    """What each input's sources start with: nothing for a single input, else the path as given.

    With one input a source is the path relative to it (a file input: its
    name), as it always was. With several, two inputs can hold the same
    relative path (`run a b`, `run a/x.txt b/x.txt`), so each source starts
    with its input's path as given (normalised, escaped like a name). An input
    given twice, or inside another one given before it, is marked with its
    position, `\\#k`: escaped names never hold a lone backslash, so no other
    source can look the same.

    >>> input_labels((Path("a"),)), input_labels((Path("a"), Path("./b/"), Path("a/c"), Path("a")))
    ([''], ['a', 'b', 'a/c\\\\#3', 'a\\\\#4'])
    """
    if len(inputs) < 2:
        return [""] * len(inputs)
    labels: list[str] = []
    plain: list[tuple[str, ...]] = []
    for position, path in enumerate(inputs, 1):
        label = source_name(path.rstrip("/") if is_url(path) else os.path.normpath(str(path)).replace(os.sep, "/"))
        parts = tuple(label.split("/"))
        if any(parts[:len(other)] == other or other[:len(parts)] == parts for other in plain):
            label = f"{label}\\#{position}"
        else:
            plain.append(parts)
        labels.append(label)
    return labels


def _look(path: str, real_root: str) -> tuple[os.stat_result, bool]:
    """What an entry is (links followed), and whether it is a link that leads out of the tree; OSError for a loop."""
    info = os.lstat(path)
    if not stat.S_ISLNK(info.st_mode):
        return info, False
    return os.stat(path), not is_inside(os.path.realpath(path), real_root)


def sorted_names(folder: str) -> Iterator[str]:
    """The names in a directory, sorted, holding at most `WALK_CHUNK` of them in memory.

    The listing is read here (an `OSError` is raised before the first name is
    given): a directory of at most `WALK_CHUNK` entries is sorted in memory;
    a larger one is sorted in runs of `WALK_CHUNK` names, each spilled to a
    temporary file, and the runs merged as the walk goes. Only names are kept,
    never `DirEntry` objects: 200,000 entries held as sorted `DirEntry`s took
    47.8 MB (tracemalloc peak of the walk), as names in runs 4.5 MB.
    """
    chunk = WALK_CHUNK
    runs: list[IO[bytes]] = []
    with os.scandir(folder) as entries:
        while names := sorted(entry.name for entry in itertools.islice(entries, chunk)):
            if len(names) < chunk and not runs:
                return iter(names)
            runs.append(_spill_run(names))
            del names
    return _merged_runs(runs)


def _spill_run(names: list[str]) -> IO[bytes]:
    """A sorted run of names in a temporary file, each name's bytes ended by a zero byte (which no name holds)."""
    run = tempfile.TemporaryFile()
    run.writelines(os.fsencode(name) + b"\0" for name in names)
    run.seek(0)
    return run


def _merged_runs(runs: list[IO[bytes]]) -> Iterator[str]:
    try:
        yield from heapq.merge(*(_run_names(run) for run in runs))
    finally:
        for run in runs:
            run.close()


def _run_names(run: IO[bytes]) -> Iterator[str]:
    rest = b""
    while block := run.read(RUN_READ):
        *names, rest = (rest + block).split(b"\0")
        yield from map(os.fsdecode, names)


def units_of(item: InputFile, config: Config, records_per_unit: int = RECORDS_PER_UNIT,
             stage: Callable[[str], Path] | None = None) -> Iterator[Unit]:
    """The units of one input file: the whole file for a single document or a file the walk refused, else the container's plan.

    A container's units hold about `records_per_unit` records: a run makes
    them the size of its tasks, so one large file is spread like many small ones.
    A container given by URL is copied into scratch first when `stage` is
    given (it copies a URL and returns the copy's path: `runner.StagedInputs`):
    planning reads the whole file, and its units then name the copy, so the
    file is fetched once however many tasks read it. A URL that cannot be
    copied is planned as it is, and reading it reports the problem as it
    would have.
    """
    if item.fmt == FILE or item.problem:
        yield Unit(str(item.path), item.source, item.fmt, item.kind, problem=item.problem, root=item.root)
        return
    path = str(item.path)
    if stage is not None and is_url(path):
        try:
            path = str(stage(path))
        except InputError:
            pass  # planned from the URL itself: reading it gives the file's rejects entry, as without staging
    yield from plan_units(path, item.source, item.fmt, config, records_per_unit, item.root)


def records_of(unit: Unit, config: Config, stats: ReadStats) -> Iterator[Record]:
    """The records of one unit (the read stage): a file's bytes as one record, or a container's records."""
    if unit.fmt != FILE and not unit.problem:
        yield from read_unit(unit, config, stats)
        return
    record = Record(record_key(unit.source, None), unit.source, unit.fmt, unit.kind)
    try:
        if unit.problem:
            raise InputError("unreadable", unit.problem)
        record.data = read_bytes(unit.path if is_url(unit.path) else Path(unit.path), config.max_bytes, unit.root)
    except InputError as exc:
        record.problem = (exc.reason, exc.detail)
    yield record


def read_bytes(path: Path | str, max_bytes: int, root: str = "") -> bytes:
    """The file's bytes, gunzipped when the name ends in `.gz`, never more than `max_bytes`.

    Only a regular file is read, and for a file found under an input
    directory (`root`, its real path) only one inside it (`open_input`); the
    size is that of the opened file, and the read stops after `max_bytes` + 1
    bytes whatever `fstat` said (a file may grow while it is read). A URL's
    size is checked as its filesystem reports it before anything is fetched,
    and the fetch stops once it passes `max_bytes` (`locations.open_url`).
    """
    gz = str(path).lower().endswith(".gz")
    try:
        if is_url(path):
            _check_size(url_size(str(path)) or 0, max_bytes, gz)
        with open_input(str(path), root, limit=max_bytes if is_url(path) else None) as handle:
            size = os.fstat(handle.fileno()).st_size
            data = _read_gzip(handle, size, max_bytes) if gz else _read_plain(handle, size, max_bytes)
    except InputError:
        raise
    except OSError as exc:
        raise InputError("unreadable", exc.strerror or str(exc)) from None
    if not data.strip():
        raise InputError("empty", "no content" if not data else "only white space")
    return data


def _check_size(size: int, max_bytes: int, gz: bool) -> None:
    """`too_large` for a file of `size` bytes (compressed ones when `gz`) over `max_bytes`."""
    if size > max_bytes:
        raise InputError("too_large", f"{size} {'compressed ' if gz else ''}bytes > --max-bytes {max_bytes}")


def read_at_most(handle: BinaryIO, size: int, limit: int) -> bytes:
    """`handle.read(limit)` of a buffered file whose size was `size` when it was opened: a read of `size` + 1 bytes first.

    A read of `limit` bytes allocates them all before it reads (20 MB by
    default, `--max-bytes` + 1), and giving the rest back costs more than the
    read of a small file: 19 against 7 ms for the 990 dev dumps. Only a file
    that has grown since is read on, to `limit` bytes in all.
    """
    data = handle.read(min(size + 1, limit))
    if len(data) <= size or len(data) >= limit:
        return data
    return data + handle.read(limit - len(data))


def _read_plain(handle: BinaryIO, size: int, max_bytes: int) -> bytes:
    _check_size(size, max_bytes, gz=False)
    data = read_at_most(handle, size, max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError("too_large", f"more than --max-bytes {max_bytes} (the file grew while it was read)")
    return data


def _read_gzip(handle: BinaryIO, size: int, max_bytes: int) -> bytes:
    """Gunzip a file (every member of it), never producing more than `max_bytes` + 1 bytes."""
    _check_size(size, max_bytes, gz=True)
    compressed = read_at_most(handle, size, max_bytes + 1)
    if compressed[:2] != b"\x1f\x8b":
        raise InputError("bad_gzip", "not gzip data (no gzip header)")
    return gunzip_members(compressed, max_bytes)


def gunzip_members(compressed: bytes, max_bytes: int) -> bytes:
    """Every gzip member of `compressed`, decompressed and joined (zero padding between members allowed), in linear time.

    A member is fed to zlib from an offset into a memoryview, in pieces
    that start small and double: zlib copies what follows a member's end into
    `unused_data`, so feeding it the whole rest of the file after each member
    made a file of many members quadratic (200,000 empty members: 17.5 s, and
    4 times that for twice as many); now what is copied after a member is at
    most the size of the piece its last bytes came in. The first member is
    fed the whole file at once: what follows it is copied once, which is
    linear, and the usual file of one member is inflated in one call (on
    trafilatura-eval html 0.33 ms a page instead of 0.38).

    >>> gunzip_members(gzip.compress(b"a") + b"\\0\\0" + gzip.compress(b"b"), 10)
    b'ab'
    """
    view = memoryview(compressed)
    chunks: list[bytes] = []
    size = pos = 0
    feed = len(view)  # the first member: see the docstring
    while (pos := _after_padding(compressed, pos)) < len(view):
        inflater = zlib.decompressobj(GZIP_WBITS)
        while not inflater.eof:
            if pos >= len(view):
                raise InputError("bad_gzip", "truncated gzip stream (it ends before its end marker)")
            piece = view[pos:pos + feed]
            try:
                chunk = inflater.decompress(piece, max_bytes + 1 - size)
            except zlib.error as exc:
                raise InputError("bad_gzip", f"corrupt gzip stream ({exc})") from None
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                raise InputError("too_large", f"more than --max-bytes {max_bytes} once decompressed")
            pos += len(piece) - len(inflater.unused_data) - len(inflater.unconsumed_tail)
            feed = min(feed * 2, MAX_FEED)
        feed = FIRST_FEED
    return b"".join(chunks)


def _after_padding(data: bytes, pos: int) -> int:
    """The offset of the first byte at or after `pos` that is not a zero byte (the padding allowed between members)."""
    found = NOT_NUL.search(data, pos)
    return found.start() if found else len(data)


@dataclass(frozen=True, slots=True)
class Decoding:
    """How far `decode` trusts a declared charset the bytes do not quite agree with."""

    # A declared charset is used though a few byte sequences do not decode (a character cut by an editor or a
    # truncation), as browsers do, while at most this share of the characters are replaced.
    max_undecodable_share: float = 0.001


DECODING = Decoding()


def decode(data: bytes, kind: str, declared: str = "", *, decoding: Decoding = DECODING) -> tuple[str, str]:
    """Decode bytes to text and name the encoding used.

    Order: a byte-order mark; the charset the container `declared` (a WARC
    response's HTTP header), if the bytes agree; for HTML the charset its meta
    tag declares (if the bytes agree); UTF-8 if the bytes are valid UTF-8;
    a declared charset that all but a few cut characters agree with (those
    become U+FFFD); else charset detection with charset-normalizer. That is
    the WHATWG order (BOM, transport layer, the document's own declaration),
    and a label is read as the WHATWG Encoding Standard reads it
    (`WHATWG_ENCODINGS`: gb2312 as GB18030, iso-8859-1 as windows-1252).

    >>> decode("café".encode("utf-8"), "text")
    ('café', 'utf-8')
    >>> decode(b'<meta charset="iso-8859-1"><p>caf\\xe9', "html")[1]
    'cp1252'
    """
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return _decode_with(data[len(bom):], encoding), encoding
    if _looks_binary(data):
        raise InputError("binary", "control bytes found: not a text or HTML file")
    candidates = [_canonical(declared) if declared else None, _declared_charset(data) if kind == "html" else None]
    candidates = [candidate for candidate in candidates if candidate]
    for candidate in candidates:
        try:
            return data.decode(candidate), candidate
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for candidate in candidates:
        text = data.decode(candidate, errors="replace")
        if text.count("\ufffd") <= len(text) * decoding.max_undecodable_share:
            return text, candidate
    import charset_normalizer  # here: 20 ms to import, for the few files no declared encoding or UTF-8 fits

    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise InputError("decode_error", "no text encoding fits these bytes")
    encoding = _detected_codec(best.encoding)
    return _decode_with(data, encoding), encoding


def _decode_with(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputError("decode_error", f"bytes are not valid {encoding}: {exc}") from None


def _looks_binary(data: bytes) -> bool:
    sample = data[:BINARY_SAMPLE]
    return b"\x00" in sample or len(sample) - len(sample.translate(None, BINARY_BYTES)) > len(sample) // 100


def _declared_charset(data: bytes) -> str | None:
    """The codec of the page's `<meta>` charset; UTF-16 read as UTF-8, as the WHATWG prescan does.

    Bytes an HTML parser scans for a `<meta>` are ASCII-compatible, so a page
    that declares UTF-16 there is not UTF-16 (it would have a byte-order mark).

    >>> _declared_charset(b'<meta charset="gb2312">'), _declared_charset(b'<meta charset=utf-16>')
    ('gb18030', 'utf-8')
    """
    match = META_CHARSET.search(data[:4096])
    if not match:
        return None
    return _canonical(match.group(1).decode("ascii"))


# Each WHATWG label to the codec that reads it, as the table names it ("": ignored). The codec's own
# name (`_codec_name`) is looked up when a label is first met: looking every codec up at import
# would import some seventy codec modules, a tenth of a second at every start.
LABEL_CODEC_NAMES = {label: codec or "" for codec, labels in WHATWG_ENCODINGS.values() for label in labels}


@lru_cache(maxsize=None)
def _codec_name(codec: str) -> str:
    return codecs.lookup(codec).name


def _label_codecs() -> dict[str, str | None]:
    """Each WHATWG label mapped to the Python codec that reads it (None: ignored), by the codec's own name."""
    return {label: _codec_name(codec) if codec else None for label, codec in LABEL_CODEC_NAMES.items()}


@lru_cache(maxsize=1)
def _detected_codecs() -> dict[str, str]:
    """Python's codec of each WHATWG label, when it reads less than the label's decoder: to the larger codec.

    charset-normalizer names Python codecs (`gb2312`, `shift_jis`, `ascii`); a
    detected one is read like the label of the same name (`gb18030`, `cp932`,
    `cp1252`). Labels that browsers ignore or read as UTF-8 (UTF-16) are left out.
    """
    aliases = {}
    for label, codec in _label_codecs().items():
        if codec is None or codec == "utf-8" and label.startswith(("utf-16", "unicode", "ucs", "iso-10646", "csunicode")):
            continue
        try:
            aliases[codecs.lookup(label).name] = codec
        except LookupError:
            pass
    return aliases


def _canonical(label: str) -> str | None:
    """The Python codec that decodes an encoding label as browsers do; None for a label that is no WHATWG text encoding.

    >>> [_canonical(label) for label in ("GB2312", "x-gbk", "Shift_JIS", "EUC-KR", "big5", "ISO-8859-9", "utf8")]
    ['gb18030', 'gb18030', 'cp932', 'cp949', 'big5hkscs', 'cp1254', 'utf-8']
    >>> _canonical("base64"), _canonical("unicode_escape"), _canonical("utf-7"), _canonical("utf-16"), _canonical(" Latin1 ")
    (None, None, None, 'utf-8', 'cp1252')
    """
    codec = LABEL_CODEC_NAMES.get(label.strip().lower())
    return _codec_name(codec) if codec else None


def _detected_codec(name: str) -> str:
    """The codec to read bytes with that charset-normalizer found to be in Python's codec `name`.

    >>> _detected_codec("gb2312"), _detected_codec("ascii"), _detected_codec("cp437"), _detected_codec("utf_8")
    ('gb18030', 'cp1252', 'cp437', 'utf-8')
    """
    try:
        python_name = codecs.lookup(name).name
    except LookupError:
        return name
    return _detected_codecs().get(python_name, python_name)
