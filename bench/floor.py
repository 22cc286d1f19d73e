"""How fast the text path could be in Python: the cheapest form of the work the features need.

The speed targets give the cleaner's own code 1 ms and the heuristics 0.5 ms
per 10 KB of text. This script times, on the dev set's text dumps, the least
work that the issue's own feature list requires, each part done the cheapest
way Python allows (whole-string C calls, `map` over set lookups), with no
logic around it:

- ``load``: read, gunzip and decode the file, then `normalize` it;
- ``rules``: the rule files' one RE2 set search over the document (the
  rulebook's first call, before any rule runs);
- ``words``: for each line that could read as prose (the lines
  `heuristics.measure_lines` gives word measures), split it, lowercase it,
  look every word up in the stoplist and compare it with its lowercase form:
  the stopword density and the share of capitalised words, nothing else;
- ``lines``: one pass over the document's distinct lines that counts words
  and reads the last character (the cheapest per-line measure).

Each figure is the best of `--repeat` passes, in ms per 10 KB of input, the
floors with the garbage collector off, next to the real steps timed the same
way on fresh copies of the documents (collector on, as in a run). What a
budget leaves above the floor is all that the rest of the logic
(classification, the body's bounds, link runs, bookkeeping of removed lines)
may cost.

    python bench/floor.py [--data DIR] [--repeat K]
"""

from __future__ import annotations

import argparse
import gc
import pickle
import sys
import time
from collections.abc import Callable, Sequence
from operator import ne
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from cleaner.config import Config  # noqa: E402
from cleaner.heuristics import CLOSERS, Heuristics, measure_lines  # noqa: E402
from cleaner.normalize import normalize  # noqa: E402
from cleaner.pipeline import Pipeline  # noqa: E402
from cleaner.readers import Walker, decode, read_bytes  # noqa: E402
from cleaner.records import ReadStats  # noqa: E402
from cleaner.runner import input_units  # noqa: E402
from cleaner.stages import unit_records  # noqa: E402

DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "datasets" / "trafilatura-eval"
TEN_KB = 10_000
BUDGETS = {"cleaner own": 1.0, "heuristics": 0.5}


def best_of(repeat: int, items: Callable[[], Sequence[Any]], work: Callable[[Any], Any], collector: bool = False) -> float:
    """Seconds of the fastest of `repeat` passes of `work` over fresh `items()` (made outside the timer).

    The floors run with the garbage collector off (a lower bound); the real
    steps with it on, as in a run.
    """
    best = float("inf")
    for _ in range(repeat):
        batch = items()
        gc.collect()
        if not collector:
            gc.disable()
        started = time.perf_counter()
        for item in batch:
            work(item)
        best = min(best, time.perf_counter() - started)
        gc.enable()
    return best


def word_floor(prose: tuple[list[str], frozenset[str] | None]) -> None:
    lines, stop = prose
    contains = stop.__contains__ if stop is not None else bool
    for line in lines:
        plain = line.split()
        lower = line.lower().split()
        sum(map(contains, lower))
        sum(map(ne, plain, lower))


def line_floor(lines: list[str]) -> None:
    for text in dict.fromkeys(lines):
        text.count(" ")
        text.rstrip(CLOSERS)[-1:]


def prose_lines(texts: list[str], stop: frozenset[str] | None) -> list[str]:
    """The lines `measure_lines` gives word measures: the ones whose density it sets."""
    measures = measure_lines(texts, stop)
    return list(dict.fromkeys(t for t, m in zip(texts, measures) if (m.stop_density, m.capitalised) != (0.0, 1.0)))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="trafilatura-eval dir (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=5, help="best of K passes (default: 5)")
    args = parser.parse_args(argv)
    files = list(Walker().walk((args.data / "text",)))
    if not files:
        print(f"floor.py: error: no text files under {args.data / 'text'}", file=sys.stderr)
        return 2
    config = Config(min_words=0)
    pipeline = Pipeline(config)
    records = [rec for unit in input_units(files, config) for rec in unit_records(unit, config, ReadStats())]
    heuristics = Heuristics()
    bytes_in = sum(len(read_bytes(Path(item.path), 1 << 30)) for item in files)
    loaded = pickle.dumps([pipeline.load(rec) for rec in records])
    ruled = pickle.dumps([pipeline.rulebook.apply(doc) for doc in pickle.loads(loaded)])
    docs = pickle.loads(ruled)
    texts = [[line.text if line.kept else "" for line in doc.lines] for doc in docs]
    stops = [heuristics.stoplist(doc, t) for doc, t in zip(docs, texts)]
    prose = [(prose_lines(t, stop), stop) for t, stop in zip(texts, stops)]
    joined = ["\n".join(line.text for line in doc.lines).encode() for doc in pickle.loads(loaded)]

    def per_10kb(seconds: float) -> float:
        return 1000 * seconds / (bytes_in / TEN_KB)

    def same(items: Sequence[Any]) -> Callable[[], Sequence[Any]]:
        return lambda: items

    floors = {
        "load (read, gunzip, decode, normalise)": best_of(
            args.repeat, same(files), lambda item: normalize(decode(read_bytes(Path(item.path), 1 << 30), "text")[0])
        ),
        "rules (the RE2 set search alone)": best_of(args.repeat, same(joined), pipeline.rulebook.candidates),
        "lines (count words, read the last character)": best_of(args.repeat, same(texts), line_floor),
        "words (split, lowercase, stoplist, capitals)": best_of(args.repeat, same(prose), word_floor),
    }
    real = {
        "load step": best_of(args.repeat, same(records), pipeline.load, collector=True),
        "rules step": best_of(args.repeat, lambda: pickle.loads(loaded), pipeline.rulebook.apply, collector=True),
        "heuristics step": best_of(args.repeat, lambda: pickle.loads(ruled), heuristics, collector=True),
    }
    print(f"# floor.py  {len(files)} text dumps, {bytes_in / 1e6:.1f} MB, best of {args.repeat}")
    for name, seconds in floors.items():
        print(f"floor  {name:<48} {per_10kb(seconds):6.3f} ms/10 KB")
    for name, seconds in real.items():
        print(f"real   {name:<48} {per_10kb(seconds):6.3f} ms/10 KB")
    heuristics_floor = per_10kb(floors["lines (count words, read the last character)"] + floors["words (split, lowercase, stoplist, capitals)"])
    own_floor = sum(map(per_10kb, floors.values()))
    print(f"floor  {'heuristics (lines + words)':<48} {heuristics_floor:6.3f} ms/10 KB  budget {BUDGETS['heuristics']} ms")
    print(f"floor  {'cleaner own (all four)':<48} {own_floor:6.3f} ms/10 KB  budget {BUDGETS['cleaner own']} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
