"""The report sampling's steps replayed hot over one run's cleaned documents: what each step costs, without the machine's noise.

`bench/sample_cost.py` measures the sample's share of a whole run, and on
this shared machine its rounds spread by about 0.5% of the run (0.02 s of
a 4 s run over the 990 dev text dumps), more than most single changes to
the sample move it. This makes one `--workers 1` run (the real CLI, as
`sample_cost.py` runs it), keeps every document each cleaning task's
sample observed (and the keys its parse tasks gave `Sample.expect`), and
then does the sample's work over them again, `--repeats` times, in the
parent's order: each task's partial made with the cut-offs of what is
merged so far (as one worker is sent them), observed, sealed, pickled (as
for the task's marker), merged; then the report data built, encoded and
gzipped. It prints each step's least time over the repeats (the documents
hot in memory, so an upper bound of nothing: in a run the same work costs
about 1.4x that) and a digest of the encoded data, which a change that
keeps the data's content must keep too.

    python bench/sample_replay.py INPUT... [--repeats 9] [-- EXTRA RUN OPTIONS]
"""

from __future__ import annotations

import argparse
import gc
import gzip
import hashlib
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cleaner import cli, sample  # noqa: E402
from cleaner.config import SampleLimits  # noqa: E402
from cleaner.document import Document  # noqa: E402

STEPS = ("observe", "seal", "pickle", "merge", "to_json", "encode", "gzip")


class Recorded:
    """What one run's samples were given: each cleaning task's observed documents in order, and the parse tasks' keys."""

    def __init__(self) -> None:
        self.tasks: list[list[tuple[Document, str]]] = []
        self.keys: list[list[int]] = []
        self.limits: SampleLimits | None = None
        self._by_sample: dict[int, list[tuple[Document, str]]] = {}
        self._samples: list[sample.Sample] = []  # kept alive, so that no two samples share an id

    def install(self) -> None:
        observe, expect = sample.Sample.observe, sample.Sample.expect

        def observing(this: sample.Sample, doc: Document, site: str) -> None:
            task = self._by_sample.get(id(this))
            if task is None:
                task = self._by_sample[id(this)] = []
                self.tasks.append(task)
                self._samples.append(this)
                self.limits = this.limits
            task.append((doc, site))
            observe(this, doc, site)

        def expecting(this: sample.Sample, keys: list[int]) -> None:
            keys = list(keys)
            self.keys.append(keys)
            expect(this, keys)

        sample.Sample.observe = observing
        sample.Sample.expect = expecting
        self._originals = (observe, expect)

    def uninstall(self) -> None:
        sample.Sample.observe, sample.Sample.expect = self._originals
        self._samples.clear()


def record_run(inputs: list[str], extra: list[str]) -> Recorded:
    recorded = Recorded()
    recorded.install()
    saved = sys.argv
    with tempfile.TemporaryDirectory(prefix="sample-replay-") as scratch:
        sys.argv = ["cleaner", "run", *inputs, "-o", str(Path(scratch) / "out"), "--overwrite", "-q", "--workers", "1", *extra]
        try:
            status = cli.main()
        finally:
            sys.argv = saved
            recorded.uninstall()
    if status:
        raise SystemExit(f"cleaner run failed with status {status}")
    return recorded


def replay(recorded: Recorded) -> tuple[dict[str, float], str, int]:
    """The sample's work over the recorded documents once: seconds per step, the encoded data's digest, documents kept."""
    spent = dict.fromkeys(STEPS, 0.0)
    clock = time.perf_counter
    limits = recorded.limits
    total = sample.Sample(limits)
    for keys in recorded.keys:
        total.expect(keys)
    for task in recorded.tasks:
        part = sample.Sample(limits, total.cutoffs())
        started = clock()
        for doc, site in task:
            part.observe(doc, site)
        sealing = clock()
        part.seal()
        pickling = clock()
        sample.Partial(part).__reduce__()
        merging = clock()
        total.merge(part)
        done = clock()
        spent["observe"] += sealing - started
        spent["seal"] += pickling - sealing
        spent["pickle"] += merging - pickling
        spent["merge"] += done - merging
    started = clock()
    data = total.to_json()
    encoding = clock()
    raw = sample.encode_data(data)
    zipping = clock()
    with gzip.GzipFile(filename="", mode="wb", fileobj=io.BytesIO(), mtime=0, compresslevel=limits.gzip_level) as handle:
        handle.write(raw)
    spent["gzip"] = clock() - zipping
    spent["to_json"], spent["encode"] = encoding - started, zipping - encoding
    return spent, hashlib.sha256(raw).hexdigest()[:12], len(total.docs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--repeats", type=int, default=9)
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    recorded = record_run(args.inputs, argv[split + 1 :])
    if recorded.limits is None:
        raise SystemExit("the run observed no document (is --no-report-data among the options?)")
    lines = sum(len(doc.lines) for task in recorded.tasks for doc, _site in task)
    print(f"{len(recorded.tasks)} cleaning tasks, {sum(map(len, recorded.tasks))} documents, {lines} lines")
    least = dict.fromkeys(STEPS, float("inf"))
    digests = set()
    for _ in range(args.repeats):
        gc.collect()
        spent, digest, kept = replay(recorded)
        digests.add(digest)
        least = {step: min(least[step], spent[step]) for step in STEPS}
    if len(digests) != 1:
        raise SystemExit(f"the replays made different data: {sorted(digests)}")
    parts = ", ".join(f"{step} {1000 * least[step]:.1f}" for step in STEPS)
    print(f"least of {args.repeats} (ms): {parts}; sum {1000 * sum(least.values()):.1f}")
    print(f"data digest {digests.pop()}, {kept} documents sampled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
