"""Memory and speed of per-site repetition on a large synthetic crawl.

Generates a deterministic synthetic crawl with `bench/synth.py` (one folder
per site, each site with its own chrome), then runs the real CLI twice on
it: once with `--site-by none` (a single pass) and once with per-site
repetition (two passes: count and spill, then clean). Prints, for each run,
seconds, docs/s and the peak RSS of the largest single process (from
`os.wait4`), the ratio two passes / one pass, and how many lines the
repetition pass removed.

    python bench/repetition.py [--docs 100000] [--sites 200] [--workers 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from crawl_runs import add_crawl_arguments, generate, run_cleaner

TARGET_RATIO = 1.5
TARGET_RSS_MIB = 1024


def run_with_summary(corpus: Path, output: Path, workers: int, extra: list[str]) -> tuple[float, float, dict]:
    seconds, rss = run_cleaner(corpus, output, workers, extra)
    return seconds, rss, json.loads((output / "summary.json").read_text())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_crawl_arguments(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="repetition-bench-") as scratch:
        corpus = args.keep or Path(scratch) / "crawl"
        if not corpus.exists():
            print(f"generating {args.docs} documents in {args.sites} sites: {generate(corpus, args.docs, args.sites):.1f} s", flush=True)
        one = run_with_summary(corpus, Path(scratch) / "one", args.workers, ["--site-by", "none"])
        two = run_with_summary(corpus, Path(scratch) / "two", args.workers, ["--site-by", "folder"])
    for label, (seconds, rss, summary) in (("one pass (--site-by none)", one), ("two passes (--site-by folder)", two)):
        docs = summary["records_seen"]
        print(f"{label:32s} {seconds:8.1f} s  {docs / seconds:7.1f} docs/s  peak RSS {rss:6.0f} MiB  (largest single process)")
    ratio = two[0] / one[0]
    print(f"{'two passes / one pass':32s} {ratio:8.2f}x  target <= {TARGET_RATIO}x  {'PASS' if ratio <= TARGET_RATIO else 'MISS'}")
    peak = max(one[1], two[1])
    print(f"{'peak RSS':32s} {peak:8.0f} MiB  target < {TARGET_RSS_MIB} MiB  {'PASS' if peak < TARGET_RSS_MIB else 'MISS'}")
    print(f"{'lines removed as repeated':32s} {two[2]['removed_lines'].get('repeated', 0):8d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
