"""A batch run: walk the inputs, clean them in parallel, write the corpus in input order.

Workers each build their own `Pipeline` once (loading language profiles and
rule files is the costly part) and work on batches of files. The parent
submits batches in walk order and reads results back in that same order,
holding at most a fixed window of batches in flight, so output is identical
for any number of workers and memory does not grow with the corpus (but
for deduplication's arrays, see `dedup.py`).

With per-site repetition on (the default), a run has two passes. In the
first, workers parse every input (read, decode, extract, normalise), spill
each batch of parsed documents to its own file in the staging directory and
send back only the lines' keys, which the parent counts per site in an
on-disk store. In the second, workers clean the spilled batches in order,
the repeated-lines step looking its counts up in the store. Nothing is
parsed twice (HTML pays for trafilatura once), and documents never pass
through the parent, whose CPU the workers need.

With deduplication on (the default), workers sign each kept document and
the parent holds kept documents on disk (`dedup.DuplicateHold`) until the
last one is in; then it writes them in input order, the duplicates as
rejects, and the clusters to `duplicates.jsonl`.
"""

from __future__ import annotations

import pickle
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from itertools import islice
from pathlib import Path
from typing import TypeVar

from tqdm import tqdm

from cleaner.config import Config, RunOptions
from cleaner.dedup import DuplicateHold, Signer
from cleaner.document import Document, pack, unpack
from cleaner.errors import ConfigError, RunError
from cleaner.pipeline import Pipeline
from cleaner.readers import InputFile, Walker
from cleaner.repetition import LineCounts, document_keys
from cleaner.summary import Outcome, Tally, format_table
from cleaner.writer import CorpusWriter, record, reject_entry, to_json_line

BATCH_FILES = 8
SPILL_BATCH_FILES = 32  # larger batches in two passes: one spill file each
BATCHES_IN_FLIGHT_PER_WORKER = 4
COUNTS_FILE = "line-counts.sqlite"
SPILL_DIR = "parsed"

T = TypeVar("T")
R = TypeVar("R")

_worker_pipeline: Pipeline | None = None
_worker_signer: Signer | None = None
_counted_pipeline: tuple[Path, Pipeline] | None = None


@dataclass(slots=True)
class Parsed:
    """Pass 1's answer for one file: its site and its line keys (and their texts, for learn-rules)."""

    rejected: bool
    site: str
    keys: list[bytes]
    texts: list[str] | None = None


def run(options: RunOptions) -> dict:
    """Clean every input into `options.output`; returns the summary."""
    check_inputs(options.inputs)
    started = time.perf_counter()
    writer = CorpusWriter(options.output, options.shard_size, options.compress, options.overwrite)
    walker = Walker(options.include, options.exclude)
    tally = Tally()
    config = options.config
    hold = DuplicateHold(writer.staging / "dedup", config.dedup_threshold) if config.dedup else None
    try:
        with progress_bar(options.progress) as bar:
            with Workers(options.workers, config) as workers:
                if config.site_by == "none":
                    outcomes = workers.map(process_batch, chunked(walker.walk(options.inputs), BATCH_FILES))
                else:
                    outcomes = two_passes(options, walker, writer.staging, bar, workers)
                for batch in outcomes:
                    for outcome in batch:
                        if hold is not None and outcome.record_line is not None:
                            hold.hold(outcome)
                        else:
                            write_outcome(writer, tally, outcome)
                    bar.update(len(batch))
                    bar.set_postfix(rejected=sum(tally.rejects.values()), refresh=False)
            if hold is not None:  # the workers have ended: clustering gets their memory
                write_deduplicated(hold, writer, tally, bar)
        summary = tally.summary(options.config, walker.skipped, writer.shards, time.perf_counter() - started)
        writer.commit(summary)
    except BaseException:
        writer.abort()
        raise
    return summary


def check_inputs(inputs: tuple[Path, ...]) -> None:
    missing = [str(path) for path in inputs if not path.exists()]
    if missing:
        raise ConfigError(f"input path not found: {', '.join(missing)}")


def progress_bar(enabled: bool) -> tqdm:
    return tqdm(unit=" files", disable=not enabled, file=sys.stderr, dynamic_ncols=True)


def two_passes(options: RunOptions, walker: Walker, scratch: Path, bar: tqdm, workers: Workers) -> Iterator[list[Outcome]]:
    """Pass 1 counts and spills; pass 2 cleans the spilled batches in order."""
    counts_path = scratch / COUNTS_FILE
    spill = scratch / SPILL_DIR
    spill.mkdir()
    bar.set_description("pass 1: counting lines")
    with LineCounts(counts_path) as counts:
        batches = count_lines(walker.walk(options.inputs), workers, counts, spill=spill)
    bar.set_description("pass 2: cleaning")
    yield from workers.map(partial(clean_spilled, counts_path=counts_path), (spill_file(spill, n) for n in range(batches)))
    spill.rmdir()
    counts_path.unlink()


def count_lines(
    items: Iterable[InputFile], workers: Workers, counts: LineCounts, spill: Path | None = None, keep_text: bool = False
) -> int:
    """Pass 1: parse every input and count its lines under its site; returns the number of batches.

    With `spill`, each batch's parsed documents are written to `spill_file(spill, n)`.
    """
    batches = enumerate(chunked(items, SPILL_BATCH_FILES if spill else BATCH_FILES))
    count = 0
    for parsed_batch in workers.map(partial(parse_batch, spill=spill, keep_text=keep_text), batches):
        for parsed in parsed_batch:
            if not parsed.rejected:
                counts.add(parsed.site, parsed.keys, parsed.texts)
        count += 1
    counts.flush()
    return count


def spill_file(spill: Path, number: int) -> Path:
    return spill / f"batch-{number:09d}.pickle"


def write_deduplicated(hold: DuplicateHold, writer: CorpusWriter, tally: Tally, bar: tqdm) -> None:
    """Write the held documents in input order, the duplicates among them as rejects, and the clusters."""
    bar.set_description("deduplicating")
    for outcome in hold.release():
        write_outcome(writer, tally, outcome)
    writer.write_duplicates(hold.report_lines())
    assert hold.duplicates is not None
    tally.duplicates = hold.duplicates.stats()
    bar.set_postfix(rejected=sum(tally.rejects.values()), duplicates=tally.duplicates["removed"])


def write_outcome(writer: CorpusWriter, tally: Tally, outcome: Outcome) -> None:
    if outcome.record_line is not None:
        writer.write_record(outcome.record_line)
    else:
        assert outcome.reject_line is not None
        writer.write_reject(outcome.reject_line)
    tally.add(outcome)


def outcome_of(doc: Document) -> Outcome:
    """Turn a cleaned (or rejected) document into the lines the parent writes; sign it when deduplication is on."""
    if doc.rejection is not None:
        entry = reject_entry(doc)
        return Outcome(doc.source, reject_line=to_json_line(entry), reason=entry["reason"], chars_in=doc.chars_in)
    rec = record(doc)
    return Outcome(
        doc.source,
        record_line=to_json_line(rec),
        chars_in=doc.chars_in,
        chars_out=rec["n_chars"],
        removed=rec["removed"],
        signature=_worker_signer.sign(rec["text"]) if _worker_signer is not None else None,
        record_id=rec["id"],
        n_words=rec["n_words"],
    )


def init_worker(config: Config) -> None:
    """Build this process's pipeline (and signer) once."""
    global _worker_pipeline, _counted_pipeline, _worker_signer
    _worker_pipeline = Pipeline(config)
    _counted_pipeline = None
    _worker_signer = Signer(config.dedup_shingle) if config.dedup else None


def worker_pipeline(counts_path: Path | None = None) -> Pipeline:
    """This process's pipeline; with `counts_path`, the same pipeline with the repeated-lines step reading that store."""
    global _counted_pipeline
    assert _worker_pipeline is not None, "init_worker was not called"
    if counts_path is None:
        return _worker_pipeline
    if _counted_pipeline is None or _counted_pipeline[0] != counts_path:
        _counted_pipeline = (counts_path, _worker_pipeline.with_line_counts(LineCounts(counts_path, readonly=True)))
    return _counted_pipeline[1]


def process_batch(batch: list[InputFile]) -> list[Outcome]:
    """One pass: load and clean each file."""
    pipeline = worker_pipeline()
    return [outcome_of(pipeline.process(item)) for item in batch]


def parse_batch(numbered: tuple[int, list[InputFile]], spill: Path | None = None, keep_text: bool = False) -> list[Parsed]:
    """Pass 1: load each file and key its lines under its site; with `spill`, write the parsed documents there."""
    number, batch = numbered
    pipeline = worker_pipeline()
    parsed, packed = [], []
    for item in batch:
        doc = pipeline.load_safely(item)
        site, texts, keys = document_keys(doc, pipeline.config.site_by) if doc.rejection is None else ("", [], [])
        parsed.append(Parsed(doc.rejection is not None, site, keys, texts if keep_text else None))
        if spill is not None:
            packed.append(pack(doc))
    if spill is not None:
        with open(spill_file(spill, number), "wb") as handle:
            pickle.dump(packed, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return parsed


def clean_spilled(path: Path, counts_path: Path) -> list[Outcome]:
    """Pass 2: clean each document of a spilled batch (a rejected one passes through), then delete the batch."""
    pipeline = worker_pipeline(counts_path)
    with open(path, "rb") as handle:
        batch = pickle.load(handle)
    path.unlink()
    outcomes = []
    for packed in batch:
        doc = unpack(packed)
        outcomes.append(outcome_of(doc if doc.rejection else pipeline.clean_safely(doc)))
    return outcomes


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class Workers:
    """A pool of worker processes, each with its pipeline, kept for a whole run (both passes).

    `map` is `map(fn, items)` over the workers, in order, with a bounded
    number of batches in flight; every result is read, so an exception in a
    worker reaches the caller. With one worker everything runs in this
    process.
    """

    def __init__(self, count: int, config: Config) -> None:
        self.count = count
        self.config = config
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        if self.count > 1:
            self.pool = ProcessPoolExecutor(max_workers=self.count, initializer=init_worker, initargs=(self.config,))
        else:
            init_worker(self.config)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        if self.pool is None:
            yield from map(fn, items)
            return
        window = self.count * BATCHES_IN_FLIGHT_PER_WORKER
        pending: deque = deque()
        try:
            for item in items:
                pending.append(self.pool.submit(fn, item))
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BrokenProcessPool:
            raise RunError(
                "a worker process died (killed, out of memory, or a crash in a C extension); "
                "rerun with --workers 1 to see which file"
            ) from None


def print_summary(summary: dict) -> None:
    print(format_table(summary), file=sys.stderr)
