"""Inputs and outputs by URL (`cleaner/locations.py`): fsspec's in-memory filesystem in this process, `file://` URLs from the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import fsspec
import pytest

from cleaner.cli import main
from cleaner.config import RunOptions
from cleaner.locations import is_url, list_files
from cleaner.runner import run

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
