"""The output: record schema, part files, corpus shards, the rejects file and the summary.

A run writes into a hidden staging directory inside the output directory
(`OutputDir`) and moves its files into place only when it finishes, so an
interrupted run leaves earlier output untouched and never leaves half a
corpus behind.

Workers write: each cleaning task writes its records and rejects to part
files of its own (`PartWriter`), and each write task assembles one corpus
shard from the parts (`write_shard`), leaving out the duplicates. The parent
only plans which part lines go to which shard (`plan_shards`) and joins the
rejects parts: no document's text passes through it.
"""

from __future__ import annotations

import errno
import fcntl
import gzip
import hashlib
import io
import json
import os
import shutil
import signal
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from cleaner import __version__
from cleaner.comments import comments_text
from cleaner.config import OUTPUT_FORMATS
from cleaner.document import Document
from cleaner.errors import ConfigError, OutputError
from cleaner.features import word_count

SCHEMA_VERSION = 2
OUTPUT_PATTERNS = (
    "corpus-*.jsonl", "corpus-*.jsonl.gz", "corpus-*.parquet", "rejects.jsonl", "duplicates.jsonl", "summary.json",
    "report-data.json.gz", "report.html",
)
STAGING_PREFIX = ".cleaner-staging-"  # the staging directories of earlier versions and of learn-rules
RUN_DIR = ".cleaner-run"  # a run's staging directory: its name is fixed, so a killed run's state can be found and resumed
MANIFEST = "manifest.json"
DONE_DIR = "done"  # in the staging directory: the completion markers of finished tasks
REPLACED_DIR = "replaced"  # in the staging directory: earlier output, moved aside during a commit
COMMITTING = "committing.json"  # in the staging directory while a commit moves files: which ones
KILL_AT = "CLEANER_TEST_KILL_AT"  # test hook, see `kill_point`
OWNER_FILE = "owner.pid"  # in the staging directory: the pid of the run that holds the output's lock
# Page metadata the extractor found, added to the container's under these names.
PAGE_METADATA = ("published", "sitename", "extractor")
# Columns of a Parquet shard; `removed` and `metadata` are JSON text (their keys vary from record to record).
PARQUET_COLUMNS = (
    ("id", "string"), ("text", "string"), ("title", "string"), ("source", "string"), ("url", "string"),
    ("lang", "string"), ("lang_prob", "float64"), ("n_words", "int64"), ("n_chars", "int64"),
    ("encoding", "string"), ("removed", "json"), ("metadata", "json"), ("cleaner", "string"), ("schema", "int64"),
)
# With `--comments field`, the `comments` column follows `text`.
COMMENTS_COLUMN = ("comments", "string")
PARQUET_ROW_GROUP = 10_000


def parquet_columns(comments: bool = False) -> tuple[tuple[str, str], ...]:
    """A shard's columns: `PARQUET_COLUMNS`, with `comments` after `text` when the run keeps comments apart.

    >>> [name for name, _kind in parquet_columns(True)][:3]
    ['id', 'text', 'comments']
    """
    if not comments:
        return PARQUET_COLUMNS
    return (*PARQUET_COLUMNS[:2], COMMENTS_COLUMN, *PARQUET_COLUMNS[2:])


def record_id(source: str, text: str) -> str:
    """A stable id: the same source and text always give the same id."""
    return hashlib.blake2b(f"{source}\0{text}".encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()


def record(doc: Document, comments: bool = False) -> dict:
    """The output record of a kept document, keys in the documented order.

    With `comments` (`--comments field`) a `comments` string follows `text`
    in every record, "" when the page has none; without, the key is absent,
    so that a run without the option writes the records it always wrote
    (schema 2). `id`, `n_words`, `n_chars`, the filters and deduplication
    read `text` alone: the comments are what the page said about the
    article, not the article.
    """
    text = doc.text
    head = {"id": record_id(doc.source, text), "text": text}
    if comments:
        head["comments"] = comments_text(doc)
    return {
        **head,
        "title": doc.title,
        "source": doc.source,
        "url": doc.url,
        "lang": doc.lang,
        "lang_prob": doc.lang_prob,
        "n_words": doc.words(word_count),
        "n_chars": len(text),
        "encoding": doc.encoding,
        "removed": doc.removed,
        "metadata": record_metadata(doc),
        "cleaner": __version__,
        "schema": SCHEMA_VERSION,
    }


def record_metadata(doc: Document) -> dict:
    """The container's metadata (format, id, URL, date, its other fields), then what the page declared.

    >>> record_metadata(Document("a.html", "html", date="2024-05-01", extractor="trafilatura", metadata={"format": "file"}))
    {'format': 'file', 'published': '2024-05-01', 'extractor': 'trafilatura'}
    """
    metadata = dict(doc.metadata) or {"format": "file"}
    for name, value in zip(PAGE_METADATA, (doc.date, doc.sitename, doc.extractor)):
        if value:
            metadata.setdefault(name, value)
    return metadata


def reject_entry(doc: Document) -> dict:
    assert doc.rejection is not None
    return {"source": doc.source, "reason": doc.rejection.reason, "detail": doc.rejection.detail}


def to_json_line(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False) + "\n"


def check_format(fmt: str, compress: str) -> None:
    if fmt not in OUTPUT_FORMATS:
        raise ConfigError(f"unknown output format {fmt!r}; known formats: {', '.join(OUTPUT_FORMATS)}")
    if fmt == "parquet" and compress != "none":
        raise ConfigError("--compress applies to JSONL shards; Parquet shards are always zstd-compressed")


def shard_name(number: int, fmt: str = "jsonl", compress: str = "none") -> str:
    """
    >>> shard_name(3), shard_name(0, compress="gzip"), shard_name(1, "parquet")
    ('corpus-00003.jsonl', 'corpus-00000.jsonl.gz', 'corpus-00001.parquet')
    """
    suffix = ".parquet" if fmt == "parquet" else ".jsonl.gz" if compress == "gzip" else ".jsonl"
    return f"corpus-{number:05d}{suffix}"


# --- the output directory ------------------------------------------------------------


class OutputDir:
    """The output directory and the run's staging directory inside it; `commit` moves the run's files into place."""

    def __init__(self, output: Path, overwrite: bool = False, resume: bool = False, fingerprint: str = "") -> None:
        self.output = output
        self.overwrite = overwrite
        self.staging = output / RUN_DIR
        self.resumed = False
        self.summary: dict | None = None  # set when a resumed run found its commit half done and finished it
        self._create_output()
        self._lock = OutputLock(output)
        try:
            if resume and (self.staging / COMMITTING).is_file():
                self._open_staging(resume, fingerprint)
                self._finish_commit()
                return
            self._check_output()
            remove_stale_staging(output)
            self._open_staging(resume, fingerprint)
        except BaseException:
            self._lock.release()
            raise

    @property
    def markers(self) -> Path:
        return self.staging / DONE_DIR

    def _open_staging(self, resume: bool, fingerprint: str) -> None:
        """Take up a killed run's state (`resume`, same options and inputs) or start from an empty staging directory.

        Without `resume`, an earlier run's state is removed: holding the lock,
        no other run can be using it.
        """
        manifest = self.staging / MANIFEST
        if resume and manifest.is_file():
            started = json.loads(manifest.read_text(encoding="utf-8")).get("fingerprint")
            if started != fingerprint:
                raise OutputError(
                    f"cannot resume the run in {self.output}: it was started with other options or inputs "
                    "or another version of a library that makes the output (run without --resume to start over)"
                )
            self.resumed = True
        else:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.markers.mkdir(parents=True)
            write_atomically(manifest, json.dumps({"fingerprint": fingerprint}) + "\n")
        (self.staging / OWNER_FILE).write_text(f"{os.getpid()}\n", encoding="ascii")

    def _create_output(self) -> None:
        try:
            self.output.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create output directory {self.output}: {exc.strerror}") from None

    def _check_output(self) -> None:
        if not os.access(self.output, os.W_OK | os.X_OK):
            raise OutputError(f"output directory {self.output} is not writable")
        visible = [p for p in self.output.iterdir() if not p.name.startswith(".")]
        if visible and not self.overwrite:
            raise OutputError(f"output directory {self.output} is not empty (use --overwrite to replace its corpus)")

    def commit(self, names: Iterable[str], summary: dict) -> None:
        """Write the summary and swap the run's files (and the summary) in for earlier output, all or nothing.

        Earlier output is first moved aside into the staging directory, the new
        files are moved in with `os.replace`, and the old ones are deleted only
        once every new one is in place; if a move fails, the new files go back
        to staging and the old ones are put back. A directory where a file must
        go is refused before anything moves.
        """
        new = [*names, "summary.json"]
        old = self._earlier_output() if self.overwrite else []
        self._check_targets(new, old)
        (self.staging / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        sync_file(self.staging / "summary.json")
        write_atomically(self.staging / COMMITTING, json.dumps({"old": [path.name for path in old], "new": new}))
        replaced = self.staging / REPLACED_DIR
        replaced.mkdir(exist_ok=True)
        moved_old: list[str] = []
        moved_new: list[str] = []
        try:
            for path in old:
                os.replace(path, replaced / path.name)
                moved_old.append(path.name)
            for name in new:
                os.replace(self.staging / name, self.output / name)
                moved_new.append(name)
                kill_point("commit", len(moved_new))
        except BaseException:
            put_back(moved_new, self.output, self.staging)
            put_back(moved_old, replaced, self.output)
            (self.staging / COMMITTING).unlink()
            raise
        shutil.rmtree(self.staging, ignore_errors=True)
        self._lock.release()

    def _finish_commit(self) -> None:
        """Finish the commit a killed run began (its `COMMITTING` list says what moves), as `commit` would have.

        A new file still in staging has not moved in yet, so an output file of
        its name is an old one, to be moved aside first.
        """
        plan = json.loads((self.staging / COMMITTING).read_text(encoding="utf-8"))
        replaced = self.staging / REPLACED_DIR
        replaced.mkdir(exist_ok=True)
        for name in plan["old"]:
            if (self.output / name).exists() and (name not in plan["new"] or (self.staging / name).exists()):
                os.replace(self.output / name, replaced / name)
        for name in plan["new"]:
            if (self.staging / name).exists():
                os.replace(self.staging / name, self.output / name)
        self.summary = json.loads((self.output / "summary.json").read_text(encoding="utf-8"))
        shutil.rmtree(self.staging, ignore_errors=True)
        self._lock.release()

    def _earlier_output(self) -> list[Path]:
        """The cleaner's files of an earlier run, each once."""
        return sorted({path for pattern in OUTPUT_PATTERNS for path in self.output.glob(pattern)})

    def _check_targets(self, new: list[str], old: list[Path]) -> None:
        for path in [*old, *(self.output / name for name in new)]:
            if path.is_dir() and not path.is_symlink():
                raise OutputError(f"{path} is a directory where the run must write a file; move it away and run again")

    def abort(self, keep: bool = False) -> None:
        """Drop everything this run wrote (unless `keep`: the state stays for --resume); earlier output stays as it was."""
        if not keep:
            shutil.rmtree(self.staging, ignore_errors=True)
        self._lock.release()


def kill_point(stage: str, number: int | None = None) -> None:
    """Test hook: SIGKILL this process at a named point, as a crash or a power cut would (`CLEANER_TEST_KILL_AT=clean:3`).

    Points: `parse:N` and `clean:N` (the N-th task's result received), `counted`
    (the count reduce done), `dedup` (clusters found), `write:N` (N shards
    written), `commit:N` (N files moved into place). The resume tests kill
    runs here and resume them.
    """
    wanted = os.environ.get(KILL_AT)
    if wanted and wanted == (stage if number is None else f"{stage}:{number}"):
        os.kill(os.getpid(), signal.SIGKILL)


def sync_file(path: str | Path) -> None:
    """Force a written file's data to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_files(paths: Iterable[str | Path]) -> None:
    """`sync_file` for several files at once: each has its own fsync, but they run side by side.

    A journalling file system (ext4, XFS) commits fsyncs that arrive together
    in one journal commit, so a task's three or four files cost about one
    commit instead of one each (measured on ext4: 13-32 ms in turn, 2-6 ms
    side by side). The guarantee is unchanged: this returns once every file
    is on disk, and raises the first error.
    """
    paths = list(paths)
    if len(paths) < 2:
        for path in paths:
            sync_file(path)
        return
    with ThreadPoolExecutor(max_workers=len(paths), thread_name_prefix="cleaner-sync") as pool:
        for _ in pool.map(sync_file, paths):
            pass


def write_atomically(path: Path, text: str) -> None:
    """Write `path` whole or not at all: a temporary file, synced, renamed over it."""
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


class OutputLock:
    """An exclusive `flock` on the output directory itself, held for a run's life.

    Two runs into one directory would mix their shards under one summary, so
    the second is refused. The kernel drops the lock when the holder's
    process dies (worker processes, which share it, die with their parent),
    so a crashed run never leaves it stuck, and locking the directory, not a
    file in it, leaves nothing behind in the corpus.
    """

    def __init__(self, output: Path) -> None:
        self.output = output
        self.fd: int | None = os.open(output, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            self.release()
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise OutputError(f"cannot lock output directory {output}: {exc.strerror}") from None
            raise OutputError(f"output directory {output} is in use by another run{holder_of(output)}") from None

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def put_back(names: list[str], source: Path, target: Path) -> None:
    """Undo moves of `names` from `target` to `source`, last first (a failed commit's rollback)."""
    for name in reversed(names):
        os.replace(source / name, target / name)


def remove_stale_staging(output: Path) -> None:
    """Delete staging directories that killed runs left behind; safe only while holding the lock (none is in use)."""
    for stale in output.glob(f"{STAGING_PREFIX}*"):  # a killed run's .cleaner-run is kept for --resume, or replaced
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)


def holder_of(output: Path) -> str:
    """" (pid N)" for the run that holds `output`'s lock, as it recorded itself, or "" when unknown."""
    for owner in sorted(output.glob(f".cleaner-*/{OWNER_FILE}")):
        try:
            return f" (pid {int(owner.read_text(encoding='ascii'))})"
        except (OSError, ValueError):
            continue
    return ""


# --- part files (written by cleaning tasks) ---------------------------------------------


def part_paths(folder: Path, number: int) -> tuple[Path, Path]:
    """The records and rejects part files of cleaning task `number`."""
    return folder / f"part-{number:09d}.records.jsonl", folder / f"part-{number:09d}.rejects.jsonl"


class PartWriter:
    """One cleaning task's records and rejects, each in its own part file, in the order they come."""

    def __init__(self, folder: Path, number: int) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.records_path, self.rejects_path = part_paths(folder, number)
        self._records = open(self.records_path, "w", encoding="utf-8")
        self._rejects = open(self.rejects_path, "w", encoding="utf-8")
        self.records = 0

    def __enter__(self) -> PartWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._records.close()
        self._rejects.close()

    def write_record(self, line: str) -> None:
        self._records.write(line)
        self.records += 1

    def write_reject(self, line: str) -> None:
        self._rejects.write(line)


# --- shards (written by write tasks) ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Piece:
    """Part of a shard: of a part file's lines, less the `drops` (line numbers: duplicates), `count` lines from the `first`."""

    path: str
    drops: frozenset[int] = frozenset()
    first: int = 0
    count: int = 0


@dataclass(frozen=True, slots=True)
class ShardPlan:
    """One corpus shard: its file name in `folder`, its pieces in order, and its format."""

    folder: str
    name: str
    pieces: tuple[Piece, ...]
    fmt: str = "jsonl"
    compress: str = "none"
    comments: bool = False  # the records carry `comments` (a Parquet shard has the column)


@dataclass(slots=True)
class ShardStats:
    """What a shard holds, for the summary."""

    documents: int = 0
    chars_out: int = 0
    removed: Counter = field(default_factory=Counter)


def plan_shards(parts: Iterable[tuple[str, int, frozenset[int]]], shard_size: int, folder: str, fmt: str = "jsonl",
                compress: str = "none", comments: bool = False) -> Iterator[ShardPlan]:
    """Cut the parts' kept lines, in part order, into shards of `shard_size` records.

    `parts` gives each records part file with its number of lines and the
    lines to leave out. Shards depend only on the order and content of the
    parts, so on the inputs, never on the number of workers.

    >>> [[(p.path, p.first, p.count) for p in s.pieces] for s in plan_shards([("a", 3, frozenset({1})), ("b", 2, frozenset())], 3, "out")]
    [[('a', 0, 2), ('b', 0, 1)], [('b', 1, 1)]]
    """
    pieces: list[Piece] = []
    room = shard_size
    number = 0
    for path, lines, drops in parts:
        kept = lines - len(drops)
        first = 0
        while kept - first > 0:
            take = min(room, kept - first)
            pieces.append(Piece(path, drops, first, take))
            first += take
            room -= take
            if room == 0:
                yield ShardPlan(folder, shard_name(number, fmt, compress), tuple(pieces), fmt, compress, comments)
                number += 1
                pieces, room = [], shard_size
    if pieces:
        yield ShardPlan(folder, shard_name(number, fmt, compress), tuple(pieces), fmt, compress, comments)


def shard_lines(plan: ShardPlan) -> Iterator[str]:
    """The record lines of a shard, read from its pieces."""
    for piece in plan.pieces:
        with open(piece.path, encoding="utf-8") as part:
            kept = (line for number, line in enumerate(part) if number not in piece.drops)
            for index, line in enumerate(kept):
                if index >= piece.first + piece.count:
                    break
                if index >= piece.first:
                    yield line


def write_shard(plan: ShardPlan) -> ShardStats:
    """Write one shard (the write stage's task) and count what it holds."""
    stats = ShardStats()
    path = Path(plan.folder) / plan.name

    def counted(lines: Iterable[str]) -> Iterator[str]:
        for line in lines:
            rec = json.loads(line)
            stats.documents += 1
            stats.chars_out += rec["n_chars"]
            stats.removed.update(rec["removed"])
            yield line

    if plan.fmt == "parquet":
        write_parquet(path, (json.loads(line) for line in counted(shard_lines(plan))), plan.comments)
    else:
        with open_text_shard(path, plan.compress) as shard:
            shard.writelines(counted(shard_lines(plan)))
    return stats


def open_text_shard(path: Path, compress: str) -> IO[str]:
    if compress == "gzip":
        # mtime=0 keeps compressed shards byte-identical across runs.
        return io.TextIOWrapper(gzip.GzipFile(path, "wb", mtime=0), encoding="utf-8")
    return open(path, "w", encoding="utf-8")


def write_parquet(path: Path, records: Iterable[dict], comments: bool = False) -> None:
    """Records as a zstd-compressed Parquet file, in row groups of `PARQUET_ROW_GROUP` (`comments`: see `parquet_columns`)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"string": pa.string(), "float64": pa.float64(), "int64": pa.int64(), "json": pa.string()}
    columns = parquet_columns(comments)
    schema = pa.schema([(name, types[kind]) for name, kind in columns])
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        batch: list[dict] = []
        for rec in records:
            batch.append(rec)
            if len(batch) >= PARQUET_ROW_GROUP:
                writer.write_table(parquet_table(batch, schema, columns))
                batch = []
        if batch:
            writer.write_table(parquet_table(batch, schema, columns))


def parquet_table(records: list[dict], schema, columns: tuple[tuple[str, str], ...] = PARQUET_COLUMNS):
    import pyarrow as pa

    values = {
        name: [json.dumps(r[name], ensure_ascii=False) if kind == "json" else r[name] for r in records]
        for name, kind in columns
    }
    return pa.Table.from_pydict(values, schema=schema)


def join_files(paths: Iterable[Path], target: Path, extra: Iterable[str] = ()) -> None:
    """Concatenate files (the rejects parts, which hold no document text) and then `extra` lines into `target`."""
    with open(target, "wb") as out:
        for path in paths:
            with open(path, "rb") as part:
                shutil.copyfileobj(part, out)
        out.writelines(line.encode("utf-8") for line in extra)
