"""What the synthetic-crawl benchmarks share: their options, generating the crawl, and timing one CLI run."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def add_crawl_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="generate into (or reuse) this directory instead of a temporary one")


def generate(out: Path, docs: int, sites: int, *synth_args: str) -> float:
    """Write a crawl with `bench/synth.py`; returns the seconds it took."""
    started = time.perf_counter()
    command = [sys.executable, str(PROJECT_ROOT / "bench" / "synth.py"), str(out), "--docs", str(docs), "--sites", str(sites), *synth_args]
    subprocess.run(command, check=True)
    return time.perf_counter() - started


def run_cleaner(corpus: Path, output: Path, workers: int, extra: list[str]) -> tuple[float, float]:
    """Seconds and peak RSS in MiB (of the largest single process, from `os.wait4`) of one `cleaner run`."""
    command = [sys.executable, "-m", "cleaner", "run", str(corpus), "-o", str(output), "--overwrite", "-q",
               "--workers", str(workers), "--min-words", "0", *extra]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=PROJECT_ROOT)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{Path(sys.argv[0]).name}: cleaner failed with status {status}")
    return seconds, usage.ru_maxrss / 1024
