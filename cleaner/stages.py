"""The run as one declared list of stages, and the tasks that carry them out.

`STAGES` is the order of a run, each stage with what it reads and writes.
Map stages work on one unit or one document at a time; the two reduce
stages need every document first. An executor (`executor.py`) schedules
the tasks below, which group consecutive map stages so a document crosses a
process boundary as seldom as possible:

    parse_task      read, extract, normalise, count (the map side: line keys)
    (reduce)        count: per site, the documents holding each line key
    clean_task      clean, language, filter, sign, and the part files of write
    (reduce)        dedup: clusters from the signatures
    write_shard     write: one corpus shard from the part files

With `--site-by none` there is nothing to count and `parse_and_clean_task`
does both map groups in one task. A task's input and output are plain data
(units, paths, keys, signatures, counts): a task relies on nothing in the
parent's memory, only on paths it is given, which live in the run's staging
directory inside the output (so every worker of a cluster with a shared file
system can reach them). Each worker process builds its `Pipeline` once per
configuration (`worker_state`).
"""

from __future__ import annotations

import gc
import os
import pickle
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from itertools import compress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from cleaner.config import Config, SampleLimits
from cleaner.dedup import Signer
from cleaner.document import Document, pack, unpack
from cleaner.errors import CleanerError, ConfigError
from cleaner.readers import records_of
from cleaner.records import FILE, ReadStats, Record, Unit, record_key
from cleaner.repetition import document_keys, open_line_counts, site_of
from cleaner.sample import NO_CUTOFFS, Cutoffs, Partial, Sample, uniform_keys
from cleaner.writer import PartWriter, ShardPlan, ShardStats, record, reject_entry, sync_files, to_json_line, write_shard

T = TypeVar("T")

# The documents a cleaning task cleans a step at a time (`cleaning_chunks`, `Pipeline.clean_batch`): up to a
# task's records (`runner.TASK_RECORDS`), fewer once they hold this many characters of input (a few large
# documents, a few times this in memory with their lines).
CLEAN_CHUNK_DOCS = 64
CLEAN_CHUNK_CHARS = 4 << 20

if TYPE_CHECKING:
    from cleaner.pipeline import Pipeline


@dataclass(frozen=True, slots=True)
class Stage:
    """One step of a run: what it reads and what it writes of the record or `Document`."""

    name: str
    reads: str
    writes: str
    reduce: bool = False


STAGES = (
    Stage("read", "a unit: a file, or a slice of a WARC, JSONL or Parquet file", "records: key, bytes or text, kind, container metadata"),
    Stage("extract", "a record's bytes (decoded: BOM, container charset, <meta>, UTF-8, detection) or text", "for HTML the extractor's body, title, URL, date, site name; encoding, extractor"),
    Stage("normalise", "the extracted text", "Document.lines and title: mojibake repaired, NFC, controls and spacing unified"),
    Stage("count", "kept lines, source, URL", "per site, the number of documents holding each line key", reduce=True),
    Stage("clean", "lines, the line counts, title, URL, source, extractor", "lines removed, each with its reason (repeated, a rule id, a heuristic); the task's partial sample for the report"),
    Stage("language", "the kept text", "lang, lang_prob"),
    Stage("filter", "the kept text, lang", "rejection: empty, too_short, language"),
    Stage("sign", "the kept text", "exact hash and MinHash signature"),
    Stage("dedup", "signatures, word counts, sources, ids", "for each duplicate, the record kept in its place", reduce=True),
    Stage("write", "records and rejects (part files), the dedup decisions, the merged sample", "corpus shards, rejects.jsonl, duplicates.jsonl, summary.json, report-data.json.gz"),
)


@dataclass(frozen=True, slots=True)
class RunContext:
    """What every task of a run is given besides its input: the options and the staging paths it may use."""

    config: Config
    scratch: str
    counts: str = ""
    keep_text: bool = False
    spill: bool = True
    markers: str = ""  # a folder for task completion markers (a resumable run), or "" for none
    keep_spill: bool = False  # clean tasks leave the spilled batches for the staging directory's removal (a retried task reads them again)
    sample: SampleLimits | None = None  # cleaning tasks keep a partial sample for the report (`sample.py`), or None
    cutoffs: Cutoffs = NO_CUTOFFS  # what a cleaning task's partial sample need not keep (`Sample.cutoffs`), given per task


@dataclass(frozen=True, slots=True)
class UnitBatch:
    number: int
    units: tuple[Unit, ...]


@dataclass(slots=True)
class ParsedBatch:
    """What a parse task sends back: counts, and the file of its documents' line keys (`counted_path`).

    The keys go through a file, one document at a time, not through the
    task's return value: a unit as large as a whole compressed JSONL file
    then costs neither the worker nor the parent memory in proportion to it.
    Each entry of the file is (site, line keys, line texts or None).
    """

    number: int
    counted_path: str
    documents: int = 0
    records: Counter = field(default_factory=Counter)  # per input format
    skipped: Counter = field(default_factory=Counter)
    sample_keys: list[int] = field(default_factory=list)  # with a report sample: the keys its uniform pick can take (`uniform_keys`)


@dataclass(slots=True)
class CleanedBatch:
    """What a cleaning task sends back; its records and rejects are in its part files.

    `kept_path` holds, for each kept document in part order, what
    deduplication needs: (key, record id, word count, exact hash, MinHash
    bytes or None).
    """

    number: int
    records_path: str
    rejects_path: str
    kept_path: str
    kept: int = 0
    source_bytes: int = 0  # the kept documents' sources in UTF-8: where the next batch's start in the signature store's sources file
    rejects: Counter = field(default_factory=Counter)
    chars_in: int = 0
    records: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    sample: Partial | None = None  # this batch's partial sample for the report, merged by the parent


def write_stream(path: Path, items: Iterable) -> int:
    """Pickle `items` one after another into `path`; returns how many."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(path, "wb") as handle:
        for item in items:
            pickle.dump(item, handle, protocol=pickle.HIGHEST_PROTOCOL)
            count += 1
    return count


# --- completion markers (a resumable run) ------------------------------------------------


def marker_path(markers: str, kind: str, name: object) -> Path:
    return Path(markers) / f"{kind}-{name}.pickle"


def finished(markers: str, kind: str, name: object) -> object | None:
    """The result a finished task left in its marker, or None when it has not finished (or markers are off)."""
    if not markers:
        return None
    try:
        return pickle.loads(marker_path(markers, kind, name).read_bytes())
    except FileNotFoundError:
        return None


def mark_finished(markers: str, kind: str, name: object, result: object, files: Iterable[str | Path] = ()) -> None:
    """Record that a task finished, with its result: its `files` are synced first, then the marker appears atomically.

    A marker therefore never names files that a crash (even a power cut) could
    leave half written; a task without one is simply done again on resume.
    """
    if not markers:
        return
    sync_files(files)
    path = marker_path(markers, kind, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    with open(temporary, "wb") as handle:
        pickle.dump(result, handle, protocol=pickle.HIGHEST_PROTOCOL)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def read_stream(path: str | Path, delete: bool = True) -> Iterator:
    """The items `write_stream` wrote, one at a time; the file is deleted once read (unless `delete` is false)."""
    with open(path, "rb") as handle:
        while True:
            try:
                yield pickle.load(handle)
            except EOFError:
                break
    if delete:
        Path(path).unlink()


@dataclass(slots=True)
class WorkerState:
    pipeline: Pipeline
    signer: Signer | None
    counted: tuple[str, Pipeline] | None = None
    deferring: Pipeline | None = None

    def parsing_pipeline(self) -> Pipeline:
        """The pipeline a parse task loads with: a text dump's lines left to the cleaning pass (`Pipeline.deferring_lines`)."""
        if self.deferring is None:
            self.deferring = self.pipeline.deferring_lines()
        return self.deferring

    def cleaning_pipeline(self, counts: str) -> Pipeline:
        """The pipeline, with the repeated-lines step reading the line counts at `counts` when given."""
        if not counts:
            return self.pipeline
        if self.counted is None or self.counted[0] != counts:
            self.counted = (counts, self.pipeline.with_line_counts(open_line_counts(Path(counts))))
        return self.counted[1]


_states: dict[Config, WorkerState] = {}


def worker_state(config: Config) -> WorkerState:
    """This process's pipeline and signer for `config`, built on first use (loading profiles and rules is the costly part)."""
    state = _states.get(config)
    if state is None:
        from cleaner.pipeline import Pipeline  # here: a parent that only schedules never imports the extractor or language models

        _states.clear()
        signer = Signer(config.dedup_shingle) if config.dedup else None
        state = _states[config] = WorkerState(Pipeline(config), signer)
    return state


def start_worker(config: Config) -> None:
    """A worker process's initializer: build its state now, or leave a configuration error to the first task.

    An exception in a pool's initializer breaks the whole pool (the parent
    sees only "a worker process died"); raised from a task instead, the
    error (a rule set RE2 cannot compile, say) reaches the parent as itself
    and the user reads its one line.
    """
    try:
        worker_state(config)
    except CleanerError:
        _states.clear()
        return
    settle_heap()


def settle_heap() -> None:
    """In a worker process only: what it has built (language profiles, stoplists, rules) leaves the garbage collector's sight.

    Those few hundred thousand long-lived containers would otherwise be
    scanned again by every full collection a task's allocations set off,
    most of a worker's time spent unpacking its tasks. Never called in the
    parent, whose heap belongs to whoever uses the library there.
    """
    gc.freeze()


def spill_path(scratch: str, number: int) -> Path:
    return Path(scratch) / "parsed" / f"batch-{number:09d}.pickle"


def counted_path(scratch: str, number: int) -> Path:
    return Path(scratch) / "counted" / f"batch-{number:09d}.pickle"


def kept_path(scratch: str, number: int) -> Path:
    return Path(scratch) / "kept" / f"batch-{number:09d}.pickle"


def batches(units: Iterable[Unit], records: int, first: int | None = None, last: int | None = None) -> Iterator[UnitBatch]:
    """Consecutive units grouped into tasks of about `records` records (a large container slice is a task alone).

    With `first`, the tasks ramp up to `records`: task n takes about
    `min(records, first * 2**n)`, so a run of a few records is still cut
    into several tasks, while a long run's tasks are `records` long. With
    `last`, they ramp down at the end: the units are read a task ahead, and
    what is left when they run out (under two tasks' worth) is cut into
    tasks of half what is left each, down to about `last` records, so that
    the workers finish a pass together rather than one of them running its
    last long task alone. The cut depends on the units alone, never on the
    number of workers (a task's partial report sample depends on which
    records it holds).
    """
    number = 0
    pending: deque[Unit] = deque()
    held = 0  # records in `pending`
    wanted = records if first is None else min(records, first)
    ahead = records if last is not None else 0

    def take(size: int) -> UnitBatch:
        nonlocal number, held
        batch, taken = [], 0
        while pending and (taken < size or not batch):
            unit = pending.popleft()
            batch.append(unit)
            taken += unit.size_hint
        held -= taken
        number += 1
        return UnitBatch(number - 1, tuple(batch))

    for unit in units:
        pending.append(unit)
        held += unit.size_hint
        if held >= wanted + ahead:
            yield take(wanted)
            wanted = min(records, 2 * wanted)
    while last is not None and held > 2 * last:
        yield take(min(wanted, (held + 1) // 2))
    if pending:
        yield take(held)


def unit_records(unit: Unit, config: Config, stats: ReadStats) -> Iterator[Record]:
    """The read stage, guarded: a reader that breaks gives a `failed` record for what it left unread, not a lost run.

    The failed record takes the position after the last record read, so its key is new.
    """
    next_index = unit.first_index
    try:
        for rec in records_of(unit, config, stats):
            if unit.fmt != FILE:
                next_index = int(rec.key.rpartition("#")[2]) + 1
            yield rec
    except ConfigError:
        raise
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop a run
        key = record_key(unit.source, None if unit.fmt == FILE else next_index)
        detail = f"reading stopped: {type(exc).__name__}: {exc}"[:300]
        yield Record(key, unit.source, unit.fmt, unit.kind, problem=("failed", detail))


def loaded(batch: UnitBatch, pipeline: Pipeline, records: Counter, stats: ReadStats) -> Iterator[Document]:
    """Read, extract and normalise every record of a batch of units."""

    def read() -> Iterator[Record]:
        for unit in batch.units:
            for rec in unit_records(unit, pipeline.config, stats):
                records[rec.fmt] += 1
                yield rec

    return pipeline.load_each(read())


def parse_task(batch: UnitBatch, run: RunContext) -> ParsedBatch:
    """Read, extract, normalise; key each document's lines under its site; spill the parsed documents for `clean_task`."""
    done = finished(run.markers, "parse", batch.number)
    if done is not None:
        return done
    pipeline = worker_state(run.config).parsing_pipeline()
    result = ParsedBatch(batch.number, str(counted_path(run.scratch, batch.number)))
    stats = ReadStats(result.skipped)
    spill = None
    if run.spill:
        spill = spill_path(run.scratch, batch.number)
        spill.parent.mkdir(exist_ok=True)
    to_clean: list[str] = []  # the sources of the documents the cleaning pass will measure for the report sample
    with open(spill or os.devnull, "wb") as spilled:

        def counted() -> Iterator[tuple]:
            for doc in loaded(batch, pipeline, result.records, stats):
                keyed = document_keys(doc, run.config.site_by, run.keep_text) if doc.rejection is None else None
                if spill is not None:  # after keying: the keys travel with the document, for the repeated-lines step
                    pickle.dump(pack(doc), spilled, protocol=pickle.HIGHEST_PROTOCOL)
                if keyed is not None:
                    to_clean.append(doc.source)
                    site, texts, keys = keyed
                    yield site, keys, texts

        result.documents = write_stream(Path(result.counted_path), counted())
    if run.sample is not None and spill is not None:  # `clean_task` measures exactly these: those it reads unrejected
        result.sample_keys = uniform_keys(to_clean, run.sample)
    mark_finished(run.markers, "parse", batch.number, result, [result.counted_path, *([spill] if spill else [])])
    return result


def clean_task(number: int, run: RunContext) -> CleanedBatch:
    """Clean the documents `parse_task` spilled for batch `number` (deleting them once read) and write them to part files.

    In a resumable run the spill is deleted only once the task's marker is
    written, so a task killed halfway can be done again; with `keep_spill`
    (an executor that retries tasks) it is left for the staging directory's removal.
    """
    done = finished(run.markers, "clean", number)
    if done is not None:
        return done
    spill = spill_path(run.scratch, number)
    result = cleaned_batch(number, (unpack(packed) for packed in read_stream(spill, delete=not (run.markers or run.keep_spill))), run)
    if run.markers:
        mark_cleaned(result, run)
        if not run.keep_spill:
            spill.unlink()
    return result


def mark_cleaned(result: CleanedBatch, run: RunContext) -> None:
    mark_finished(run.markers, "clean", result.number, result, [result.records_path, result.rejects_path, result.kept_path])


def parse_and_clean_task(batch: UnitBatch, run: RunContext) -> CleanedBatch:
    """Both map groups in one task, for a run with nothing to count (`--site-by none`)."""
    done = finished(run.markers, "clean", batch.number)
    if done is not None:
        return done
    pipeline = worker_state(run.config).pipeline
    records: Counter = Counter()
    stats = ReadStats()
    result = cleaned_batch(batch.number, loaded(batch, pipeline, records, stats), run)
    result.records, result.skipped = records, stats.skipped
    mark_cleaned(result, run)
    return result


def with_cutoffs(job: tuple[T, Cutoffs], task: Callable[[T, RunContext], CleanedBatch], run: RunContext) -> CleanedBatch:
    """`task(item, run)` for a job `(item, cutoffs)`: the cleaning task, given the parent's cut-offs for its partial sample.

    The cut-offs change only what the partial leaves out, never the merged
    sample, so a task done again on resume may be given other ones.
    """
    item, cutoffs = job
    return task(item, replace(run, cutoffs=cutoffs))


def cleaned_batch(number: int, docs: Iterable[Document], run: RunContext) -> CleanedBatch:
    """Clean, detect the language, filter and sign each document, a chunk at a time (`cleaning_chunks`); write records and rejects to this batch's part files."""
    state = worker_state(run.config)
    pipeline = state.cleaning_pipeline(run.counts)
    with PartWriter(Path(run.scratch) / "parts", number) as part:
        result = CleanedBatch(number, str(part.records_path), str(part.rejects_path), str(kept_path(run.scratch, number)))

        sample = Sample(run.sample, run.cutoffs) if run.sample is not None else None
        site_mode = "auto" if run.config.site_by == "none" else run.config.site_by
        comments_field = run.config.comments == "field"
        signer = state.signer

        def cleaned(chunk: list[Document]) -> list[Document]:
            """The chunk cleaned (`Pipeline.clean_batch`), each document that was not rejected before observed by the sample."""
            fresh = [doc.rejection is None for doc in chunk]
            done = pipeline.clean_batch(chunk)
            if sample is not None:
                for doc in compress(done, fresh):
                    sample.observe(doc, site_of(doc.source, doc.url, site_mode))
            return done

        def kept() -> Iterator[tuple]:
            # A chunk at a time, each step over all its documents (as `Pipeline.clean_batch` cleans them): their
            # records, then their signatures, then the writes.
            for chunk in cleaning_chunks(docs):
                done = cleaned(chunk)
                records = [record(doc, comments=comments_field) if doc.rejection is None else None for doc in done]
                signatures = [signer.sign(rec["text"]) if rec is not None and signer is not None else None for rec in records]
                for doc, rec, signature in zip(done, records, signatures):
                    result.chars_in += doc.chars_in
                    if rec is None:
                        entry = reject_entry(doc)
                        result.rejects[entry["reason"]] += 1
                        part.write_reject(to_json_line(entry))
                        continue
                    part.write_record(to_json_line(rec))
                    result.source_bytes += len(doc.source.encode("utf-8", "surrogateescape"))
                    yield (doc.source, rec["id"], rec["n_words"], *((signature.exact, signature.minhash) if signature else (0, None)))

        result.kept = write_stream(Path(result.kept_path), kept())
    if sample is not None:
        result.sample = sample.partial()
    return result


def cleaning_chunks(docs: Iterable[Document]) -> Iterator[list[Document]]:
    """`docs` in lists of `CLEAN_CHUNK_DOCS`, or fewer once they hold `CLEAN_CHUNK_CHARS` characters of input.

    A chunk is what `Pipeline.clean_batch` takes a step at a time; the
    bound in characters keeps a task's memory small on large documents.
    """
    chunk: list[Document] = []
    chars = 0
    for doc in docs:
        chunk.append(doc)
        chars += doc.chars_in
        if len(chunk) >= CLEAN_CHUNK_DOCS or chars >= CLEAN_CHUNK_CHARS:
            yield chunk
            chunk, chars = [], 0
    if chunk:
        yield chunk


def write_task(plan: ShardPlan, markers: str = "") -> ShardStats:
    """`write_shard`, skipped when a resumed run finds the shard written and marked."""
    path = Path(plan.folder) / plan.name
    done = finished(markers, "write", plan.name)
    if done is not None and path.is_file():
        return done
    stats = write_shard(plan)
    mark_finished(markers, "write", plan.name, stats, [path])
    return stats
