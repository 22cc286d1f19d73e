"""How often the title found in a text dump is the title its HTML page declares.

For every page of trafilatura-eval, the text dump goes through the
cleaner's own decoding, normalisation and `split_title` (the worktree's
code, imported), and the HTML of the same page through
`extract.declared_metadata` (og:title, else twitter:title, else the first
<h1>, else <title>). Both are compared after collapsing white space and
case folding:

- `exact`: the found title is the declared title, or its headline part (the
  declared title with a site name cut at a separator: "Headline | Site",
  "Site - Headline");
- `loose`: some headline part of the found title is a headline part of the
  declared one (a found "Headline | Site" against a declared "Headline");
- `empty`: no title found.

html-text puts the page's <title> on a dump's first line; `--layout
no-title-line` drops that line, so the dump opens with the page's own
toolbar, as dumps made by other tools do, and the headline must be found
where it stands.

Pages whose HTML declares no title (or does not decode) are left out. The declared title is a
cheap, honest reference across many languages and sites, not a gold
headline: some pages declare a section name or a site name.

Usage::

    python bench/titles.py [--data DIR] [--layout as-is|no-title-line] [--show N] [--json FILE]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from cleaner.errors import InputError  # noqa: E402
from cleaner.extract import declared_metadata, split_title  # noqa: E402
from cleaner.normalize import normalize  # noqa: E402
from cleaner.readers import decode  # noqa: E402

DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "datasets" / "trafilatura-eval"
# Where a page title joins its headline and its site name.
LAYOUTS = ("as-is", "no-title-line")
SEPARATOR = re.compile(r"\s+[|\-–—:·•«»/]+\s+|\s*(?:[|«»_]|--+)\s*")


def folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def headline_parts(title: str) -> set[str]:
    """The title, and every piece of it between two separators (or an end).

    >>> sorted(headline_parts("Harbour reopens | Coast News"))
    ['coast news', 'harbour reopens', 'harbour reopens | coast news']
    """
    title = folded(title)
    cuts = [(0, 0), *((m.start(), m.end()) for m in SEPARATOR.finditer(title)), (len(title), len(title))]
    parts = {title[a[1] : b[0]].strip() for k, a in enumerate(cuts) for b in cuts[k + 1 :]}
    return {part for part in parts if part}


def verdict(found: str, declared: str) -> str:
    """`exact`, `loose`, `empty` or `other` (see the module)."""
    if not found.strip():
        return "empty"
    declared_parts = headline_parts(declared)
    if folded(found) in declared_parts:
        return "exact"
    return "loose" if headline_parts(found) & declared_parts else "other"


def declared_title(path: Path) -> str:
    """The title the page declares, "" when it declares none or its bytes do not decode (then it is left out)."""
    from trafilatura.utils import load_html

    try:
        html, _ = decode(gzip.decompress(path.read_bytes()), "html")
    except InputError:
        return ""
    tree = load_html(html)
    return declared_metadata(tree, html)[0] if tree is not None else ""


def found_title(path: Path, layout: str) -> str:
    """The title `split_title` finds in the dump, as it is or (`no-title-line`) without its first line."""
    text, _ = decode(gzip.decompress(path.read_bytes()), "text")
    text = normalize(text)
    if layout == "no-title-line":
        text = text.partition("\n")[2].lstrip("\n")
    return split_title(text).title


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--layout", choices=LAYOUTS, default="as-is",
        help="the dumps as they are (they open with the page's <title>), or without that first line: they open with the page's toolbar",
    )
    parser.add_argument("--show", type=int, default=0, help="print N pages whose title is not an exact match")
    parser.add_argument("--json", type=Path, help="write every page's found and declared title here")
    args = parser.parse_args(argv)
    rows = []
    for text_path in sorted((args.data / "text").glob("*.txt.gz")):
        page = text_path.name.removesuffix(".txt.gz")
        declared = declared_title(args.data / "html" / f"{page}.html.gz")
        if not declared:
            continue
        found = found_title(text_path, args.layout)
        rows.append({"page": page, "found": found, "declared": declared, "verdict": verdict(found, declared)})
    counts = {name: sum(row["verdict"] == name for row in rows) for name in ("exact", "loose", "empty", "other")}
    total = len(rows)
    print(f"{total} pages with a declared title")
    for name, count in counts.items():
        print(f"  {name:6} {count:4}  {count / total:.3f}")
    print(f"  exact or loose {(counts['exact'] + counts['loose']) / total:.3f}")
    for row in [row for row in rows if row["verdict"] != "exact"][: args.show]:
        print(f"{row['page']} {row['verdict']}\n  found:    {row['found'][:100]}\n  declared: {row['declared'][:100]}")
    if args.json:
        args.json.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
