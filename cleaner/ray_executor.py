"""The Ray executor: a run's tasks on a Ray cluster (or a local Ray instance), the two reduces distributed.

It presents the interface of `LocalExecutor` (`map`, `records_per_task`,
`counting_task`, `count_lines`, `store_signatures`, `deduplicate`), so
`runner.run_stages` stays the one sequence of a run. Map tasks take the
same batches of units as the local executor's (`records_per_task`): each
cleaning task keeps its own partial sample for the report, whose sites'
most removed lines it trims when it ends, so other batches would give
other report data. Ray's cost per task is what the batch size
(`runner.TASK_RECORDS`) is chosen against: a Ray worker is pushed its next
task only once the driver has its last result, so it waits between tasks
(a median 9.5 ms in `ray timeline` on this machine under load), and the
task's arguments and result cost it a few ms more.

Ray tasks, not Ray Data. The map stages are already coarse tasks over
batches of units (`stages.py`) whose inputs and outputs are plain data plus
files in the staging directory, and the run needs their results in input
order with a bounded window in flight, so that output is byte-identical to a
local run and the driver's memory does not grow with the corpus. A Ray task
per batch is exactly that; Ray Data would turn units into Arrow blocks and
back, and its `groupby` would carry every line key through its own shuffle
into blocks the cleaning tasks could not query by key. The two reduces are
therefore hash-partitioned shuffles of Ray tasks over files:

- count: each parse task, once it has parsed its batch, aggregates the
  batch's line keys and writes one file per partition (by the hash of
  site + key, sites by the hash of the site); a reduce task per partition
  merges its files into one SQLite `LineCounts`; cleaning tasks read the partitions through
  `PartitionedLineCounts`. The driver sees file names only.
- dedup: the signatures never pass through the driver. As cleaning tasks
  finish, store tasks take groups of their kept files (segments of about
  65,536 documents), write them into the signature store's files at the
  offsets the driver reserved (from each batch's counts), and write every
  band's LSH keys and the exact hashes as (band, key, index) rows per
  partition (by key); a reduce task per partition groups its rows by
  (band, key), joins exact copies and verifies the candidate pairs as
  `dedup.Joiner` does, returning index pairs. The driver joins the pairs in
  a union-find over indexes (8 bytes a document).

Retries: a task whose worker dies (a killed process, a lost node) is run
again by Ray (`TASK_RETRIES`). Every task writes only files named by its
batch or partition, truncating them first, and deletes nothing it reads
(the driver deletes inputs once the task's result is in), so a retried task
writes the same files again and no record is lost or doubled. An exception
in a task is not retried: it is the same on every try; a `CleanerError`
reaches the caller as itself.
"""

from __future__ import annotations

import gc
import os
import pickle
import shutil
import socket
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

import cleaner
from cleaner.config import Config
from cleaner.dedup import (
    DOC_DTYPE,
    Duplicates,
    SignatureStore,
    UnionFind,
    band_keys,
    bands_for,
    decision_cut,
    similar_pairs,
)
from cleaner.errors import CleanerError, ConfigError, RunError
from cleaner.repetition import PARTS_SUFFIX, LineCounts, line_partition, partition_file, site_hash
from cleaner.stages import CleanedBatch, ParsedBatch, UnitBatch, read_stream, settle_heap

T = TypeVar("T")
R = TypeVar("R")

TASKS_IN_FLIGHT_PER_CPU = 4
TASK_RETRIES = 3
STORE_TASK_DOCS = 1 << 16  # documents per store task: 16 MB of MinHash values read, 18 B x (bands + 1) a document of rows written
BAND_ROW = np.dtype([("band", "<u2"), ("key", "<u8"), ("index", "<i8")])
EXACT_BAND = 0xFFFF  # the band of the rows keyed by a document's exact hash
INSTALL_HINT = "--executor ray needs Ray: pip install 'cleaner[ray]' (or pip install 'ray[data]')"


def import_ray() -> Any:
    """The `ray` module, or a one-line error saying how to install it."""
    try:
        import ray
    except ImportError:
        raise ConfigError(INSTALL_HINT) from None
    return ray


def worker_runtime_env() -> dict:
    """Ray workers import this copy of `cleaner` (a checkout or an installed package) ahead of any other."""
    root = str(Path(cleaner.__file__).resolve().parent.parent)
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    return {"env_vars": {"PYTHONPATH": path}}


def check_address(address: str) -> None:
    """A `host:port` address that nothing answers on is a one-line error now, not a long wait in `ray.init`."""
    if address == "auto" or address.startswith("ray://") and not address[6:]:
        return
    hostport = address[6:] if address.startswith("ray://") else address
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError(f"bad --ray-address {address!r}: give auto, HOST:PORT or ray://HOST:PORT")
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as exc:
        raise ConfigError(f"cannot reach the Ray cluster at {address}: {exc.strerror or exc}") from None


class RayExecutor:
    """Tasks on Ray: a local instance of `workers` CPUs when `address` is None, else the cluster at `address` (`auto`, HOST:PORT, ray://...)."""

    name = "ray"
    retries = True  # tasks may run again, so they must not delete what they read

    def __init__(self, config: Config, address: str | None = None, workers: int | None = None, partitions: int | None = None) -> None:
        self.config = config
        self.address = address
        self.workers = workers
        self.partitions = partitions
        self.started = False
        self.cpus = 1
        self.ray: Any = None
        self.group: list[str] = []  # kept files not yet given to a store task
        self.group_start = (0, 0)
        self.store_tasks: list[tuple[Any, list[str]]] = []

    def __enter__(self) -> RayExecutor:
        ray = self.ray = import_ray()
        if not ray.is_initialized():
            self.connect(ray)
        self.cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        self.partitions = self.partitions or max(2, self.cpus)
        options = {"max_retries": TASK_RETRIES, "retry_exceptions": False}
        self.remote_task = ray.remote(**options)(run_task)
        self.remote_count = ray.remote(**options)(reduce_counts)
        self.remote_store = ray.remote(**options)(store_segments)
        self.remote_pairs = ray.remote(**options)(verified_pairs)
        return self

    def connect(self, ray: Any) -> None:
        if self.address is not None:
            check_address(self.address)
        try:
            ray.init(address=self.address, num_cpus=self.workers if self.address is None else None,
                     include_dashboard=False, runtime_env=worker_runtime_env(), log_to_driver=False,
                     logging_level="ERROR", configure_logging=True)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = self.address or "a local Ray instance"
            raise ConfigError(f"cannot start or join Ray at {where}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
        self.started = True

    def __exit__(self, *exc: object) -> None:
        if self.started:
            self.ray.shutdown()
            self.started = False

    # scheduling

    def get(self, ref: Any) -> Any:
        """A task's result; its exception as itself when it is one of ours, else as a one-line `RunError`."""
        ray = self.ray
        try:
            return ray.get(ref)
        except ray.exceptions.RayTaskError as exc:
            cause = exc.cause
            if isinstance(cause, CleanerError):
                raise cause from None
            raise RunError(f"a Ray task failed: {type(cause).__name__}: {cause}") from None
        except (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError, ray.exceptions.ObjectLostError) as exc:
            raise RunError(f"a Ray task was lost {TASK_RETRIES + 1} times (a worker or node died): {type(exc).__name__}") from None

    def window(self) -> int:
        return self.cpus * TASKS_IN_FLIGHT_PER_CPU

    def ordered(self, refs: Iterable[Any]) -> Iterator[Any]:
        """The results of tasks as they are submitted by `refs`, in order, with at most `window()` in flight."""
        pending: deque = deque()
        for ref in refs:
            pending.append(ref)
            if len(pending) >= self.window():
                yield self.get(pending.popleft())
        while pending:
            yield self.get(pending.popleft())

    def map(self, task: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """`map(task, items)` as Ray tasks, results in input order; the task itself goes to the object store once."""
        task_ref = self.ray.put(task)
        cwd = os.getcwd()
        yield from self.ordered(self.remote_task.remote(task_ref, item, cwd) for item in items)

    # the count reduce

    def records_per_task(self, unit_records: int) -> int:
        """Records a task takes: one unit's worth, as locally, so the tasks' partial report samples are the local run's."""
        return unit_records

    def counting_task(self, task: Callable[[UnitBatch], ParsedBatch], counts: LineCounts | None) -> Callable[[UnitBatch], ParsedBatch]:
        """The parse task followed, in the same Ray task, by the split of its line keys into the count partitions (`split_counted`)."""
        if counts is None:
            return task
        split = self.split_folder(counts)
        shutil.rmtree(split.parent, ignore_errors=True)
        split.mkdir(parents=True)
        return partial(parse_and_split, task, split=str(split), partitions=self.partitions)

    @staticmethod
    def split_folder(counts: LineCounts) -> Path:
        return counts.path.absolute().with_name(counts.path.name + PARTS_SUFFIX) / "split"

    def count_lines(self, parsed: Iterable[ParsedBatch], counts: LineCounts | None,
                    delete: bool = True) -> Iterator[ParsedBatch]:
        """Pass on the parsed batches (whose tasks split their keys by partition), then merge each partition in a reduce task.

        The partitions go to `counts.path` + `.parts/`, where the cleaning
        tasks' `open_line_counts` finds them; `counts` itself stays empty.
        With `counts` None (a resumed run whose counts are complete) the
        batches are only passed on; unless `delete`, the keys files stay (a
        resumable run counts from them again if it is killed before the end).
        """
        if counts is None:
            yield from parsed
            return
        split = self.split_folder(counts)
        for batch in parsed:
            if delete:
                Path(batch.counted_path).unlink(missing_ok=True)
            yield batch
        refs = [self.remote_count.remote(str(split), number, str(partition_file(split.parent, number)))
                for number in range(self.partitions)]
        for ref in refs:
            self.get(ref)
        shutil.rmtree(split, ignore_errors=True)

    # the dedup reduce

    def store_signatures(self, store: SignatureStore, batch: CleanedBatch, delete: bool = True) -> None:
        """Reserve a cleaned batch's room in `store`; a store task writes it there, with its band rows, once a group is full.

        The driver sees each batch's number of documents and of source
        bytes, never a signature: store tasks over groups of about
        `STORE_TASK_DOCS` documents read the kept files and write their
        ranges of the store (at offsets the driver gives) while the cleaning
        tasks go on. Unless `delete` is false the kept files are deleted once
        their store task is done.
        """
        if not batch.kept:
            if delete:
                Path(batch.kept_path).unlink(missing_ok=True)
            return
        low, source_at = store.reserve(batch.kept, batch.source_bytes)
        if not self.group:
            self.group_start = (low, source_at)
        self.group.append(os.path.abspath(batch.kept_path))
        if store.count - self.group_start[0] >= STORE_TASK_DOCS:
            self.submit_store_task(store, delete)

    def submit_store_task(self, store: SignatureStore, delete: bool) -> None:
        if not self.group:
            return
        rows_dir = store.folder.absolute() / "band-rows"
        if not self.store_tasks:
            shutil.rmtree(rows_dir, ignore_errors=True)
            rows_dir.mkdir(parents=True)
        bands, rows = bands_for(decision_cut(self.config.dedup_threshold, store.num_perm), store.num_perm)
        low, source_at = self.group_start
        ref = self.remote_store.remote(str(store.folder.absolute()), store.num_perm, self.group, low, source_at,
                                       bands, rows, self.partitions, str(rows_dir))
        self.store_tasks.append((ref, self.group if delete else []))
        self.group = []

    def deduplicate(self, store: SignatureStore, threshold: float) -> Duplicates:
        """Candidate pairs (exact copies and LSH buckets) from a partitioned group-by on keys in the workers; clusters joined here over indexes."""
        self.submit_store_task(store, delete=True)
        store.close()
        folder = str(store.folder.absolute())
        for ref, kept in self.store_tasks:
            self.get(ref)
            for path in kept:
                Path(path).unlink(missing_ok=True)
        sets = UnionFind(store.count)
        if store.count:
            rows_dir = Path(folder) / "band-rows"
            cut = decision_cut(threshold, store.num_perm)
            pair_refs = [self.remote_pairs.remote(folder, store.count, store.num_perm, str(rows_dir), number, cut)
                         for number in range(self.partitions)]
            for pairs in self.ordered(pair_refs):
                for a, b in pairs.tolist():
                    sets.union(a, b)
            shutil.rmtree(rows_dir, ignore_errors=True)
        self.store_tasks = []
        return Duplicates(store, sets.roots())


# --- the task bodies (run in Ray workers) ------------------------------------------------


def run_task(task: Callable[[T], R], item: T, cwd: str) -> R:
    """One map task, in the driver's working directory; the worker builds its pipeline once per configuration (`stages.worker_state`).

    Relative input and output paths are the driver's: a worker on a node
    that mounts the shared file system at the same place finds them there.
    """
    if os.path.isdir(cwd) and os.getcwd() != cwd:
        os.chdir(cwd)
    result = task(item)
    settle_worker()
    return result


_settled = False


def settle_worker() -> None:
    """After a Ray worker's first task (which built its pipeline): its heap so far leaves the collector's sight (`stages.settle_heap`)."""
    global _settled
    if not _settled:
        gc.collect()
        settle_heap()
        _settled = True


def parse_and_split(task: Callable[[UnitBatch], ParsedBatch], batch: UnitBatch, split: str, partitions: int) -> ParsedBatch:
    """A parse task, then its line keys split by count partition (the map side of the count shuffle) in the same worker."""
    result = task(batch)
    split_counted(os.path.abspath(result.counted_path), result.number, split, partitions)
    return result


def split_file(split: Path, partition: int, number: int) -> Path:
    return split / f"{partition:05d}" / f"batch-{number:09d}.pickle"


def write_atomically(path: Path, payload: object) -> None:
    """Write a pickle under a temporary name and rename it, so a killed task never leaves half a file a reader could take."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as handle:
        pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)


def split_counted(counted_path: str, number: int, split: str, partitions: int) -> int:
    """One parsed batch's line keys aggregated (documents per site + key, smallest text, documents per site) and split by partition."""
    lines: Counter[bytes] = Counter()
    texts: dict[bytes, str] = {}
    sites: dict[bytes, list] = {}
    for site, keys, key_texts in read_stream(counted_path, delete=False):
        h = site_hash(site)
        entry = sites.setdefault(h, [site, 0])
        entry[1] += 1
        lines.update({h + key for key in keys})
        if key_texts is not None:
            for key, text in zip(keys, key_texts):
                k = h + key
                if k not in texts or text < texts[k]:
                    texts[k] = text
    parts_lines: list[list] = [[] for _ in range(partitions)]
    parts_sites: list[list] = [[] for _ in range(partitions)]
    for k, n in lines.items():
        parts_lines[line_partition(k, partitions)].append((k, n, texts.get(k)))
    for h, (name, docs) in sites.items():
        parts_sites[line_partition(h, partitions)].append((h, name, docs))
    for partition in range(partitions):
        if parts_lines[partition] or parts_sites[partition]:
            write_atomically(split_file(Path(split), partition, number), (sorted(parts_lines[partition]), sorted(parts_sites[partition])))
    return len(lines)


def reduce_counts(split: str, partition: int, target: str) -> int:
    """One partition's counts: every batch's part merged into a fresh SQLite file (written aside, renamed when complete)."""
    temporary = Path(target + ".tmp")
    temporary.unlink(missing_ok=True)
    files = sorted((Path(split) / f"{partition:05d}").glob("batch-*.pickle"))
    with LineCounts(temporary) as counts:
        for file in files:
            with open(file, "rb") as handle:
                lines, sites = pickle.load(handle)
            counts.merge(lines, sites)
    os.replace(temporary, target)
    return len(files)


def band_rows_file(rows_dir: Path, partition: int, low: int) -> Path:
    return rows_dir / f"{partition:05d}" / f"docs-{low:012d}.npy"


def store_segments(folder: str, num_perm: int, kept_paths: list[str], low: int, source_at: int, bands: int, rows: int,
                   partitions: int, rows_dir: str) -> int:
    """A store task: the signatures of some consecutive cleaned batches (their kept files) into the store's files, and their band rows.

    The documents are `low`, `low + 1`, ... and their sources start at byte
    `source_at`: the rows written are the bytes `SignatureStore.add` would
    have written there, so the store is the local run's.
    """
    ids, exacts, words, lengths, minhashes, sources = [], [], [], [], [], []
    for path in kept_paths:
        for source, record_id, n_words, exact, minhash in read_stream(path, delete=False):
            encoded = source.encode("utf-8", "surrogateescape")
            ids.append(int(record_id, 16))
            exacts.append(exact)
            words.append(n_words)
            lengths.append(len(encoded))
            minhashes.append(minhash)
            sources.append(encoded)
    docs = np.zeros(len(ids), dtype=DOC_DTYPE)
    docs["id"], docs["exact"], docs["words"], docs["source_len"] = ids, exacts, words, lengths
    docs["source_at"] = source_at + np.cumsum(docs["source_len"], dtype=np.uint64) - docs["source_len"]
    block = np.frombuffer(b"".join(minhashes), dtype="<u4").reshape(len(ids), num_perm)
    write_at(Path(folder) / "minhash.u32", block.tobytes(), low * num_perm * 4)
    write_at(Path(folder) / "docs.bin", docs.tobytes(), low * DOC_DTYPE.itemsize)
    write_at(Path(folder) / "sources.txt", b"".join(sources), source_at)
    return write_band_rows(block, docs["exact"], low, bands, rows, partitions, rows_dir)


def write_at(path: Path, data: bytes, offset: int) -> None:
    """`data` into the file `path` (which exists) at `offset`: ranges of one file, each written by its own task."""
    handle = os.open(path, os.O_WRONLY)
    try:
        view = memoryview(data)
        while view:
            written = os.pwrite(handle, view, offset)
            view, offset = view[written:], offset + written
    finally:
        os.close(handle)


def band_rows_file(rows_dir: Path, partition: int, low: int) -> Path:
    return rows_dir / f"{partition:05d}" / f"docs-{low:012d}.npy"


def write_band_rows(block: np.ndarray, exact: np.ndarray, low: int, bands: int, rows: int, partitions: int, rows_dir: str) -> int:
    """Documents `low`.. (their MinHash values `block`): every band's key and the exact hash (band `EXACT_BAND`),
    as (band, key, index) rows split by partition of the key."""
    n = len(block)
    table = np.empty((bands + 1) * n, dtype=BAND_ROW)
    indexes = np.arange(low, low + n, dtype=np.int64)
    for band in range(bands + 1):
        chunk = table[band * n : (band + 1) * n]
        chunk["band"] = band if band < bands else EXACT_BAND
        chunk["key"] = band_keys(block, band * rows, rows) if band < bands else exact
        chunk["index"] = indexes
    partition_of = (table["key"] % np.uint64(partitions)).astype(np.int64)
    for partition in range(partitions):
        path = band_rows_file(Path(rows_dir), partition, low)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp.npy")
        np.save(temporary, table[partition_of == partition])
        os.replace(temporary, path)
    return len(table)


def verified_pairs(folder: str, count: int, num_perm: int, rows_dir: str, partition: int, cut: float) -> np.ndarray:
    """One partition's buckets (documents sharing a band's key or their exact hash) and the pairs in them that `dedup.Joiner` would join.

    Exact copies are all joined; LSH buckets of two are checked in array
    operations, larger ones by `similar_pairs`; which pairs come out
    depends only on the bucket's documents, so the clusters joined from
    them are the local ones.
    """
    files = sorted((Path(rows_dir) / f"{partition:05d}").glob("docs-*.npy"))
    table = np.concatenate([np.load(file) for file in files]) if files else np.empty(0, dtype=BAND_ROW)
    if not len(table):
        return np.empty((0, 2), dtype=np.int64)
    minhashes = np.memmap(Path(folder) / "minhash.u32", dtype="<u4", mode="r", shape=(count, num_perm))
    docs = np.memmap(Path(folder) / "docs.bin", dtype=DOC_DTYPE, mode="r", shape=(count,))
    table = table[np.lexsort((table["index"], table["key"], table["band"]))]
    same = (table["band"][1:] == table["band"][:-1]) & (table["key"][1:] == table["key"][:-1])
    starts = np.flatnonzero(np.r_[True, ~same])
    sizes = np.diff(np.r_[starts, len(table)])
    index = table["index"]
    exact = table["band"][starts] == EXACT_BAND
    twos = starts[(sizes == 2) & ~exact]
    firsts, seconds = index[twos], index[twos + 1]
    found = [np.empty((0, 2), dtype=np.int64)]
    for low in range(0, len(firsts), 1 << 16):
        a, b = firsts[low : low + (1 << 16)], seconds[low : low + (1 << 16)]
        similar = (np.asarray(minhashes[a]) == np.asarray(minhashes[b])).mean(axis=1) >= cut
        found.append(np.stack([a[similar], b[similar]], axis=1))
    for start, size, same in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist(), exact[sizes > 1].tolist()):
        members = index[start : start + size]
        if same:
            found.append(np.stack([np.full(size - 1, members[0]), members[1:]], axis=1))
            continue
        if size == 2:
            continue
        pairs = similar_pairs(members, minhashes, docs, cut)
        if pairs:
            found.append(np.asarray(pairs, dtype=np.int64))
    return np.concatenate(found)

