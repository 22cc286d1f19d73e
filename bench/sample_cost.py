"""What the report's sampling costs a run, measured inside one `--workers 1` process.

A run with one worker cleans in its own process, so every call into the
sample (`uniform_keys` per parse task, the keys of its documents; `Sample.observe` per document; `pack` when a task's result is
pickled, for its marker, which seals the partial; `unpack` when a partial
came from another process, which here it does not; `merge` in the parent,
which seals a partial not sealed yet; `write_report_data` at the end)
happens here: each is wrapped to add up the CPU seconds it takes
(`time.process_time`, this process only), and the sum is set against the
CPU of the whole run (from the run's start to its end, this process too).
That ratio is the sampling's share of the run, without the noise of
comparing two whole runs on a shared machine (`bench/report.py` compares
runs with and without `--no-report-data`, whose spread under load is larger
than 3%).
What each of the sample's steps costs, free of that noise too, is
`bench/sample_replay.py`'s (the steps replayed hot over one run's documents).

    python bench/sample_cost.py INPUT... [--rounds 3] [--baseline] [--json FILE] [-- EXTRA RUN OPTIONS]

Each round is one run with sampling; the figures printed are per round and
the median share. With `--baseline`, each round also makes a run without
(`--no-report-data`; the two in alternating order): the garbage collector's
extra CPU in the run with sampling (its documents held until their task
ends set off more collections, mostly outside the entry points) is added
to the sample's cost, and the two runs' whole CPU is compared (a ratio
that the machine's load moves by more than the sample costs). The run is the real CLI (`cleaner.cli.main` with
`sys.argv` set, as `python -m cleaner` runs it, so its heap is settled as in
a real run), output to a temporary directory.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cleaner import cli, runner, sample, stages  # noqa: E402

ENTRY_POINTS = ("keys", "observe", "pack", "unpack", "merge", "write")


def timed_entry_points() -> dict[str, list[float]]:
    """Wrap the sample's entry points; returns the per-name [CPU seconds, calls, of which in the garbage collector]
    they add to, and under "gc" the collector's CPU over the whole run.

    The collector runs when allocations set it off, wherever they happen: a
    collection inside an entry point is counted there (its allocations set
    it off, though what it scans is mostly the run's other objects).
    """
    spent = {name: [0.0, 0, 0.0] for name in (*ENTRY_POINTS, "gc")}
    clock = time.process_time
    inside: list[list[float]] = []  # the entry point running now, if any
    collecting = [0.0]

    def on_gc(phase: str, _info: dict) -> None:
        if phase == "start":
            collecting[0] = clock()
            return
        seconds = clock() - collecting[0]
        spent["gc"][0] += seconds
        spent["gc"][1] += 1
        if inside:
            inside[-1][2] += seconds

    gc.callbacks.append(on_gc)

    def wrap(name: str, function: Callable) -> Callable:
        entry = spent[name]

        def wrapper(*args: object, **kwargs: object) -> object:
            started = clock()
            inside.append(entry)
            try:
                return function(*args, **kwargs)
            finally:
                inside.pop()
                entry[0] += clock() - started
                entry[1] += 1

        return wrapper

    cls = sample.Sample
    cls.observe = wrap("observe", cls.observe)
    cls.pack = wrap("pack", cls.pack)
    cls.unpack = staticmethod(wrap("unpack", cls.unpack))
    cls.merge = wrap("merge", cls.merge)
    runner.write_report_data = wrap("write", runner.write_report_data)
    stages.uniform_keys = wrap("keys", stages.uniform_keys)
    return spent


def one_run(inputs: list[str], output: Path, extra: list[str], spent: dict[str, list[float]]) -> dict:
    for entry in spent.values():
        entry[:] = [0.0, 0, 0.0]
    saved = sys.argv
    sys.argv = ["cleaner", "run", *inputs, "-o", str(output), "--overwrite", "-q", "--workers", "1", *extra]
    started_cpu, started_wall = time.process_time(), time.perf_counter()
    try:
        status = cli.main()
    finally:
        sys.argv = saved
    cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started_wall
    if status:
        raise SystemExit(f"cleaner run failed with status {status}")
    sampled = sum(spent[name][0] for name in ENTRY_POINTS)
    return {"cpu": cpu, "wall": wall, "sample_cpu": sampled, "share": sampled / cpu,
            "sample_gc": sum(spent[name][2] for name in ENTRY_POINTS), "gc": spent["gc"][0], "collections": spent["gc"][1],
            "entry_points": {name: {"cpu": spent[name][0], "calls": spent[name][1], "gc": spent[name][2]} for name in ENTRY_POINTS},
            "load": os.getloadavg()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", action="store_true", help="also a run without sampling each round (see above)")
    parser.add_argument("--json", type=Path, help="write every round's figures here")
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    extra = argv[split + 1 :]  # after --: more `cleaner run` options
    spent = timed_entry_points()
    rounds = []
    with tempfile.TemporaryDirectory(prefix="sample-cost-") as scratch:
        for number in range(args.rounds):
            if args.baseline and number % 2:
                without = one_run(args.inputs, Path(scratch) / "out", [*extra, "--no-report-data"], spent)
            result = one_run(args.inputs, Path(scratch) / "out", extra, spent)
            if args.baseline and not number % 2:
                without = one_run(args.inputs, Path(scratch) / "out", [*extra, "--no-report-data"], spent)
            if args.baseline:
                result["without"] = {"cpu": without["cpu"], "gc": without["gc"], "collections": without["collections"]}
                result["gc_extra"] = max(0.0, result["gc"] - without["gc"] - result["sample_gc"])
                result["share_with_gc"] = (result["sample_cpu"] + result["gc_extra"]) / result["cpu"]
            rounds.append(result)
            parts = ", ".join(f"{name} {entry['cpu']:.2f} s" for name, entry in result["entry_points"].items())
            print(f"round {number + 1}: sample {result['sample_cpu']:.2f} s of {result['cpu']:.1f} s CPU "
                  f"({100 * result['share']:.2f}%; {parts}; of which collector {result['sample_gc']:.2f} s, "
                  f"the run's collector {result['gc']:.2f} s in {result['collections']} collections); wall {result['wall']:.1f} s; "
                  f"load {' '.join(f'{x:.2f}' for x in result['load'])}", flush=True)
            if args.baseline:
                print(f"  without sampling: {without['cpu']:.1f} s CPU, collector {without['gc']:.2f} s in {without['collections']} "
                      f"collections; the collector's extra outside the entry points {result['gc_extra']:.2f} s: "
                      f"{100 * result['share_with_gc']:.2f}% with it; whole runs on/off {result['cpu'] / without['cpu']:.3f}", flush=True)
    share = statistics.median(result["share"] for result in rounds)
    print(f"median share of the run's CPU in the sample's entry points: {100 * share:.2f}% (target <= 3%)")
    if args.baseline:
        print(f"  with the collector's extra: {100 * statistics.median(r['share_with_gc'] for r in rounds):.2f}%; "
              f"whole runs on/off, median {statistics.median(r['cpu'] / r['without']['cpu'] for r in rounds):.3f}")
    if args.json:
        args.json.write_text(json.dumps(rounds, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
