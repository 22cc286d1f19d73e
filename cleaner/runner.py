"""A batch run: walk the inputs, clean them in parallel, write the corpus in input order.

Workers each build their own `Pipeline` once (loading language profiles and
rule files is the costly part) and clean batches of files. The parent
submits batches in walk order and reads results back in that same order,
holding at most a fixed window of batches in flight, so output is identical
for any number of workers and memory does not grow with the corpus.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from typing import TypeVar

from tqdm import tqdm

from cleaner.config import Config, RunOptions
from cleaner.errors import ConfigError
from cleaner.pipeline import Pipeline
from cleaner.readers import InputFile, Walker
from cleaner.summary import Outcome, Tally, format_table
from cleaner.writer import CorpusWriter, record, reject_entry, to_json_line

BATCH_FILES = 8
BATCHES_IN_FLIGHT_PER_WORKER = 4

T = TypeVar("T")
R = TypeVar("R")

_worker_pipeline: Pipeline | None = None


def run(options: RunOptions) -> dict:
    """Clean every input into `options.output`; returns the summary."""
    missing = [str(path) for path in options.inputs if not path.exists()]
    if missing:
        raise ConfigError(f"input path not found: {', '.join(missing)}")
    started = time.perf_counter()
    writer = CorpusWriter(options.output, options.shard_size, options.compress, options.overwrite)
    walker = Walker(options.include, options.exclude)
    tally = Tally()
    try:
        batches = chunked(walker.walk(options.inputs), BATCH_FILES)
        results = map_in_order(process_batch, batches, options.workers, options.config)
        with tqdm(unit=" files", disable=not options.progress, file=sys.stderr, dynamic_ncols=True) as bar:
            for outcomes in results:
                for outcome in outcomes:
                    write_outcome(writer, tally, outcome)
                bar.update(len(outcomes))
                bar.set_postfix(rejected=sum(tally.rejects.values()), refresh=False)
        summary = tally.summary(options.config, walker.skipped, writer.shards, time.perf_counter() - started)
        writer.commit(summary)
    except BaseException:
        writer.abort()
        raise
    return summary


def write_outcome(writer: CorpusWriter, tally: Tally, outcome: Outcome) -> None:
    if outcome.record_line is not None:
        writer.write_record(outcome.record_line)
    else:
        assert outcome.reject_line is not None
        writer.write_reject(outcome.reject_line)
    tally.add(outcome)


def outcome_of(doc_source: InputFile, pipeline: Pipeline) -> Outcome:
    """Clean one file and turn the document into the lines the parent writes."""
    doc = pipeline.process(doc_source)
    if doc.rejection is not None:
        entry = reject_entry(doc)
        return Outcome(doc.source, reject_line=to_json_line(entry), reason=entry["reason"], chars_in=doc.chars_in)
    rec = record(doc)
    return Outcome(doc.source, record_line=to_json_line(rec), chars_in=doc.chars_in, chars_out=rec["n_chars"], removed=rec["removed"])


def init_worker(config: Config) -> None:
    """Build this process's pipeline once."""
    global _worker_pipeline
    _worker_pipeline = Pipeline(config)


def process_batch(batch: list[InputFile]) -> list[Outcome]:
    assert _worker_pipeline is not None, "init_worker was not called"
    return [outcome_of(item, _worker_pipeline) for item in batch]


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def map_in_order(fn: Callable[[T], R], items: Iterable[T], workers: int, config: Config) -> Iterator[R]:
    """`map(fn, items)` over worker processes, in order, with a bounded number in flight.

    Every result is read, so an exception in a worker reaches the caller.
    """
    if workers <= 1:
        init_worker(config)
        yield from map(fn, items)
        return
    window = workers * BATCHES_IN_FLIGHT_PER_WORKER
    with ProcessPoolExecutor(max_workers=workers, initializer=init_worker, initargs=(config,)) as pool:
        pending: deque = deque()
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def print_summary(summary: dict) -> None:
    print(format_table(summary), file=sys.stderr)
