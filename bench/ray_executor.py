"""Local vs Ray executor: wall and CPU seconds, throughput ratio, driver peak RSS.

    python3 bench/ray_executor.py INPUT [--workers 2] [--rounds 2] [--scratch]

Runs alternate (local, ray, local, ray, ...) in child processes, since
timings on a shared machine are noisy; reports each run and the ratio of the
median throughputs, with each executor's median driver peak RSS.

With `--scratch`, one more Ray run (not timed) has its staging directory
measured every second: the peak bytes of each kind of scratch file (parsed
documents, line-key files, count partitions, part files, signature store,
band rows), in total and per record seen, for sizing a cluster's scratch.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cleaner.writer import RUN_DIR  # noqa: E402


SCRATCH_POLL_SECONDS = 1.0
GROUPED = ("dedup", "line-counts.sqlite.parts")  # folders whose contents are told apart


def scratch_kind(relative: tuple[str, ...]) -> str:
    """The kind of a staging file: its top folder, or inside `GROUPED` its second level (numbers masked)."""
    if relative[0] in GROUPED and len(relative) > 1:
        return f"{relative[0]}/{re.sub(r'[0-9]{3,}', '*', relative[1])}"
    return relative[0] if len(relative) > 1 else re.sub(r"[0-9]{3,}", "*", relative[0])


def scratch_sizes(staging: Path) -> Counter:
    """Bytes (apparent sizes) in `staging` now, by kind; files that vanish while walked are skipped."""
    sizes: Counter = Counter()
    for folder, _, names in os.walk(staging):
        relative = Path(folder).relative_to(staging).parts
        for name in names:
            try:
                sizes[scratch_kind((*relative, name))] += os.stat(os.path.join(folder, name)).st_size
            except OSError:
                continue
    return sizes


def measure_scratch(inputs: list[str], executor: str, workers: int) -> dict:
    """One run whose staging directory is measured while it runs: peak bytes by kind and at once, and per record."""
    out = Path(tempfile.mkdtemp(prefix=f"bench-scratch-{executor}-"))
    child = subprocess.Popen([sys.executable, "-m", "cleaner", "run", *inputs, "-o", str(out), "--overwrite", "-q",
                              "--workers", str(workers), "--executor", executor],
                             env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.PIPE, text=True)
    peaks: Counter = Counter()
    total = 0
    while child.poll() is None:
        now = scratch_sizes(out / RUN_DIR)
        for kind, size in now.items():
            peaks[kind] = max(peaks[kind], size)
        total = max(total, sum(now.values()))
        time.sleep(SCRATCH_POLL_SECONDS)
    if child.returncode:
        raise SystemExit(child.stderr.read())
    records = json.loads((out / "summary.json").read_text())["records_seen"]
    shutil.rmtree(out, ignore_errors=True)
    return {"executor": executor, "records": records, "peak_total_bytes": total, "peak_bytes_per_record": round(total / records),
            "peak_bytes_per_record_by_kind": {kind: round(size / records, 1) for kind, size in sorted(peaks.items())}}


def one_run(inputs: list[str], executor: str, workers: int) -> dict:
    out = tempfile.mkdtemp(prefix=f"bench-{executor}-")
    code = ("import resource, sys; from cleaner.cli import main; rc = main(sys.argv[1:]); "
            "print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(rc)")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, "run", *inputs, "-o", out, "--overwrite", "-q", "--workers", str(workers),
                           "--executor", executor], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(done.stderr)
    peak = int(next(line.split()[1] for line in done.stderr.splitlines() if line.startswith("PEAK")))
    summary = json.loads((Path(out) / "summary.json").read_text())
    return {"executor": executor, "wall": round(wall, 1), "driver_cpu": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
            "records": summary["records_seen"], "driver_peak_mb": round(peak / 1024), "docs_per_s": round(summary["records_seen"] / wall, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--scratch", action="store_true", help="then measure the scratch of one more Ray run")
    args = parser.parse_args()
    runs = []
    for _ in range(args.rounds):
        for executor in ("local", "ray"):
            runs.append(one_run(args.inputs, executor, args.workers))
            print(json.dumps(runs[-1]), flush=True)
    median = {e: statistics.median(r["docs_per_s"] for r in runs if r["executor"] == e) for e in ("local", "ray")}
    peak = {e: statistics.median(r["driver_peak_mb"] for r in runs if r["executor"] == e) for e in ("local", "ray")}
    print(json.dumps({"median_docs_per_s": median, "ray_over_local": round(median["ray"] / median["local"], 2),
                      "median_driver_peak_mb": peak}))
    if args.scratch:
        print(json.dumps(measure_scratch(args.inputs, "ray", args.workers)))


if __name__ == "__main__":
    main()
