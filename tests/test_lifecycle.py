"""A run's life: one run per output directory, signals, a full disk, an atomic --overwrite, resuming."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cleaner.cli import main
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
