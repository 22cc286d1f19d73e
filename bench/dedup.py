"""Accuracy and cost of deduplication on a synthetic crawl with planted near duplicates.

Generates a deterministic crawl with `bench/synth.py` in which a share of
the pages are edited copies of earlier pages of the same site, at Jaccard
similarities drawn from a list, then runs the real CLI twice on it: with
deduplication (the default) and with `--no-dedup`. Both runs use the same
options otherwise (`--site-by folder`, `--min-words 0`).

The similarity of a planted pair is measured on the *cleaned* texts (from
the `--no-dedup` corpus: word 5-gram shingles, the definition the cleaner
estimates), not on the bodies as generated, since cleaning decides what
deduplication sees. Prints:

- recall: the share of planted pairs at or above the threshold that end up
  in one cluster (target >= 0.95), overall and per similarity band;
- false merges: the share of planted pairs below threshold - 0.1 that end up
  in one cluster (target <= 1%), and the number of removed documents that
  share no planted family with the document kept in their place (pages that
  were never copies of each other);
- time with and without deduplication and their ratio (target: at most 30%
  added), and the peak RSS of the largest single process.

    python bench/dedup.py [--docs 100000] [--sites 200] [--near-dups 0.1]
        [--similarity 0.5,0.6,0.65,0.7,0.8,0.85,0.9,0.95,1.0] [--workers 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from crawl_runs import add_crawl_arguments, generate, run_cleaner
from synth import jaccard, shingles

THRESHOLD = 0.8
TARGET_RECALL = 0.95
TARGET_FALSE_MERGES = 0.01
TARGET_ADDED = 0.30


def read_jsonl(path: Path):
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def cleaned_texts(output: Path, wanted: set[str]) -> dict[str, str]:
    texts = {}
    for shard in sorted(output.glob("corpus-*.jsonl")):
        for record in read_jsonl(shard):
            if record["source"] in wanted:
                texts[record["source"]] = record["text"]
    return texts


def cluster_of(output: Path) -> dict[str, int]:
    """Each clustered source's cluster number, from `duplicates.jsonl`."""
    found = {}
    for number, cluster in enumerate(read_jsonl(output / "duplicates.jsonl")):
        for member in [cluster["kept"], *cluster["removed"]]:
            found[member["source"]] = number
    return found


def families(planted: list[dict]) -> dict[str, str]:
    """Each planted page's family: the original it (or its original) was copied from."""
    family = {}
    for pair in planted:
        family.setdefault(pair["original"], pair["original"])
        family[pair["copy"]] = family[pair["original"]]
    return family


def band_of(similarity: float) -> str:
    low = min(int(similarity * 20) / 20, 0.95)
    return f"{low:.2f}-{low + 0.05:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_crawl_arguments(parser)
    parser.add_argument("--near-dups", type=float, default=0.1)
    parser.add_argument("--similarity", default="0.5,0.6,0.65,0.7,0.8,0.85,0.9,0.95,1.0")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dedup-bench-") as scratch:
        crawl = args.keep or Path(scratch) / "crawl"
        if not crawl.exists():
            seconds = generate(crawl, args.docs, args.sites, "--near-dups", str(args.near_dups), "--similarity", args.similarity)
            print(f"generated {args.docs} documents in {seconds:.1f} s", flush=True)
        plain_out, dedup_out = Path(scratch) / "plain", Path(scratch) / "dedup"
        plain_s, plain_rss = run_cleaner(crawl, plain_out, args.workers, ["--site-by", "folder", "--no-dedup"])
        dedup_s, dedup_rss = run_cleaner(crawl, dedup_out, args.workers, ["--site-by", "folder"])
        planted = list(read_jsonl(crawl / "planted.jsonl"))
        texts = cleaned_texts(plain_out, {p["original"] for p in planted} | {p["copy"] for p in planted})
        clusters = cluster_of(dedup_out)
        summary = json.loads((dedup_out / "summary.json").read_text())
        family = families(planted)
        strangers = sum(
            1
            for entry in read_jsonl(dedup_out / "rejects.jsonl")
            if entry["reason"] == "duplicate" and family.get(entry["source"], entry["source"]) != family.get(entry["duplicate_of"]["source"], "")
        )
    merged_by_band: dict[str, Counter] = defaultdict(Counter)
    above = below = above_merged = below_merged = 0
    for pair in planted:
        a, b = pair["original"], pair["copy"]
        if a not in texts or b not in texts:
            continue
        similarity = jaccard(shingles(texts[a]), shingles(texts[b]))
        merged = a in clusters and clusters.get(a) == clusters.get(b)
        merged_by_band[band_of(similarity)][merged] += 1
        if similarity >= THRESHOLD:
            above, above_merged = above + 1, above_merged + merged
        elif similarity <= THRESHOLD - 0.1:
            below, below_merged = below + 1, below_merged + merged
    print(f"{len(planted)} planted pairs; similarity measured on the cleaned texts; threshold {THRESHOLD}")
    print(f"{'band':>11}  {'pairs':>6}  {'merged':>7}  share")
    for band in sorted(merged_by_band):
        counts = merged_by_band[band]
        total = counts[True] + counts[False]
        print(f"{band:>11}  {total:6d}  {counts[True]:7d}  {counts[True] / total:.3f}")
    recall = above_merged / above if above else float("nan")
    false_rate = below_merged / below if below else float("nan")
    print(f"recall of pairs >= {THRESHOLD}: {recall:.3f} ({above_merged}/{above})  target >= {TARGET_RECALL}  {'PASS' if recall >= TARGET_RECALL else 'MISS'}")
    print(f"false merges of pairs <= {THRESHOLD - 0.1:.1f}: {false_rate:.4f} ({below_merged}/{below})  target <= {TARGET_FALSE_MERGES}  {'PASS' if false_rate <= TARGET_FALSE_MERGES else 'MISS'}")
    print(f"removed documents with no planted relation to the kept one: {strangers}")
    print(f"summary: {summary['duplicates']}")
    added = dedup_s / plain_s - 1
    print(f"run without dedup {plain_s:8.1f} s  peak RSS {plain_rss:5.0f} MiB")
    print(f"run with dedup    {dedup_s:8.1f} s  peak RSS {dedup_rss:5.0f} MiB")
    print(f"time added by dedup: {added:+.1%}  target <= +{TARGET_ADDED:.0%}  {'PASS' if added <= TARGET_ADDED else 'MISS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
