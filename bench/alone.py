"""An HTML extractor alone over a directory, as a user would run it: the whole-run peer of `bench/speed.py`.

    python3 bench/alone.py trafilatura|resiliparse INPUT_DIR OUTPUT.jsonl

Every file under INPUT_DIR (in sorted order, `.gz` files gunzipped) is
read, extracted and written as one JSON line (source and text), in one
process. trafilatura gets the page's bytes (it detects the encoding itself)
and the options the cleaner gives it (tables in, its duplicate cache and
comments out); resiliparse gets the page decoded as resiliparse's own
`bytes_to_str` with `detect_encoding` decodes it, and extracts with
`main_content=True`. The process is what `bench/speed.py` times against a
whole 1-worker `cleaner run` on the same directory: imports, reading,
extraction and writing, so the ratio is of two whole runs.
"""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Callable
from pathlib import Path


def trafilatura_extractor() -> Callable[[bytes], str]:
    import trafilatura

    def extract(page: bytes) -> str:
        return trafilatura.extract(page, include_tables=True, include_comments=False, deduplicate=False) or ""

    return extract


def resiliparse_extractor() -> Callable[[bytes], str]:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding

    def extract(page: bytes) -> str:
        return extract_plain_text(bytes_to_str(page, detect_encoding(page)), main_content=True) or ""

    return extract


EXTRACTORS = {"trafilatura": trafilatura_extractor, "resiliparse": resiliparse_extractor}


def pages(directory: Path):
    """(source, bytes) of every file under `directory`, in sorted order; `.gz` files gunzipped."""
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        yield str(path.relative_to(directory)), data


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in EXTRACTORS:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    extract = EXTRACTORS[argv[0]]()
    with open(argv[2], "w", encoding="utf-8") as output:
        for source, page in pages(Path(argv[1])):
            try:
                text = extract(page)
            except Exception as exc:  # noqa: BLE001 - a page the peer cannot read is a line saying so, as the cleaner rejects it
                text, source = "", f"{source} ({type(exc).__name__})"
            output.write(json.dumps({"source": source, "text": text}, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
