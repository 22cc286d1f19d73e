"""The run report on a large synthetic crawl: what sampling costs a run, how long the report takes, its size, how fast it opens.

Generates a deterministic crawl with `bench/synth.py` (100,000 pages in 200
sites by default, 2% planted near duplicates), then runs the real CLI on it
with the report's sampling on and off (`--no-report-data`), alternating, for
`--rounds` rounds: wall seconds and CPU seconds (the run's process and its
workers), with the medians and their ratios. Then, on the output of the last
run with sampling: `cleaner report` (wall seconds, from a fresh interpreter,
so matplotlib's import counts), the file's size, and the time headless
Chromium takes to open it and run its script (`--dump-dom`, wall seconds,
next to a blank page opened the same way; and the script's own time, which
the page records in `data-rendered-ms`).

    python bench/report.py [--docs 100000] [--sites 200] [--workers 2] [--rounds 3] [--keep DIR]
    python bench/report.py --output-dir DIR    # only the report of a finished run
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crawl_runs import PROJECT_ROOT, add_crawl_arguments, generate

TARGET_REPORT_SECONDS = 10.0
TARGET_REPORT_BYTES = 5_000_000
TARGET_OPEN_SECONDS = 3.0
TARGET_COST = 1.03
BROWSER_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync")


def timed(command: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall and CPU seconds (the process and every descendant it waited for) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"{' '.join(command[:4])}... failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, done


def clean(corpus: Path, output: Path, workers: int, sampling: bool) -> tuple[float, float]:
    command = [sys.executable, "-m", "cleaner", "run", str(corpus), "-o", str(output), "--overwrite", "-q",
               "--workers", str(workers), *([] if sampling else ["--no-report-data"])]
    wall, cpu, _ = timed(command)
    return wall, cpu


def open_in_browser(browser: str, page: Path, profile: Path) -> tuple[float, str]:
    shutil.rmtree(profile, ignore_errors=True)
    wall, _cpu, done = timed([browser, *BROWSER_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()])
    return wall, done.stdout


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def measure_runs(corpus: Path, scratch: Path, workers: int, rounds: int) -> Path:
    """Runs with sampling on and off, alternating; prints each and the medians; returns the last output with sampling."""
    runs: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for round_number in range(rounds):
        for sampling in (True, False) if round_number % 2 == 0 else (False, True):
            runs[sampling].append(clean(corpus, scratch / ("on" if sampling else "off"), workers, sampling))
            wall, cpu = runs[sampling][-1]
            print(f"round {round_number + 1}: sampling {'on ' if sampling else 'off'}  {wall:7.1f} s wall  {cpu:7.1f} s CPU", flush=True)
    summary = json.loads((scratch / "on" / "summary.json").read_text())
    print(f"records {summary['records_seen']:,}, documents written {summary['documents_written']:,}, workers {workers}")
    for label, index in (("wall", 0), ("CPU", 1)):
        on = statistics.median(run[index] for run in runs[True])
        off = statistics.median(run[index] for run in runs[False])
        print(f"run, median {label:4s} of {rounds}: sampling on {on:7.1f} s, off {off:7.1f} s, on/off {on / off:.3f}  "
              f"target <= {TARGET_COST}  {verdict(on / off <= TARGET_COST)}")
    return scratch / "on"


def measure_report(output: Path, scratch: Path) -> None:
    """`cleaner report` on a run's output: its time, the file's size, and how fast headless Chromium opens it."""
    summary = json.loads((output / "summary.json").read_text())
    report_wall, report_cpu, _ = timed([sys.executable, "-m", "cleaner", "report", str(output)])
    page = output / "report.html"
    size = page.stat().st_size
    data_size = (output / "report-data.json.gz").stat().st_size
    print(f"report of a run of {summary['records_seen']:,} records: written in {report_wall:.1f} s wall, {report_cpu:.1f} s CPU "
          f"(a fresh `cleaner report`)  target < {TARGET_REPORT_SECONDS} s  {verdict(report_wall < TARGET_REPORT_SECONDS)}")
    print(f"report file {size / 1e6:.2f} MB (report-data.json.gz {data_size / 1e6:.2f} MB)  "
          f"target < {TARGET_REPORT_BYTES / 1e6:.0f} MB  {verdict(size < TARGET_REPORT_BYTES)}")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        print("no Chromium found (apt-get install chromium): opening time not measured")
        return
    blank_page = scratch / "blank.html"
    blank_page.write_text("<!DOCTYPE html><html><body></body></html>\n")
    opened = []
    for _attempt in range(3):
        blank, _ = open_in_browser(browser, blank_page, scratch / "profile")
        wall, dom = open_in_browser(browser, page, scratch / "profile")
        ready = re.search(r'data-ready-ms="(\d+)"', dom)
        opened.append((wall, blank, int(ready.group(1)) if ready else None))
    scripts = [item[2] for item in opened if item[2] is not None]
    ready = statistics.median(scripts) / 1000 if scripts else float("inf")
    print(f"opened in headless Chromium: page parsed, charts and viewer drawn {ready:.2f} s after navigation "
          f"(median of {len(opened)})  target < {TARGET_OPEN_SECONDS} s  {verdict(ready < TARGET_OPEN_SECONDS)}")
    print(f"  the browser process, start to exit: {statistics.median(item[0] for item in opened):.2f} s "
          f"(a blank page: {statistics.median(item[1] for item in opened):.2f} s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_crawl_arguments(parser)
    parser.add_argument("--rounds", type=int, default=3, help="runs with and without sampling, alternating (default 3 each)")
    parser.add_argument("--near-dups", type=float, default=0.02)
    parser.add_argument("--output-dir", type=Path, help="only measure the report of this finished run's output (no runs)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="report-bench-") as scratch:
        if args.output_dir:
            measure_report(args.output_dir, Path(scratch))
            return 0
        corpus = args.keep or Path(scratch) / "crawl"
        if not corpus.exists():
            seconds = generate(corpus, args.docs, args.sites, "--near-dups", str(args.near_dups))
            print(f"generated {args.docs} documents in {args.sites} sites: {seconds:.1f} s", flush=True)
        output = measure_runs(corpus, Path(scratch), args.workers, args.rounds)
        measure_report(output, Path(scratch))
    return 0


if __name__ == "__main__":
    sys.exit(main())
