"""A run's life: one run per output directory, signals, a full disk, an atomic --overwrite, resuming."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from cleaner.cli import main
from cleaner.records import Unit
from cleaner.runner import task_batches
from cleaner.writer import OutputDir


def run_cli(*args: str) -> int:
    return main(["run", *args, "--quiet"])


def outputs(out: Path) -> dict[str, bytes]:
    """Every visible output file but the summary (which holds the run's time)."""
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if not p.name.startswith(".") and p.name != "summary.json"}


def test_a_second_run_into_a_held_output_directory_is_refused(fixtures_dir: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "out"
    first = OutputDir(out)  # a run in progress holds the directory
    assert run_cli(str(fixtures_dir / "input/text"), "-o", str(out)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "in use by another run" in err and f"pid {os.getpid()}" in err
    assert not list(out.glob("corpus-*"))
    first.abort()
    assert run_cli(str(fixtures_dir / "input/text"), "-o", str(out)) == 0


# --- signals and orphans ----------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def make_pages(root: Path, pages: int = 400) -> Path:
    """A crawl of `pages` HTML pages over four sites: a few seconds of work for two workers."""
    from conftest import html_page

    for n in range(pages):
        site = f"site{n % 4}.example"
        folder = root / site
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{n:04d}.html").write_bytes(html_page(n, site))
    return root


STARTED: list[int] = []  # every process a test started or saw as a worker, killed if a test leaves one behind


@pytest.fixture(autouse=True)
def no_leftover_processes():
    yield
    import signal

    for pid in STARTED:
        if running(pid):
            os.kill(pid, signal.SIGKILL)
    STARTED.clear()


def start_run(*args: str, env: dict[str, str] | None = None):
    """`cleaner run` from this worktree in a process of its own."""
    import subprocess
    import sys

    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    process = subprocess.Popen([sys.executable, "-m", "cleaner", "run", *args, "--quiet"], env=environment,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    STARTED.append(process.pid)
    return process


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def running(pid: int) -> bool:
    """Whether `pid` exists and is not a zombie."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def wait_for(condition, seconds: float = 60.0) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def workers_of_started_run(process, out: Path) -> list[int]:
    """The run's worker processes, once the first pass is well under way (it has spilled parsed batches)."""
    assert wait_for(lambda: len(children_of(process.pid)) >= 2 and len(list(out.glob(".cleaner-*/parsed/*"))) >= 2)
    workers = children_of(process.pid)
    STARTED.extend(workers)
    return workers


linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


@linux_only
@pytest.mark.slow
def test_workers_die_with_a_killed_parent(tmp_path: Path) -> None:
    import signal

    out = tmp_path / "out"
    process = start_run(str(make_pages(tmp_path / "crawl")), "-o", str(out), "--workers", "2")
    workers = workers_of_started_run(process, out)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert wait_for(lambda: not any(running(pid) for pid in workers), 10), "orphaned workers"


@linux_only
@pytest.mark.slow
def test_sigterm_aborts_cleanly_with_143_and_no_staging_left(tmp_path: Path) -> None:
    import signal

    out = tmp_path / "out"
    process = start_run(str(make_pages(tmp_path / "crawl")), "-o", str(out), "--workers", "2")
    workers = workers_of_started_run(process, out)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 143 and err.strip().splitlines() == ["cleaner: terminated"]
    assert list(out.iterdir()) == []
    assert wait_for(lambda: not any(running(pid) for pid in workers), 10), "orphaned workers"


def test_staging_left_by_a_killed_run_is_removed_by_the_next(fixtures_dir: Path, tmp_path: Path) -> None:
    stale = tmp_path / "out" / ".cleaner-staging-killed"
    (stale / "parts").mkdir(parents=True)
    (stale / "parts" / "part-000000000.records.jsonl").write_text("{}\n")
    assert run_cli(str(fixtures_dir / "input/text"), "-o", str(tmp_path / "out")) == 0
    assert not stale.exists() and not list((tmp_path / "out").glob(".cleaner-*"))


# --- a full disk --------------------------------------------------------------------------


def disk_full(*args: object, **kwargs: object) -> None:
    import errno

    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def database_full(*args: object, **kwargs: object) -> None:
    import sqlite3

    raise sqlite3.OperationalError("database or disk is full")


@pytest.mark.parametrize("where, failure, workers", [
    ("cleaner.writer.PartWriter.write_record", disk_full, "1"),  # a cleaning task's part file
    ("cleaner.writer.PartWriter.write_record", disk_full, "2"),  # ... in a worker process
    ("cleaner.stages.write_stream", disk_full, "2"),  # a parse task's spill, in a worker
    ("cleaner.runner.join_files", disk_full, "2"),  # the parent joining the rejects
    ("cleaner.repetition.LineCounts.flush", database_full, "2"),  # the parent's count reduce
])
@pytest.mark.usefixtures("pool_for_one_task")  # what happens in a worker process
def test_a_full_disk_is_a_one_line_error_and_earlier_output_stays(fixtures_dir: Path, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture,
                                                                   monkeypatch: pytest.MonkeyPatch,
                                                                   where: str, failure, workers: str) -> None:
    import multiprocessing

    if workers != "1" and multiprocessing.get_start_method() != "fork":
        pytest.skip("the workers see the patch only when they are forked")
    out = tmp_path / "out"
    args = (str(fixtures_dir / "input"), "-o", str(out), "--workers", workers)
    assert run_cli(*args) == 0
    earlier = outputs(out)
    capsys.readouterr()
    monkeypatch.setattr(where, failure)
    assert run_cli(*args, "--overwrite") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("cleaner: error: ") and "no space left" in err, err
    assert outputs(out) == earlier


@pytest.mark.parametrize("where, failure", [
    ("cleaner.repetition.LineCounts.flush", database_full),  # the count reduce's database
    ("cleaner.learn.site_rule_file", disk_full),  # writing a rule file
])
def test_learn_rules_on_a_full_disk_is_a_one_line_error_and_earlier_rules_stay(
        fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch,
        where: str, failure) -> None:
    out = tmp_path / "rules"
    args = ["learn-rules", str(fixtures_dir / "input"), "-o", str(out), "--repeat-min-docs", "2"]
    assert main(args) == 0 and list(out.glob("*.toml"))
    earlier = outputs(out)
    capsys.readouterr()
    monkeypatch.setattr(where, failure)
    assert main([*args, "--overwrite"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("cleaner: error: ") and "no space left" in err, err
    assert outputs(out) == earlier and not list(out.glob(".cleaner-*"))


# --- an atomic --overwrite ---------------------------------------------------------------


def test_a_directory_where_an_output_file_goes_is_refused_before_anything_is_touched(
        fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "out"
    args = (str(fixtures_dir / "input"), "-o", str(out))
    assert run_cli(*args) == 0
    (out / "summary.json").unlink()
    (out / "summary.json").mkdir()
    earlier = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    capsys.readouterr()
    assert run_cli(*args, "--overwrite") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "summary.json" in err and "directory" in err, err
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == earlier
    assert (out / "summary.json").is_dir() and not list(out.glob(".cleaner-*"))


def test_a_commit_that_fails_halfway_puts_the_old_output_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    import cleaner.writer

    for name in ("corpus-00000.jsonl", "corpus-00001.jsonl", "rejects.jsonl", "summary.json"):
        (tmp_path / name).write_text(f"old {name}\n")
    out = OutputDir(tmp_path, overwrite=True)
    for name in ("corpus-00000.jsonl", "rejects.jsonl"):
        (out.staging / name).write_text("new\n")
    real_replace = os.replace

    def fail_on_rejects(source, target) -> None:
        if Path(source) == out.staging / "rejects.jsonl":  # moving the new rejects in
            raise OSError(errno.EIO, "I/O error")
        real_replace(source, target)

    monkeypatch.setattr(cleaner.writer.os, "replace", fail_on_rejects)
    with pytest.raises(OSError):
        out.commit(["corpus-00000.jsonl", "rejects.jsonl"], {})
    out.abort()
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == {
        name: f"old {name}\n" for name in ("corpus-00000.jsonl", "corpus-00001.jsonl", "rejects.jsonl", "summary.json")}


# --- resuming -----------------------------------------------------------------------------


def summary_without_timing(out: Path) -> dict:
    summary = json.loads((out / "summary.json").read_text())
    return {key: value for key, value in summary.items() if key not in ("seconds", "docs_per_s")}


def processes_with(token: str) -> list[int]:
    """The running processes whose environment holds `token` (a run and its workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and token.encode() in (entry / "environ").read_bytes() and running(int(entry.name)):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.fixture(scope="module")
def crawl_and_reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """400 pages and their corpus from an uninterrupted run."""
    root = tmp_path_factory.mktemp("resume")
    crawl = make_pages(root / "crawl")
    reference = root / "reference"
    process = start_run(str(crawl), "-o", str(reference), "--workers", "2", "--shard-size", "40")
    assert process.wait() == 0
    return crawl, reference


@linux_only
@pytest.mark.slow
@pytest.mark.parametrize("point", ["parse:3", "counted", "clean:3", "dedup", "write:2", "commit:3"])
def test_a_killed_run_resumes_to_the_same_output(crawl_and_reference: tuple[Path, Path], tmp_path: Path, point: str) -> None:
    import signal
    import uuid

    crawl, reference = crawl_and_reference
    out = tmp_path / "out"
    args = (str(crawl), "-o", str(out), "--workers", "2", "--shard-size", "40")
    token = f"CLEANER_TEST_TOKEN={uuid.uuid4().hex}"
    killed = start_run(*args, env={"CLEANER_TEST_KILL_AT": point, "CLEANER_TEST_TOKEN": token.partition("=")[2]})
    assert killed.wait(timeout=120) == -signal.SIGKILL, killed.stderr.read()
    assert wait_for(lambda: not processes_with(token), 10), "orphaned workers"
    assert (out / ".cleaner-run" / "done").is_dir()
    assert len(list(out.glob("corpus-*"))) == (3 if point == "commit:3" else 0)  # a commit moves the shards first
    resumed = start_run(*args, "--resume")
    assert resumed.wait(timeout=120) == 0, resumed.stderr.read()
    assert outputs(out) == outputs(reference)
    assert summary_without_timing(out) == summary_without_timing(reference)
    assert not list(out.glob(".cleaner-*"))


def not_again(*args: object, **kwargs: object) -> None:
    raise AssertionError("a finished task was done again")


@pytest.mark.parametrize("site_by", ["auto", "none"])
def test_resume_refuses_other_options_and_continues_after_a_full_disk_without_redoing_tasks(
        fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch,
        site_by: str) -> None:
    reference, out = tmp_path / "reference", tmp_path / "out"
    args = (str(fixtures_dir / "input"), "--workers", "1", "--site-by", site_by, "--shard-size", "3")
    assert run_cli(*args, "-o", str(reference)) == 0
    with monkeypatch.context() as patch:
        patch.setattr("cleaner.runner.join_files", disk_full)  # after every task has finished
        assert run_cli(*args, "-o", str(out)) == 2
    assert "--resume" in capsys.readouterr().err
    done = sorted(p.name for p in (out / ".cleaner-run" / "done").iterdir())
    assert any(name.startswith("write-") for name in done) and ("counts-all.pickle" in done) == (site_by == "auto")
    assert run_cli(*args, "-o", str(out), "--resume", "--min-words", "3") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "other options" in err
    for name in ("cleaner.stages.loaded", "cleaner.stages.cleaned_batch", "cleaner.stages.write_shard"):
        monkeypatch.setattr(name, not_again)
    assert run_cli(*args, "-o", str(out), "--resume") == 0
    assert outputs(out) == outputs(reference)
    assert summary_without_timing(out) == summary_without_timing(reference)


def test_without_resume_a_killed_runs_state_is_started_over(fixtures_dir: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    with monkeypatch.context() as patch:
        patch.setattr("cleaner.runner.join_files", disk_full)
        assert run_cli(str(fixtures_dir / "input"), "-o", str(out)) == 2
    assert (out / ".cleaner-run").is_dir()
    assert run_cli(str(fixtures_dir / "input/text"), "-o", str(out)) == 0
    assert not list(out.glob(".cleaner-*"))


def test_a_full_disk_while_preparing_the_staging_directory_is_one_line(fixtures_dir: Path, tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cleaner.writer.write_atomically", disk_full)
    assert run_cli(str(fixtures_dir / "input/text"), "-o", str(tmp_path / "out")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no space left" in err, err


def test_resume_refuses_an_edited_rule_file(fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    shipped = (ROOT / "rules" / "generic" / "about.toml").read_text(encoding="utf-8")
    (rules / "local.toml").write_text(shipped, encoding="utf-8")  # replaces the shipped rules of the same ids
    args = (str(fixtures_dir / "input/text"), "-o", str(tmp_path / "out"), "--rules", str(rules))
    with monkeypatch.context() as patch:
        patch.setattr("cleaner.runner.join_files", disk_full)
        assert run_cli(*args) == 2
    (rules / "local.toml").write_text(shipped.replace("min_position = 0.5", "min_position = 0.6", 1), encoding="utf-8")
    capsys.readouterr()
    assert run_cli(*args, "--resume") == 2
    assert "other options or inputs" in capsys.readouterr().err


def test_resume_refuses_an_input_file_changed_since(fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = tmp_path / "in"
    shutil.copytree(fixtures_dir / "input/text", inputs)
    args = (str(inputs), "-o", str(tmp_path / "out"))
    with monkeypatch.context() as patch:
        patch.setattr("cleaner.runner.join_files", disk_full)
        assert run_cli(*args) == 2
    edited = sorted(path for path in inputs.rglob("*") if path.is_file())[0]
    edited.write_bytes(edited.read_bytes() + b"\nOne more line.\n")
    capsys.readouterr()
    assert run_cli(*args, "--resume") == 2
    assert "other options or inputs" in capsys.readouterr().err


def test_resume_refuses_another_version_of_a_library_that_makes_the_output(fixtures_dir: Path, tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from cleaner import runner

    args = (str(fixtures_dir / "input/text"), "-o", str(tmp_path / "out"))
    with monkeypatch.context() as patch:
        patch.setattr("cleaner.runner.join_files", disk_full)
        assert run_cli(*args) == 2
    installed = runner.library_versions()
    monkeypatch.setattr(runner, "library_versions", lambda: {**installed, "rensa": "0.5.0"})
    capsys.readouterr()
    assert run_cli(*args, "--resume") == 2
    assert "another version of a library" in capsys.readouterr().err


@linux_only
def test_scratch_holds_the_intermediate_files_and_a_killed_run_resumes_from_it(tmp_path: Path) -> None:
    import signal

    crawl = make_pages(tmp_path / "crawl", pages=80)
    reference, out, scratch = tmp_path / "reference", tmp_path / "out", tmp_path / "scratch"
    assert run_cli(str(crawl), "-o", str(reference), "--workers", "2") == 0
    args = (str(crawl), "-o", str(out), "--workers", "2", "--scratch", str(scratch))
    killed = start_run(*args, env={"CLEANER_TEST_KILL_AT": "counted"})
    assert killed.wait(timeout=120) == -signal.SIGKILL, killed.stderr.read()
    (folder,) = scratch.iterdir()
    tasks = list(task_batches(Unit(str(n), str(n)) for n in range(80)))  # a unit a page
    assert len(tasks) >= 2
    assert len(list((folder / "parsed").iterdir())) == len(tasks)  # each task's parsed pages, waiting for the cleaning pass
    assert (folder / "line-counts.sqlite").is_file()
    assert sorted(p.name for p in (out / ".cleaner-run").iterdir()) == ["done", "manifest.json", "owner.pid"]
    resumed = start_run(*args, "--resume")
    assert resumed.wait(timeout=120) == 0, resumed.stderr.read()
    assert outputs(out) == outputs(reference)
    assert summary_without_timing(out) == summary_without_timing(reference)
    assert not list(scratch.iterdir()) and not list(out.glob(".cleaner-*"))


def test_a_scratch_directory_that_cannot_be_made_is_one_line(fixtures_dir: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "file").write_text("not a directory")
    code = run_cli(str(fixtures_dir / "input"), "-o", str(tmp_path / "out"), "--scratch", str(tmp_path / "file" / "scratch"))
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "cannot create the scratch directory" in err, err
    assert not list((tmp_path / "out").iterdir())
