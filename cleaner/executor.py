"""Executors: where a run's tasks run. They schedule; they do no document work.

An executor has one job besides scheduling the map tasks of `stages.py`
(`map`): the two reduce steps, `count_lines` (the line counts of the first
pass) and `store_signatures` then `deduplicate` (the duplicate clusters).
`LocalExecutor` runs the tasks on a pool of worker processes on this machine
and the reduce steps in this process, on files in the run's staging
directory: the line counts in SQLite, the signatures in arrays (`dedup.py`).

`map` gives results in the order of its inputs, with a bounded number of
tasks in flight, so output does not depend on the number of workers and
memory does not grow with the corpus. A run starts no more processes than
it can use: the pool is started by the first stage with two tasks or more,
with one process per task up to `workers`, and a stage of a single task
runs in this process (a run over one file starts no worker at all).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from typing import TYPE_CHECKING, TypeVar

from cleaner.config import Config, RunOptions
from cleaner.dedup import Duplicates, Signature, SignatureStore, find_duplicates
from cleaner.errors import ConfigError, RunError
from cleaner.repetition import LineCounts
from cleaner.stages import CleanedBatch, ParsedBatch, UnitBatch, read_stream, settle_heap, start_worker

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from cleaner.ray_executor import RayExecutor

T = TypeVar("T")
R = TypeVar("R")

TASKS_IN_FLIGHT_PER_WORKER = 4
# A stage of fewer tasks than this, before any pool is started, runs in this process: starting and
# filling a worker (its imports, language profiles and rules) costs more than the one task it would run.
POOL_MIN_TASKS = 2
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WATCHDOG_SECONDS = 1.0


class LocalExecutor:
    """A pool of up to `workers` processes on this machine, started when a stage has tasks for two or more."""

    name = "local"

    def __init__(self, workers: int, config: Config, own_process: bool = False) -> None:
        self.workers = workers
        self.config = config
        self.pool: ProcessPoolExecutor | None = None
        self.pool_size = 0
        self.settle = own_process  # settle this process's heap after its first task (`settled_after_first`)
        self.draining = False  # every task of the current `map` on the pool is sent: only results are left to read

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.close(failed=exc_type is not None)

    def close(self, failed: bool = False) -> None:
        """Stop the pool, if one was started (at once when `failed`)."""
        if self.pool is None:
            return
        if failed:
            stop_workers(self.pool)
        self.pool.shutdown(cancel_futures=True)
        self.pool, self.pool_size = None, 0

    def ensure_pool(self, tasks: int) -> ProcessPoolExecutor:
        """The pool, started (or restarted larger, between stages) with a process for each of `tasks`, up to `workers`."""
        # Imported here: concurrent.futures.process and multiprocessing take 20 ms to import, and a run over
        # one file (every stage a single task) starts no pool.
        from concurrent.futures import ProcessPoolExecutor

        size = min(self.workers, tasks)
        if self.pool is None or self.pool_size < size:
            self.close()
            self.pool = ProcessPoolExecutor(max_workers=size, initializer=worker_init, initargs=(self.config, os.getpid()))
            self.pool_size = size
        return self.pool

    def map(self, task: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """`map(task, items)` on the workers, in order; every result is read, so a task's exception reaches the caller.

        Up to `workers` tasks are read ahead to size the pool; a stage of
        fewer than `POOL_MIN_TASKS` tasks (one) while no pool is running, like
        every stage with one worker, runs in this process.
        """
        self.draining = False
        items = iter(items)
        ahead = list(islice(items, max(self.workers, POOL_MIN_TASKS))) if self.workers > 1 else []
        if len(ahead) < POOL_MIN_TASKS and self.pool is None:
            yield from self.settled_after_first(map(task, chain(ahead, items)))
            return
        from concurrent.futures.process import BrokenProcessPool  # loaded by `ensure_pool`

        pool = self.ensure_pool(len(ahead))
        window = self.pool_size * TASKS_IN_FLIGHT_PER_WORKER
        pending: deque = deque()
        try:
            for item in chain(ahead, items):
                pending.append(pool.submit(task, item))
                if len(pending) >= window:
                    yield pending.popleft().result()
            self.draining = True
            while pending:
                yield pending.popleft().result()
        except BrokenProcessPool:
            raise RunError(
                "a worker process died (killed, out of memory, or a crash in a C extension); "
                "rerun with --workers 1 to see which file"
            ) from None

    def settled_after_first(self, results: Iterator[R]) -> Iterator[R]:
        """`results` of tasks run in this process; after the first, when the run owns the process, its heap is settled.

        The first task builds the pipeline (language profiles, stoplists,
        rules: a few hundred thousand long-lived containers) here, as a pool's
        initializer builds it in a worker; settled (`stages.settle_heap`), they
        are no longer scanned by every full collection the run's allocations
        set off (2.4% of a 1-worker run over the 990 dev dumps). A library
        caller's process is left as it is.
        """
        for result in results:
            yield result
            if self.settle:
                self.settle = False
                settle_heap()

    def records_per_task(self, unit_records: int) -> int:
        """Records a task takes, for units of about `unit_records`: one unit's worth (a process pool's tasks are cheap)."""
        return unit_records

    def counting_task(self, task: Callable[[UnitBatch], ParsedBatch], counts: LineCounts | None) -> Callable[[UnitBatch], ParsedBatch]:
        """The parse task of the first pass as this executor runs it: as it is (the counts are added here, in `count_lines`)."""
        return task

    def count_lines(self, parsed: Iterable[ParsedBatch], counts: LineCounts | None,
                    delete: bool = True) -> Iterator[ParsedBatch]:
        """The count reduce: add each parsed batch's line keys to `counts` (reading its keys file, deleted
        unless not `delete`), passing the batches on; with `counts` None (already complete) only passes them on.

        Once every parse task is sent to the pool (`draining`), each batch's
        counts are written as it comes in, while the workers parse the last
        ones: what is left to write when the last batch is in, with the
        workers idle until the cleaning pass can start, is that batch's
        counts, not up to `repetition.BATCH_DOCS` documents' (the count
        file's rows are the same; only the transactions differ).
        """
        for batch in parsed:
            if counts is not None:
                for site, keys, texts in read_stream(batch.counted_path, delete=delete):
                    counts.add(site, keys, texts)
                if self.draining:
                    counts.flush()
            yield batch
        if counts is not None:
            counts.flush()

    def store_signatures(self, store: SignatureStore, batch: CleanedBatch, delete: bool = True) -> None:
        """Append a cleaned batch's signatures (its kept file, deleted unless not `delete`) to `store`, here."""
        for key, record_id, n_words, exact, minhash in read_stream(batch.kept_path, delete=delete):
            store.add(Signature(exact, minhash), record_id, n_words, key)

    def deduplicate(self, store: SignatureStore, threshold: float) -> Duplicates:
        """The dedup reduce: cluster every stored signature."""
        return find_duplicates(store, threshold)


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Kill a failed or interrupted run's workers now rather than let them finish their tasks into a dying staging directory.

    SIGKILL, not SIGTERM: a worker forked a moment ago may not have reset
    the parent's SIGTERM handler yet (`worker_init`), and one that got
    SIGTERM then raised instead of dying and was left waiting on the pool's
    call queue, so `shutdown` waited for it forever (seen in the full-disk
    test of a parse task's spill once its 19 files became two tasks).
    """
    processes = list((pool._processes or {}).values())  # noqa: SLF001 - the pool has no public way to stop its workers
    for process in processes:
        process.kill()
    for process in processes:
        process.join(5)


def worker_init(config: Config, parent: int) -> None:
    """A worker process's start: die with the parent, take SIGTERM's default action, then build the pipeline.

    A parent killed with SIGKILL (or a power-cut-like crash) runs no cleanup,
    and its workers, blocked writing results into a pipe nobody reads, would
    live on forever; `PR_SET_PDEATHSIG` has the kernel kill them (Linux), and
    a watchdog thread polling the parent's pid does it elsewhere. Forked
    workers inherit the parent's SIGTERM handler, which would make them
    raise instead of exit. A configuration error while building the pipeline
    is left to the first task (`stages.start_worker`).
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(parent)
    start_worker(config)


def die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if not alive(parent):  # the parent died before the prctl took effect
        os._exit(1)
    threading.Thread(target=watch_parent, args=(parent, os.getppid()), name="cleaner-watchdog", daemon=True).start()


def watch_parent(parent: int, ppid: int) -> None:
    """Exit once the run's process is gone (or this process was re-parented: its parent, maybe a fork server, died)."""
    while os.getppid() == ppid and alive(parent):
        time.sleep(WATCHDOG_SECONDS)
    os._exit(1)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def make_executor(options: RunOptions) -> LocalExecutor | RayExecutor:
    """The executor `options` ask for: the local process pool, or Ray (imported only then: it is an optional extra)."""
    if options.executor == "ray":
        from cleaner.ray_executor import RayExecutor

        return RayExecutor(options.config, options.ray_address, options.workers)
    if options.ray_address is not None:
        raise ConfigError("--ray-address needs --executor ray")
    return LocalExecutor(options.workers, options.config, own_process=options.own_process)
