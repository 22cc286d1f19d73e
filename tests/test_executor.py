"""The local executor starts no more worker processes than a run can use."""

import concurrent.futures
import gc
import json
import os
from pathlib import Path

import pytest

from cleaner.cli import main
from cleaner.config import Config
from cleaner.executor import LocalExecutor

from conftest import article


def pid_of(item: int) -> tuple[int, int]:
    return item, os.getpid()


def test_a_stage_of_one_task_runs_in_this_process() -> None:
    with LocalExecutor(4, Config()) as local:
        assert list(local.map(pid_of, [7])) == [(7, os.getpid())]
        assert list(local.map(pid_of, [])) == []
        assert local.pool is None


def test_the_pool_has_a_process_per_task_up_to_the_workers() -> None:
    with LocalExecutor(4, Config()) as local:
        results = list(local.map(pid_of, range(3)))
        assert [item for item, _pid in results] == [0, 1, 2]
        assert local.pool is not None and local.pool_size == 3
        assert os.getpid() not in {pid for _item, pid in results}
        assert list(local.map(pid_of, [9]))[0][1] != os.getpid()  # once started, the pool runs every stage
        results = list(local.map(pid_of, range(10)))  # a later, larger stage: the pool grows to the workers
        assert [item for item, _pid in results] == list(range(10)) and local.pool_size == 4
    assert local.pool is None


def test_one_worker_never_starts_a_pool() -> None:
    with LocalExecutor(1, Config()) as local:
        assert {pid for _item, pid in local.map(pid_of, range(5))} == {os.getpid()}
        assert local.pool is None


def frozen_of(item: int) -> tuple[int, int]:
    return item, gc.get_freeze_count()


def test_a_pool_worker_freezes_its_built_heap_and_this_process_never_does() -> None:
    before = gc.get_freeze_count()
    with LocalExecutor(2, Config()) as local:
        assert all(frozen > before for _item, frozen in local.map(frozen_of, range(2)))
    with LocalExecutor(1, Config()) as local:
        assert [frozen for _item, frozen in local.map(frozen_of, range(2))] == [before, before]
    assert gc.get_freeze_count() == before


def test_a_process_the_run_owns_is_settled_after_its_first_task() -> None:
    before = gc.get_freeze_count()
    try:
        with LocalExecutor(1, Config(), own_process=True) as local:
            (_, first), (_, second) = local.map(frozen_of, range(2))
        assert first == before < second  # the first task built what it needs; then the heap was settled
    finally:
        gc.unfreeze()


class NoPool:
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("a worker pool was started")


def test_a_run_over_one_file_starts_no_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "story.txt").write_text("A headline\n\n" + "\n\n".join(article(5)))
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", NoPool)  # imported by `ensure_pool` when it starts one
    for extra in ([], ["--site-by", "none"]):
        out = tmp_path / f"out{len(extra)}"
        assert main(["run", str(tmp_path / "in"), "-o", str(out), "-q", "--workers", "4", *extra]) == 0
        assert [json.loads(line)["source"] for line in (out / "corpus-00000.jsonl").read_text().splitlines()] == ["story.txt"]


def test_a_run_of_a_few_tasks_starts_a_worker_per_task(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sizes = []
    real = concurrent.futures.ProcessPoolExecutor

    def recording(max_workers: int, **kwargs: object):
        sizes.append(max_workers)
        return real(max_workers=max_workers, **kwargs)

    (tmp_path / "in").mkdir()
    for n in range(9):  # 9 documents: two tasks of at most 8 (runner.BATCH_RECORDS) with --site-by none
        (tmp_path / "in" / f"{n}.txt").write_text(f"Story {n}\n\n" + "\n\n".join(article(10 + n)))
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", recording)
    assert main(["run", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-q", "--workers", "8", "--site-by", "none"]) == 0
    assert sizes == [2]


def test_a_two_pass_run_of_a_few_dozen_files_still_keeps_several_workers_busy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """40 files are fewer than one task of runner.TASK_RECORDS: the ramps cut them into a few tasks, a worker each."""
    from cleaner import runner
    from cleaner.records import Unit

    sizes = []
    real = concurrent.futures.ProcessPoolExecutor

    def recording(max_workers: int, **kwargs: object):
        sizes.append(max_workers)
        return real(max_workers=max_workers, **kwargs)

    assert 40 < runner.TASK_RECORDS
    tasks = len(list(runner.task_batches(Unit(str(n), str(n)) for n in range(40))))
    assert 2 <= tasks < 8
    (tmp_path / "in").mkdir()
    for n in range(40):
        (tmp_path / "in" / f"{n:02d}.txt").write_text(f"Story {n}\n\n" + "\n\n".join(article(30 + n)))
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", recording)
    assert main(["run", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-q", "--workers", "8"]) == 0
    assert sizes == [tasks]


def test_a_run_over_one_file_imports_no_process_pool(tmp_path: Path) -> None:
    from conftest import modules_loaded_by

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "story.txt").write_text("A headline\n\n" + "\n\n".join(article(5)))
    code = f"from cleaner.cli import main; main(['run', {str(tmp_path / 'in')!r}, '-o', {str(tmp_path / 'out')!r}, '-q'])"
    loaded = modules_loaded_by(code)
    assert "cleaner" in loaded and "multiprocessing" not in loaded
    assert (tmp_path / "out" / "corpus-00000.jsonl").is_file()


def test_the_pool_says_when_every_task_of_a_stage_is_sent() -> None:
    with LocalExecutor(2, Config()) as local:
        seen = []

        def items():
            for item in range(12):
                seen.append(local.draining)
                yield item

        results = local.map(pid_of, items())
        draining = [local.draining for _result in results]
        assert seen == [False] * 12  # never while items are still being sent
        # a window of 2 workers x 4 tasks: a result is read once 8 are in flight, so 7 are left when the last goes
        assert draining == [False] * 5 + [True] * 7
        assert list(local.map(pid_of, [1, 2])) and local.draining  # a later stage starts afresh, drains again


class RecordedCounts:
    """A stand-in for `LineCounts` that notes what the count reduce does to it."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def add(self, site: str, keys: list[bytes], texts: list[str] | None) -> None:
        self.calls.append("add")

    def flush(self) -> None:
        self.calls.append("flush")


def test_the_count_reduce_writes_each_batch_once_every_parse_task_is_sent(tmp_path: Path) -> None:
    from cleaner.stages import ParsedBatch, write_stream

    def batch(number: int) -> ParsedBatch:
        path = tmp_path / f"counted-{number}.pickle"
        write_stream(path, [("site", [b"k" * 8], None)] * 2)
        return ParsedBatch(number, str(path), documents=2)

    local = LocalExecutor(2, Config())
    counts = RecordedCounts()

    def parsed():
        for number in range(4):
            local.draining = number >= 2  # as `map` sets it: the last two batches come after every task is sent
            yield batch(number)

    assert [b.number for b in local.count_lines(parsed(), counts)] == [0, 1, 2, 3]
    assert counts.calls == ["add", "add", "add", "add", "add", "add", "flush", "add", "add", "flush", "flush"]
