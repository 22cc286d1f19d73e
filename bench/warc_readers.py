"""Compare FastWARC and warcio at reading a WARC, the figures `containers.py` cites.

Packs the 990 dev pages (trafilatura-eval `html/*.html.gz`, URLs from
`annotations.jsonl`) into a WARC of `response` records, each with its
`request` record as crawlers write them, gzipped per record like Common
Crawl, and uncompressed. Then reads each file whole with both libraries:
every record's headers, and for responses the HTTP headers and the payload.
The fastest of `--repeat` runs is printed, in MB/s of WARC file bytes.

    python bench/warc_readers.py [--repeat 5] [--data ../shared/datasets/trafilatura-eval]
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastwarc.warc import ArchiveIterator as FastIterator
from fastwarc.warc import WarcRecordType
from warcio.archiveiterator import ArchiveIterator as WarcioIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "trafilatura-eval"


def pack(data_dir: Path, target: Path, compress: bool) -> int:
    """Write the dev pages as a WARC (a request and a response per page); returns the number of pages."""
    urls = {}
    for line in (data_dir / "annotations.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        urls[entry["id"]] = entry["url"]
    pages = sorted((data_dir / "html").glob("*.html.gz"))
    with target.open("wb") as handle:
        writer = WARCWriter(handle, gzip=compress)
        for page in pages:
            url = urls.get(page.name.removesuffix(".html.gz"), f"http://example.com/{page.name}").replace(" ", "%20")
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.com")], is_http_request=True)
            writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=request))
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            body = gzip.decompress(page.read_bytes())
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))
    return len(pages)


def read_fastwarc(path: Path) -> int:
    total = 0
    with path.open("rb") as handle:
        for record in FastIterator(handle, parse_http=False):
            if record.record_type == WarcRecordType.response:
                record.parse_http()
                total += len(record.reader.read())
    return total


def read_warcio(path: Path) -> int:
    total = 0
    with path.open("rb") as handle:
        for record in WarcioIterator(handle):
            if record.rec_type == "response":
                total += len(record.content_stream().read())
    return total


def best_seconds(reader: Callable[[Path], int], path: Path, repeat: int) -> tuple[float, int]:
    times, payload = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        payload = reader(path)
        times.append(time.perf_counter() - started)
    return min(times), payload


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for compress in (True, False):
            target = Path(tmp) / ("dev.warc.gz" if compress else "dev.warc")
            pages = pack(args.data, target, compress)
            size = target.stat().st_size
            print(f"{target.name}: {pages} pages, {size / 1e6:.1f} MB")
            for name, reader in (("fastwarc", read_fastwarc), ("warcio", read_warcio)):
                seconds, payload = best_seconds(reader, target, args.repeat)
                print(f"  {name:8s} {seconds * 1000:7.1f} ms  {size / 1e6 / seconds:7.1f} MB/s  payload {payload / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
