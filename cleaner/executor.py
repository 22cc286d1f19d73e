"""Executors: where a run's tasks run. They schedule; they do no document work.

An executor has one job besides scheduling the map tasks of `stages.py`
(`map`): the two reduce steps, `count_lines` (the line counts of the first
pass) and `deduplicate` (the duplicate clusters). `LocalExecutor` runs the
tasks on a pool of worker processes on this machine and the reduce steps in
this process, on files in the run's staging directory: the line counts in
SQLite, the signatures in arrays (`dedup.py`).

`map` gives results in the order of its inputs, with a bounded number of
tasks in flight, so output does not depend on the number of workers and
memory does not grow with the corpus.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, TypeVar

from cleaner.config import Config, RunOptions
from cleaner.dedup import Duplicates, SignatureStore, find_duplicates
from cleaner.errors import ConfigError, RunError
from cleaner.repetition import LineCounts
from cleaner.stages import ParsedBatch, read_stream, start_worker

if TYPE_CHECKING:
    from cleaner.ray_executor import RayExecutor

T = TypeVar("T")
R = TypeVar("R")

TASKS_IN_FLIGHT_PER_WORKER = 4


class LocalExecutor:
    """A pool of `workers` processes on this machine (none with one worker: everything runs here)."""

    name = "local"

    def __init__(self, workers: int, config: Config) -> None:
        self.workers = workers
        self.config = config
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> LocalExecutor:
        if self.workers > 1:
            self.pool = ProcessPoolExecutor(max_workers=self.workers, initializer=start_worker, initargs=(self.config,))
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def map(self, task: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """`map(task, items)` on the workers, in order; every result is read, so a task's exception reaches the caller."""
        if self.pool is None:
            yield from map(task, items)
            return
        window = self.workers * TASKS_IN_FLIGHT_PER_WORKER
        pending: deque = deque()
        try:
            for item in items:
                pending.append(self.pool.submit(task, item))
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BrokenProcessPool:
            raise RunError(
                "a worker process died (killed, out of memory, or a crash in a C extension); "
                "rerun with --workers 1 to see which file"
            ) from None

    def count_lines(self, parsed: Iterable[ParsedBatch], counts: LineCounts) -> Iterator[ParsedBatch]:
        """The count reduce: add each parsed batch's line keys to `counts` (reading and deleting its keys file), passing the batches on."""
        for batch in parsed:
            for site, keys, texts in read_stream(batch.counted_path):
                counts.add(site, keys, texts)
            yield batch
        counts.flush()

    def deduplicate(self, store: SignatureStore, threshold: float) -> Duplicates:
        """The dedup reduce: cluster every stored signature."""
        return find_duplicates(store, threshold)


def make_executor(options: RunOptions) -> LocalExecutor | RayExecutor:
    """The executor `options` ask for: the local process pool, or Ray (imported only then: it is an optional extra)."""
    if options.executor == "ray":
        from cleaner.ray_executor import RayExecutor

        return RayExecutor(options.config, options.ray_address, options.workers)
    if options.ray_address is not None:
        raise ConfigError("--ray-address needs --executor ray")
    return LocalExecutor(options.workers, options.config)
