"""Records in containers: the dev pages packed into WARC and JSONL, against the same pages as loose files.

Packs the 990 trafilatura-eval pages into WARC files (one gzip member per
record, as Common Crawl writes them; `WARC-Target-URI` from
`annotations.jsonl`) and their text dumps into one JSONL file (`id`,
`url`, `text`), then runs the cleaner CLI on the loose files and on the
containers, side by side, and prints:

- F1 on the annotations for each (the `bench/quality.py` measure, with its
  scoring options: no length filter, no deduplication);
- the throughput of the WARC run against the directory run (whole runs,
  default options, best of `--repeat`, alternating which goes first);
- what reading the WARC costs: every record read (`readers.records_of`)
  in this process, against the CPU time of the HTML run;
- one WARC of 40,000 records (20,000 synthetic pages, each a request and a
  response) with 1 and with 2 workers: a large file is cut into units, so
  both workers are busy;
- the parent's share of a run's CPU time and its peak memory with 2
  workers, on JSONL files of 1,000 and of `--docs` (100,000) synthetic
  records (`bench/synth.py` bodies), with and without deduplication: the
  parent handles keys, counts, signatures and ids, never texts.

Usage::

    python bench/containers.py [--data DIR] [--workers 2] [--repeat 3] [--docs 100000] [--skip-synthetic]
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import quality  # noqa: E402
from synth import generate  # noqa: E402  (OUT, docs, sites, seed, near_dups, similarities)

DEFAULT_DATA = quality.DEFAULT_DATA
PAGES_PER_WARC = 500
PARENT_CPU_TARGET = 0.10
WARC_READ_TARGET = 0.02
THROUGHPUT_TARGET = 0.95

# Runs the CLI in this process and reports its own CPU time, its children's (the workers) and its peak memory.
MEASURED_RUN = """
import json, os, resource, sys, time
from cleaner.cli import main
started = time.perf_counter()
code = main(sys.argv[1:])
wall = time.perf_counter() - started
t = os.times()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"code": code, "wall": wall, "parent_cpu": t.user + t.system,
                  "workers_cpu": t.children_user + t.children_system, "parent_peak_mib": peak}), file=sys.stderr)
"""


def pack_warcs(dataset: quality.Dataset, folder: Path) -> list[Path]:
    """The dataset's HTML pages as WARC response records, `PAGES_PER_WARC` to a file, in page order."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    folder.mkdir(parents=True)
    paths = []
    for first in range(0, len(dataset.pages), PAGES_PER_WARC):
        path = folder / f"dev-{first // PAGES_PER_WARC:03d}.warc.gz"
        with open(path, "wb") as handle:
            writer = WARCWriter(handle, gzip=True)
            for page in dataset.pages[first : first + PAGES_PER_WARC]:
                body = gzip.decompress((dataset.root / "html" / page.sources["html"]).read_bytes())
                http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(page.url, "response", payload=io.BytesIO(body), http_headers=http))
        paths.append(path)
    return paths


def pack_jsonl(dataset: quality.Dataset, path: Path) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for page in dataset.pages:
            text = quality.read_gzip_text(dataset.root / "text" / page.sources["text"])
            handle.write(json.dumps({"id": page.key, "url": page.url, "text": text}, ensure_ascii=False) + "\n")


def run_measured(inputs: list[Path], output: Path, workers: int, extra: list[str]) -> dict:
    command = [sys.executable, "-c", MEASURED_RUN, "run", *map(str, inputs), "--output", str(output), "--overwrite",
               "--quiet", "--workers", str(workers), *extra]
    finished = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
    figures = json.loads(finished.stderr.strip().splitlines()[-1])
    if figures["code"] != 0:
        raise RuntimeError(f"cleaner failed on {inputs}: {finished.stderr.strip()[-300:]}")
    return figures


def texts_by(dataset: quality.Dataset, output: Path, key_of) -> list[str]:
    """The cleaned text of each page (empty when it has no record), by `key_of(record)`."""
    found: dict[str, str] = {}
    for record in quality.read_corpus(output):
        key = key_of(record)
        found[key] = found[key] + "\n\n" + record["text"] if key in found else record["text"]
    return [found.get(page.key, "") for page in dataset.pages]


def warc_page_key(dataset: quality.Dataset):
    """Page of a WARC record: its position (file number and record index) in page order."""

    def key_of(record: dict) -> str:
        name, index = record["source"].rsplit("#", 1)
        number = int(Path(name).name.split("-")[1].split(".")[0])
        return dataset.pages[number * PAGES_PER_WARC + int(index)].key

    return key_of


def by_source(dataset: quality.Dataset, path: str):
    key_of_source = {page.sources[path]: page.key for page in dataset.pages}
    return lambda record: key_of_source.get(record["source"], "")


def quality_lines(dataset: quality.Dataset, warcs: list[Path], jsonl: Path, scratch: Path, workers: int) -> None:
    args = list(quality.SCORING_ARGS)
    runs = (
        ("html", "directory", [dataset.input_dir("html")], by_source(dataset, "html")),
        ("html", "WARC", warcs, warc_page_key(dataset)),
        ("text", "directory", [dataset.input_dir("text")], by_source(dataset, "text")),
        ("text", "JSONL", [jsonl], lambda record: record["metadata"].get("id", "")),
    )
    for path, label, inputs, key_of in runs:
        output = scratch / f"quality-{path}-{label}"
        run_measured(inputs, output, workers, args)
        result = quality.evaluate(dataset, path, label, texts_by(dataset, output, key_of))
        print(result.line(), flush=True)


def throughput_lines(dataset: quality.Dataset, warcs: list[Path], scratch: Path, workers: int, repeat: int) -> dict:
    best: dict[str, dict] = {}
    for attempt in range(repeat):
        order = [("directory", [dataset.input_dir("html")]), ("WARC", warcs)]
        for label, inputs in order if attempt % 2 == 0 else reversed(order):
            figures = run_measured(inputs, scratch / f"speed-{label}", workers, [])
            if label not in best or figures["wall"] < best[label]["wall"]:
                best[label] = figures
    cpu = {label: figures["parent_cpu"] + figures["workers_cpu"] for label, figures in best.items()}
    for label, figures in best.items():
        print(f"html {label:<9}  {len(dataset.pages) / figures['wall']:7.1f} docs/s  ({figures['wall']:.2f} s, "
              f"{cpu[label]:.1f} CPU s, best of {repeat}, {workers} workers)")
    ratio = best["directory"]["wall"] / best["WARC"]["wall"]
    verdict = "PASS" if ratio >= THROUGHPUT_TARGET else "MISS"
    print(f"WARC / directory throughput  {ratio:.3f}  target >= {THROUGHPUT_TARGET}  {verdict}  "
          f"(by CPU time, less noisy on a shared machine: {cpu['directory'] / cpu['WARC']:.3f})")
    return best["WARC"]


def warc_read_line(warcs: list[Path], html_run: dict) -> None:
    from cleaner.config import Config
    from cleaner.readers import InputFile, records_of, units_of
    from cleaner.records import ReadStats

    config = Config()
    started = time.process_time()
    records = 0
    for path in warcs:
        for unit in units_of(InputFile(path, path.name, "html", fmt="warc"), config):
            records += sum(1 for _ in records_of(unit, config, ReadStats()))
    seconds = time.process_time() - started
    run_cpu = html_run["parent_cpu"] + html_run["workers_cpu"]
    share = seconds / run_cpu
    verdict = "PASS" if share < WARC_READ_TARGET else "MISS"
    print(f"WARC reading  {records} records in {seconds:.3f} CPU s = {share:.2%} of the WARC run's {run_cpu:.1f} CPU s  "
          f"target < {WARC_READ_TARGET:.0%}  {verdict}")


def synthetic_jsonl(crawl: Path, path: Path) -> None:
    """The synthetic crawl's pages as one JSONL file, one record per page, with its site's URL."""
    with open(path, "w", encoding="utf-8") as out:
        for page in sorted(p for p in crawl.rglob("*.txt")):
            site = page.parent.name
            record = {"id": f"{site}/{page.stem}", "url": f"https://{site}.example/{page.stem}", "text": page.read_text()}
            out.write(json.dumps(record) + "\n")


def parent_lines(scratch: Path, docs: int, workers: int) -> None:
    for count in sorted({1000, docs}):
        crawl = scratch / f"synth-{count}"
        generate(crawl, count, max(1, count // 500), 0, 0.0, [0.8])
        jsonl = scratch / f"synth-{count}.jsonl"
        synthetic_jsonl(crawl, jsonl)
        for label, extra in (("", []), (", --no-dedup", ["--no-dedup"])):
            figures = run_measured([jsonl], scratch / f"synth-out-{count}", workers, extra)
            share = figures["parent_cpu"] / (figures["parent_cpu"] + figures["workers_cpu"])
            verdict = "PASS" if share <= PARENT_CPU_TARGET else "MISS"
            print(f"{count:>7} synthetic records{label:<13} {count / figures['wall']:6.1f} docs/s  parent CPU "
                  f"{figures['parent_cpu']:.2f} s = {share:.1%} of the run  target <= {PARENT_CPU_TARGET:.0%}  {verdict}  "
                  f"parent peak {figures['parent_peak_mib']:.0f} MiB", flush=True)


def split_lines(scratch: Path, pages: int = 20_000) -> None:
    """One WARC of `pages` requests and responses (synthetic pages), run with 1 and 2 workers."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    crawl = scratch / "split-crawl"
    generate(crawl, pages, max(1, pages // 500), 1, 0.0, [0.8])
    path = scratch / "one.warc.gz"
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for page in sorted(crawl.rglob("*.txt")):
            url = f"https://{page.parent.name}.example/{page.stem}"
            body = "".join(f"<p>{line}</p>" for line in page.read_text().splitlines() if line)
            html = f"<html><head><title>{page.stem}</title></head><body><article>{body}</article></body></html>".encode()
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example")], is_http_request=True)
            writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=request))
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(html), http_headers=http))
    walls = {}
    for workers in (1, 2):
        figures = run_measured([path], scratch / f"split-out-{workers}", workers, [])
        walls[workers] = figures["wall"]
        print(f"one WARC of {2 * pages} records, {workers} worker{'s' if workers > 1 else ''}  {figures['wall']:7.1f} s  "
              f"workers' CPU {figures['workers_cpu'] or figures['parent_cpu']:.1f} s", flush=True)
    print(f"one WARC, 2 workers / 1 worker  {walls[1] / walls[2]:.2f}x faster", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="trafilatura-eval directory")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--docs", type=int, default=100_000, help="synthetic records for the parent's figures")
    parser.add_argument("--skip-synthetic", action="store_true", help="leave out the 40,000-record WARC and the parent's figures")
    args = parser.parse_args(argv)
    dataset = quality.load_trafilatura_eval(args.data)
    with tempfile.TemporaryDirectory(prefix="containers-bench-") as scratch_dir:
        scratch = Path(scratch_dir)
        warcs = pack_warcs(dataset, scratch / "warc")
        jsonl = scratch / "dev.jsonl"
        pack_jsonl(dataset, jsonl)
        quality_lines(dataset, warcs, jsonl, scratch, args.workers)
        warc_run = throughput_lines(dataset, warcs, scratch, args.workers, args.repeat)
        warc_read_line(warcs, warc_run)
        if not args.skip_synthetic:
            split_lines(scratch)
            parent_lines(scratch, args.docs, args.workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
