"""`cleaner.allocator`: which allocator a run restarts itself under, and that a real run does, with the same output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cleaner import allocator
from cleaner.allocator import ENV, PRELOAD, Restart, active, find_mimalloc, preloaded, restart, wanted, without
from cleaner.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
OUTPUTS = ("corpus-00000.jsonl", "rejects.jsonl", "duplicates.jsonl", "report-data.json.gz")
MIMALLOC = find_mimalloc()
needs_mimalloc = pytest.mark.skipif(MIMALLOC is None, reason="mimalloc is not installed (Debian: apt-get install libmimalloc2.0)")


def library(directory: Path, name: str) -> str:
    path = directory / name
    path.write_bytes(b"\x7fELF")
    return str(path)


def test_find_mimalloc_takes_the_newest_name_in_the_first_directory_holding_one(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    older = library(second, "libmimalloc.so.2")
    assert find_mimalloc([first, second]) == older
    newer = library(second, "libmimalloc.so.3")
    assert find_mimalloc([first, second]) == newer
    assert find_mimalloc([first]) is None


def test_wanted_reads_the_choice_from_the_environment(tmp_path: Path) -> None:
    found = library(tmp_path, "libmimalloc.so.2")
    other = library(tmp_path, "libjemalloc.so.2")
    assert wanted({}, [tmp_path]) == found
    assert wanted({ENV: "auto"}, [tmp_path]) == found
    assert wanted({ENV: " "}, [tmp_path]) == found
    assert wanted({ENV: "system"}, [tmp_path]) is None
    assert wanted({ENV: str(other)}, [tmp_path]) == other
    assert wanted({}, [tmp_path / "none"]) is None


def test_an_allocator_that_is_not_a_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not 'auto', 'system' or the path of a shared library"):
        wanted({ENV: str(tmp_path / "libmissing.so")})


def test_restart_adds_the_library_to_what_the_user_preloads(tmp_path: Path) -> None:
    lib = library(tmp_path, "libmimalloc.so.2")
    argv = ["python3", "-m", "cleaner", "run", "in", "--output", "out"]
    plan = restart(argv, "/usr/bin/python3", {"HOME": "/root", PRELOAD: "/opt/libtrace.so"}, lib)
    assert plan == Restart("/usr/bin/python3", argv, {"HOME": "/root", PRELOAD: f"/opt/libtrace.so {lib}"})
    assert restart(argv, "/usr/bin/python3", {}, lib).env == {PRELOAD: str(lib)}


def test_no_restart_when_the_library_or_another_allocator_is_preloaded(tmp_path: Path) -> None:
    lib = library(tmp_path, "libmimalloc.so.2")
    argv = ["cleaner", "run"]
    assert restart(argv, "/usr/bin/python3", {PRELOAD: f"/opt/a.so:{lib}"}, lib) is None  # after the restart
    assert restart(argv, "/usr/bin/python3", {PRELOAD: "/usr/lib/libjemalloc.so.2"}, lib) is None  # the user's choice
    assert restart(argv, "/usr/bin/python3", {}, None) is None
    assert restart(argv, "", {}, lib) is None
    assert restart([], "/usr/bin/python3", {}, lib) is None


def test_no_restart_off_linux(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(allocator.sys, "platform", "darwin")
    assert restart(["cleaner", "run"], "/usr/bin/python3", {}, library(tmp_path, "libmimalloc.so.2")) is None


def test_without_takes_only_the_library_out() -> None:
    assert without({PRELOAD: "/a.so /lib/libmimalloc.so.2", "X": "1"}, "/lib/libmimalloc.so.2") == {PRELOAD: "/a.so", "X": "1"}
    assert without({PRELOAD: "/lib/libmimalloc.so.2"}, "/lib/libmimalloc.so.2") == {}
    assert without({"X": "1"}, None) == {"X": "1"}
    assert preloaded({PRELOAD: " /a.so:/b.so  /c.so "}) == ["/a.so", "/b.so", "/c.so"]


def test_active_names_the_allocator_mapped_into_the_process(tmp_path: Path) -> None:
    maps = tmp_path / "maps"
    maps.write_text(
        "55d0-55d1 r--p 00000000 08:01 1 /usr/bin/python3.11\n"
        "7f00-7f01 r-xp 00000000 08:01 2 /usr/lib/x86_64-linux-gnu/libmimalloc.so.2.0\n"
        "7f02-7f03 rw-p 00000000 00:00 0 \n"
    )
    assert active(maps) == "/usr/lib/x86_64-linux-gnu/libmimalloc.so.2.0"
    maps.write_text("55d0-55d1 r--p 00000000 08:01 1 /usr/bin/python3.11\n")
    assert active(maps) == ""
    assert active(tmp_path / "none") == ""


def run_fixtures(output: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "LD_DEBUG": "libs", **env}
    environment.pop(PRELOAD, None)
    return subprocess.run(
        [sys.executable, "-m", "cleaner", "run", str(FIXTURES / "input"), "--output", str(output), "--quiet"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300,
    )


def loaded_mimalloc(stderr: str) -> bool:
    """Whether the dynamic loader's trace (`LD_DEBUG=libs`) shows mimalloc initialised in the process or its workers."""
    return any("calling init" in line and "libmimalloc" in line for line in stderr.splitlines())


@needs_mimalloc
def test_a_run_restarts_under_mimalloc_and_writes_what_it_writes_without(tmp_path: Path) -> None:
    with_it = run_fixtures(tmp_path / "mimalloc")
    without_it = run_fixtures(tmp_path / "system", **{ENV: "system"})
    assert with_it.returncode == 0 and without_it.returncode == 0, with_it.stderr[-2000:] + without_it.stderr[-2000:]
    assert loaded_mimalloc(with_it.stderr)
    assert not loaded_mimalloc(without_it.stderr)
    for name in OUTPUTS:
        assert (tmp_path / "mimalloc" / name).read_bytes() == (FIXTURES / "expected" / name).read_bytes(), name
        assert (tmp_path / "system" / name).read_bytes() == (FIXTURES / "expected" / name).read_bytes(), name


def test_a_missing_allocator_is_a_one_line_error(tmp_path: Path) -> None:
    done = run_fixtures(tmp_path / "out", **{ENV: str(tmp_path / "libmissing.so")})
    errors = [line for line in done.stderr.splitlines() if line.startswith("cleaner:")]
    assert done.returncode == 2
    assert errors == [f"cleaner: error: {ENV}={tmp_path / 'libmissing.so'}: not 'auto', 'system' or the path of a shared library"]
    assert "Traceback" not in done.stderr


def test_restart_early_only_for_a_corpus_command_and_leaves_a_bad_choice_to_the_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(allocator, "restart_with_allocator", lambda: calls.append(1))
    for argv in (["cleaner", "run", "in"], ["cleaner", "learn-rules", "in"], ["cleaner", "explain", "f"], ["cleaner", "--help"], ["cleaner"]):
        allocator.restart_early(argv)
    assert calls == [1, 1]

    def refuse() -> None:
        raise ConfigError("no such allocator")

    monkeypatch.setattr(allocator, "restart_with_allocator", refuse)
    allocator.restart_early(["cleaner", "run", "in"])  # no exception: `cli.main` restarts again and reports it
