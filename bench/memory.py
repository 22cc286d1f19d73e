"""Peak memory of a whole run (the parent and its workers together) on large documents.

Issue 13's target: a run over 200 files of 5 MB with 2 workers stays under
1 GB in total. A worker holds one document at a time, so what matters is the
size of a document, not their number; `--files` and `--mb` vary both.

The files are synthetic prose (seeded, so every run reads the same bytes):
paragraphs of sentences drawn from a small vocabulary, plus a repeated menu
line, so every stage (counting, cleaning, signing) has work. The run's
memory is sampled from /proc every `--every` seconds: the resident set of
the parent and of every process below it, summed.

    python3 bench/memory.py --files 200 --mb 5 --workers 2
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = ("the harbour council said on monday that the new ferry would run twice a day from spring while "
         "fishermen asked for a longer season and the mayor promised a vote before the summer").split()
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def write_corpus(folder: Path, files: int, megabytes: float, seed: int = 13) -> None:
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    for number in range(files):
        paragraphs, size = ["Home | News | Sport | Contact"], 0
        while size < target:
            sentences = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 24))).capitalize() + "."
                         for _ in range(rng.randint(2, 6))]
            paragraphs.append(" ".join(sentences))
            size += len(paragraphs[-1]) + 2
        (folder / f"doc-{number:05d}.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")


def tree_rss(root: int) -> int:
    """Resident bytes of `root` and every process below it (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * PAGE_SIZE
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def measure(inputs: Path, output: Path, workers: int, every: float) -> tuple[float, int]:
    """Run the CLI; returns its wall time and the peak of its process tree's resident memory."""
    command = [sys.executable, "-m", "cleaner", "run", str(inputs), "-o", str(output), "--quiet",
               "--workers", str(workers), "--max-bytes", str(1 << 30), "--time-limit", "0"]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss(process.pid))
        time.sleep(every)
    if process.returncode != 0:
        sys.exit(f"the run failed with exit status {process.returncode}")
    return time.perf_counter() - started, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--mb", type=float, default=5.0, help="size of each file in MB (default 5)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--every", type=float, default=0.1, help="seconds between samples (default 0.1)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        inputs = Path(scratch) / "in"
        inputs.mkdir()
        write_corpus(inputs, args.files, args.mb)
        wall, peak = measure(inputs, Path(scratch) / "out", args.workers, args.every)
    print(f"{args.files} files of {args.mb:g} MB, {args.workers} workers: peak {peak / 2**20:.0f} MiB "
          f"(parent and workers together), {wall:.1f} s")


if __name__ == "__main__":
    main()
