"""Inputs and outputs by URL (`cleaner/locations.py`): fsspec's in-memory filesystem in this process, `file://` URLs from the CLI."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import fsspec
import pytest

from cleaner.cli import main
from cleaner.config import Config, RunOptions
from cleaner.locations import is_url, list_files
from cleaner.runner import run
from conftest import article

OUTPUTS = ("corpus-00000.jsonl", "rejects.jsonl", "duplicates.jsonl", "report-data.json.gz")


def comparable_summary(summary: dict) -> dict:
    return {key: value for key, value in summary.items() if key not in ("seconds", "docs_per_s")}


def assert_same_output(local: Path, read: callable, names: list[str]) -> None:
    """The files of a URL output (`names`, each read with `read`) are those of the local run, byte for byte."""
    assert sorted(names) == sorted(path.name for path in local.iterdir())
    for name in OUTPUTS:
        if (local / name).exists():
            assert read(name) == (local / name).read_bytes(), name
    assert comparable_summary(json.loads(read("summary.json"))) == comparable_summary(
        json.loads((local / "summary.json").read_text(encoding="utf-8")))


@pytest.fixture
def memory() -> fsspec.AbstractFileSystem:
    fs = fsspec.filesystem("memory")
    yield fs
    for entry in fs.ls("/", detail=False):
        fs.rm(entry, recursive=True)


def upload(fs: fsspec.AbstractFileSystem, folder: Path, prefix: str) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            fs.pipe_file(f"{prefix}/{path.relative_to(folder).as_posix()}", path.read_bytes())


def test_is_url_tells_urls_from_paths() -> None:
    assert is_url("s3://bucket/prefix") and is_url("file:///tmp/x") and is_url("memory://in")
    assert not is_url("data/in") and not is_url("/tmp/x") and not is_url(Path("s3://bucket"))


def test_a_url_folder_lists_as_a_local_walk_sorts(memory: fsspec.AbstractFileSystem) -> None:
    for name in ("a.txt", "a/b.txt", "a-b.txt", "c/d/e.html"):
        memory.pipe_file(f"/in/{name}", b"x")
    assert list(list_files("memory://in")) == ["a/b.txt", "a-b.txt", "a.txt", "c/d/e.html"]


def test_a_run_from_and_to_memory_urls_writes_the_bytes_of_a_local_run(memory: fsspec.AbstractFileSystem, mixed_corpus: Path,
                                                                       tmp_path: Path) -> None:
    upload(memory, mixed_corpus, "/in")
    local = tmp_path / "local"
    run(RunOptions(inputs=(mixed_corpus,), output=local))
    from_url = tmp_path / "from-url"
    run(RunOptions(inputs=("memory://in",), output=from_url))
    assert_same_output(local, lambda name: (from_url / name).read_bytes(), [p.name for p in from_url.iterdir()])
    summary = run(RunOptions(inputs=("memory://in",), output="memory://out"))
    assert sum(summary["rejects"].values()) >= 3 and {"warc", "jsonl"} <= set(summary["formats"])
    names = [entry.rsplit("/", 1)[-1] for entry in memory.ls("/out", detail=False)]
    assert_same_output(local, lambda name: memory.cat_file(f"/out/{name}"), names)


def test_file_urls_from_the_cli_with_two_workers_write_the_bytes_of_a_local_run(mixed_corpus: Path, tmp_path: Path) -> None:
    local = tmp_path / "local"
    assert main(["run", str(mixed_corpus), "-o", str(local), "--quiet", "--workers", "2"]) == 0
    out = tmp_path / "by-url"
    assert main(["run", f"file://{mixed_corpus}", "-o", f"file://{out}", "--quiet", "--workers", "2"]) == 0
    assert_same_output(local, lambda name: (out / name).read_bytes(), [p.name for p in out.iterdir()])


def test_a_missing_input_url_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    missing = f"file://{tmp_path}/nowhere"
    assert main(["run", missing, "-o", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and f"input path not found: {missing}" in err and "Traceback" not in err


def test_a_non_empty_output_url_is_refused_without_overwrite(mixed_corpus: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    assert main(["run", str(mixed_corpus), "-o", f"file://{out}", "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "is not empty (use --overwrite" in err
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert main(["run", str(mixed_corpus), "-o", f"file://{out}", "--quiet", "--overwrite"]) == 0
    assert {"notes.txt", "summary.json", "rejects.jsonl", "corpus-00000.jsonl"} <= {p.name for p in out.iterdir()}
    assert not [p for p in out.iterdir() if p.name.startswith(".cleaner-staging-")]


@pytest.mark.ray
def test_ray_with_file_url_input_and_output_writes_the_bytes_of_a_local_run(mixed_corpus: Path, tmp_path: Path) -> None:
    ray = pytest.importorskip("ray")
    from cleaner.ray_executor import worker_runtime_env

    local = tmp_path / "local"
    assert main(["run", str(mixed_corpus), "-o", str(local), "--quiet", "--workers", "2"]) == 0
    out = tmp_path / "by-url"
    ray.init(num_cpus=2, include_dashboard=False, runtime_env=worker_runtime_env(), log_to_driver=False)
    try:
        assert main(["run", f"file://{mixed_corpus}", "-o", f"file://{out}", "--quiet", "--workers", "2",
                     "--executor", "ray", "--scratch", str(tmp_path / "scratch")]) == 0
    finally:
        ray.shutdown()
    assert_same_output(local, lambda name: (out / name).read_bytes(), [p.name for p in out.iterdir()])


def test_an_output_url_on_a_ray_cluster_without_scratch_is_one_line(mixed_corpus: Path, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture) -> None:
    args = ["run", str(mixed_corpus), "-o", f"file://{tmp_path}/out", "--quiet", "--executor", "ray", "--ray-address", "auto"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "needs --scratch DIR on a path every node mounts" in err


def test_resume_into_an_output_url_is_one_line(mixed_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["run", str(mixed_corpus), "-o", f"file://{tmp_path}/out", "--quiet", "--resume"]) == 2
    assert "--resume needs a local output directory" in capsys.readouterr().err


def count_opens(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Every open of a file of fsspec's in-memory filesystem, by path, in this process."""
    from fsspec.implementations.memory import MemoryFileSystem

    opens: Counter = Counter()
    real = MemoryFileSystem._open

    def counted(self: MemoryFileSystem, path: str, *args: object, **kwargs: object) -> object:
        opens[self._strip_protocol(path)] += 1
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(MemoryFileSystem, "_open", counted)
    return opens


def test_a_container_split_into_several_tasks_is_fetched_once(memory: fsspec.AbstractFileSystem, mixed_corpus: Path,
                                                             tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Planning a URL container copies it into scratch; its units (the WARC makes several) read the copy, not the URL."""
    import cleaner.readers

    upload(memory, mixed_corpus, "/in")
    planned: list = []
    real_plan = cleaner.readers.plan_units

    def plan(*args: object, **kwargs: object) -> object:
        units = list(real_plan(*args, **kwargs))
        planned.extend(units)
        return iter(units)

    monkeypatch.setattr(cleaner.readers, "plan_units", plan)
    opens = count_opens(monkeypatch)
    local = tmp_path / "local"
    run(RunOptions(inputs=(mixed_corpus,), output=local))
    from_url = tmp_path / "from-url"
    run(RunOptions(inputs=("memory://in",), output=from_url))
    assert_same_output(local, lambda name: (from_url / name).read_bytes(), [p.name for p in from_url.iterdir()])
    files = [f"/in/{path.relative_to(mixed_corpus).as_posix()}" for path in sorted(mixed_corpus.rglob("*")) if path.is_file()]
    assert opens == Counter(files)  # every file once: containers by the staging copy, documents by their task
    warc_units = [unit for unit in planned if unit.source == "crawl.warc.gz" and not Path(unit.path).is_relative_to(mixed_corpus)]
    assert len(warc_units) >= 3 and not any(is_url(unit.path) for unit in warc_units)


def test_max_bytes_on_a_url_file_is_checked_before_it_is_fetched(memory: fsspec.AbstractFileSystem, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import cleaner.locations
    import cleaner.readers

    page = "\n\n".join(article(5)).encode()
    memory.pipe_file("/in/big.txt", page * 400)
    memory.pipe_file("/in/big.txt.gz", gzip.compress(page * 400, mtime=0))
    memory.pipe_file("/in/small.txt", page)
    local = tmp_path / "local-in"
    upload_to(local, memory, "/in")
    limit = str(len(page) * 2)
    opens = count_opens(monkeypatch)
    assert main(["run", "memory://in", "-o", str(tmp_path / "by-url"), "--quiet", "--max-bytes", limit]) == 0
    assert opens == Counter({"/in/small.txt": 1})  # the two large files were refused on their reported size
    assert main(["run", str(local), "-o", str(tmp_path / "local"), "--quiet", "--max-bytes", limit]) == 0
    for name in ("rejects.jsonl", "corpus-00000.jsonl"):
        assert (tmp_path / "by-url" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
    rejects = [json.loads(line) for line in (tmp_path / "by-url" / "rejects.jsonl").read_text().splitlines()]
    assert [(r["source"], r["reason"], r["detail"]) for r in rejects] == [
        ("big.txt", "too_large", f"{len(page) * 400} bytes > --max-bytes {limit}"),
        ("big.txt.gz", "too_large", f"{memory.size('/in/big.txt.gz')} compressed bytes > --max-bytes {limit}"),
    ]

    copied: list[int] = []  # a filesystem that does not report sizes: the stream is stopped past the limit
    real_copy = cleaner.locations.copy_stream
    monkeypatch.setattr(cleaner.readers, "url_size", lambda url: None)
    monkeypatch.setattr(cleaner.locations, "copy_stream", lambda *args: copied.append(real_copy(*args)) or copied[-1])
    assert main(["run", "memory://in/big.txt", "-o", str(tmp_path / "streamed"), "--quiet", "--max-bytes", limit]) == 0
    (reject,) = [json.loads(line) for line in (tmp_path / "streamed" / "rejects.jsonl").read_text().splitlines()]
    assert (reject["reason"], copied) == ("too_large", [int(limit) + 1])
    assert reject["detail"].startswith(f"more than --max-bytes {limit}")


def upload_to(folder: Path, fs: fsspec.AbstractFileSystem, prefix: str) -> None:
    """The files under `prefix` of `fs`, downloaded into `folder` (the same input as a local folder)."""
    folder.mkdir(parents=True)
    for path in fs.find(prefix):
        (folder / path[len(prefix):].lstrip("/")).write_bytes(fs.cat_file(path))


@pytest.mark.parametrize("site_by", ["auto", "none"])
def test_a_staged_copy_is_deleted_once_the_tasks_reading_it_are_done(memory: fsspec.AbstractFileSystem, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch, site_by: str) -> None:
    """Four JSONL files of two tasks or more each: scratch holds the copies of the files being read, never all four, and none once read."""
    import cleaner.runner

    local = tmp_path / "local-in"
    local.mkdir()
    per_file = 2 * cleaner.runner.TASK_RECORDS  # two full tasks at least, whatever the ramp (site_by auto), 16 with --site-by none
    for f in range(4):
        lines = [json.dumps({"id": f"{f}-{n}", "text": "\n\n".join(article(f * 1000 + n, 2))}) for n in range(per_file)]
        (local / f"part-{f}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    upload(memory, local, "/in")
    seen: list[tuple[str, int]] = []

    def look(stage: str, number: int | None = None) -> None:
        copies = list((tmp_path / "by-url").glob(f"**/{cleaner.runner.STAGED_INPUTS}/*"))
        seen.append((stage, len(copies)))

    options = {"config": replace(Config(), site_by=site_by)}
    run(RunOptions(inputs=(local,), output=tmp_path / "local", **options))
    monkeypatch.setattr(cleaner.runner, "kill_point", look)
    run(RunOptions(inputs=("memory://in",), output=tmp_path / "by-url", **options))
    assert_same_output(tmp_path / "local", lambda name: (tmp_path / "by-url" / name).read_bytes(),
                       [p.name for p in (tmp_path / "by-url").iterdir()])
    first_pass = "parse" if site_by == "auto" else "clean"
    reading = [copies for stage, copies in seen if stage == first_pass]
    after = [copies for stage, copies in seen if stage in ("counted", "dedup")]
    assert len(reading) >= 8 and 1 <= min(reading) and max(reading) <= 2, seen  # never all four copies at once
    assert after and set(after) == {0}, seen  # none once the pass that reads the inputs is over


def test_a_url_files_identity_is_the_same_in_every_process(tmp_path: Path) -> None:
    """What a resumed run compares: a later process (another string hash seed) must find the same identity."""
    import os
    import subprocess
    import sys

    (tmp_path / "a.txt").write_text("a\n", encoding="utf-8")
    code = f"from cleaner.locations import file_identity; print(file_identity('file://{tmp_path}/a.txt'))"
    seen = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(Path(__file__).parent.parent)}).stdout
            for seed in ("1", "2")}
    assert len(seen) == 1 and seen.pop().startswith("(2, ")
