"""Local vs Ray executor: wall and CPU seconds, throughput ratio, driver peak RSS.

    python3 bench/ray_executor.py INPUT [--workers 2] [--rounds 2]

Runs alternate (local, ray, local, ray, ...) in child processes, since
timings on a shared machine are noisy; reports each run and the ratio of the
median throughputs, with each executor's median driver peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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


if __name__ == "__main__":
    main()
