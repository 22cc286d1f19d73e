"""Measure how well the cleaner separates main text from boilerplate.

Runs the real cleaner CLI (``python -m cleaner run ...``) on three evaluation
sets, once on the full-page text dumps and once on the HTML, and scores the
cleaned text against hand-made annotations. Reference lines computed in the
same run put the figures in context: the text dumps passed through unchanged,
a C4-style line filter on the dumps, and trafilatura alone on the HTML. The
cleaner's scores are broken down by language (trafilatura-eval) and by the
dominant script of each page's annotated text (every set), and checked
against the floors in ``bench/quality_floor.json``: an F1 under its floor
fails the run (exit status 1), as trafilatura's own evaluation gate does.

The data lives outside the repository (see ``../shared/datasets/README.md``).

Scoring, as defined in that README:

trafilatura-eval (990 pages)
    Each page has ``with`` strings (main text that must survive) and
    ``without`` strings (boilerplate that must be gone). After collapsing runs
    of whitespace to one space on both sides, a ``with`` string found in the
    cleaned text is a true positive, a missing one a false negative; a
    ``without`` string still found is a false positive, a removed one a true
    negative. Counts are summed over all pages, then P = TP/(TP+FP),
    R = TP/(TP+FN) and F1 is their harmonic mean.

cleanportaleval (71 pages, several per site)
    Word 4-gram shingles (tokens are ``\\w+`` runs) of the cleaned text are
    matched against those of the gold text, with multiplicity. Per page,
    P = matched/output shingles and R = matched/gold shingles, where an empty
    denominator gives 1.0 (so empty output scores P 1.0, R 0.0, and output for
    an empty gold scores P 0.0, R 1.0). P and R are averaged over pages and
    F1 is computed from the averages.

zh-news (46 Chinese pages, hand-copied gold)
    Scored by the set's own ``score.py`` (imported from the set's folder):
    the cleanportaleval measure with CJK-aware tokens (every Han, kana or
    Hangul character is one token), precision averaged over the pages with
    output only. Its C4 reference also ends sentences with ``。！？」』`` and
    asks a mostly-CJK line for 10 CJK characters instead of 3 words; its
    trafilatura reference is given the page decoded as the set's dumps were
    (BOM, else UTF-8, else the declared charset with GB labels as GB18030,
    else GB18030), since trafilatura's own guess garbles GB pages.

In every set a page for which the cleaner wrote no record counts as empty
output.

Usage::

    python bench/quality.py [--data DIR] [--cleanportal DIR] [--zh-news DIR]
        [--datasets LIST] [--paths text,html] [--workers N] [--worst N]
        [--json FILE] [--no-references] [--no-cleaner]
        [--no-gate | --update-floor] [--floor-file FILE] [-- extra cleaner args]
"""

from __future__ import annotations

import argparse
import codecs
import gzip
import importlib.util
import json
import math
import multiprocessing
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Callable, Iterable, Sequence

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "datasets" / "trafilatura-eval"
DEFAULT_CLEANPORTAL = PROJECT_ROOT.parent / "shared" / "datasets" / "cleanportaleval"
DEFAULT_ZH_NEWS = PROJECT_ROOT.parent / "shared" / "datasets" / "zh-news"
FLOOR_FILE = Path(__file__).resolve().parent / "quality_floor.json"
# --update-floor records each F1 this much lower, rounded down: room for the noise of small changes.
FLOOR_MARGIN = 0.01

TRAFILATURA_EVAL = "trafilatura-eval"
CLEANPORTAL_EVAL = "cleanportaleval"
ZH_NEWS = "zh-news"
DATASETS = (TRAFILATURA_EVAL, CLEANPORTAL_EVAL, ZH_NEWS)
PATHS = ("text", "html")
SUFFIXES = {"text": ".txt.gz", "html": ".html.gz"}
SNIPPET_WIDTH = 80
LANGUAGE_MIN_PAGES = 3
SHINGLE_SIZE = 4

WHITESPACE = re.compile(r"\s+")
WORD = re.compile(r"\w+")
C4_LINE_END = re.compile(r"[.!?][\"'\u201d\u2019\u00bb]*$")
C4_MIN_WORDS = 3
# zh-news's C4 variant, as its README's reference line: CJK sentence ends too (with ASCII quotes after
# them only), and a mostly-CJK line needs this many CJK characters.
C4_CJK_LINE_END = re.compile(r"[.!?\u3002\uff01\uff1f\u300d\u300f][\"']*$")
C4_MIN_CJK_CHARS = 10
# Every GB label, read as GB18030 (its superset) when the zh-news reference decodes a page.
GB_LABELS = frozenset({"gb2312", "gbk", "gb18030", "x-gbk", "chinese", "csgb2312", "gb_2312-80", "iso-ir-58"})
META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
# The first word of a letter's Unicode name, for the scripts the breakdown tells apart.
SCRIPT_OF_NAME = {
    "LATIN": "Latin", "CYRILLIC": "Cyrillic", "ARABIC": "Arabic",
    "CJK": "CJK", "HIRAGANA": "CJK", "KATAKANA": "CJK", "HANGUL": "CJK",
}
# "none": pages whose annotated text has no letters (an index page's empty gold).
SCRIPTS = ("Latin", "Cyrillic", "CJK", "Arabic", "other", "none")

TLD_LANGUAGES = {
    "de": "de", "at": "de", "ch": "de", "li": "de",
    "fr": "fr", "be": "fr", "lu": "fr",
    "it": "it", "es": "es", "mx": "es", "ar": "es", "cl": "es", "pe": "es",
    "uy": "es", "bo": "es", "ve": "es", "co": "es", "pt": "pt", "br": "pt",
    "nl": "nl", "pl": "pl", "cz": "cs", "sk": "sk", "se": "sv", "no": "no",
    "dk": "da", "fi": "fi", "ru": "ru", "ua": "uk", "gr": "el", "tr": "tr",
    "jp": "ja", "cn": "zh", "tw": "zh", "kr": "ko", "uk": "en", "us": "en",
    "ie": "en", "au": "en", "nz": "en", "ca": "en",
}


# ---------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Counts:
    """Snippet outcomes: with-strings kept (tp) or lost (fn), without-strings kept (fp) or removed (tn)."""

    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fn + other.fn, self.fp + other.fp, self.tn + other.tn)

    @property
    def precision(self) -> float:
        return ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        return harmonic_mean(self.precision, self.recall)

    @property
    def errors(self) -> int:
        return self.fn + self.fp


def ratio(numerator: int, denominator: int) -> float:
    """numerator/denominator, with 0/0 (nothing to get wrong) counted as 1.0."""
    return numerator / denominator if denominator else 1.0


def harmonic_mean(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def collapse_whitespace(text: str) -> str:
    return WHITESPACE.sub(" ", text).strip()


def score_snippets(text: str, with_: Sequence[str], without: Sequence[str]) -> Counts:
    """Score one page's cleaned text against its with/without strings."""
    cleaned = collapse_whitespace(text)
    kept = sum(collapse_whitespace(s) in cleaned for s in with_)
    leaked = sum(collapse_whitespace(s) in cleaned for s in without)
    return Counts(tp=kept, fn=len(with_) - kept, fp=leaked, tn=len(without) - leaked)


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """Multiset of word n-grams of text (tokens are \\w+ runs)."""
    words = WORD.findall(text)
    return Counter(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


def shingle_scores(text: str, gold: str) -> tuple[float, float]:
    """Per-page (precision, recall) of text's 4-gram shingles against gold's."""
    output, expected = shingles(text), shingles(gold)
    matched = sum((output & expected).values())
    return ratio(matched, sum(output.values())), ratio(matched, sum(expected.values()))


def c4_line_filter(text: str) -> str:
    """Keep lines ending in terminal punctuation (optionally quoted) with at least 3 words."""
    kept = []
    for line in text.split("\n"):
        line = line.strip()
        if C4_LINE_END.search(line) and len(line.split()) >= C4_MIN_WORDS:
            kept.append(line)
    return "\n".join(kept)


def cjk_chars(line: str) -> int:
    return sum(letter_script(char) == "CJK" for char in line)


def c4_cjk_line_filter(text: str) -> str:
    """The C4 line filter with CJK sentence ends; a line mostly of CJK letters needs 10 CJK characters, not 3 words.

    >>> c4_cjk_line_filter("首页 新闻\\n新华社北京七月十八日电记者报道。\\nToo short.\\nA proper sentence here.")
    '新华社北京七月十八日电记者报道。\\nA proper sentence here.'
    """
    kept = []
    for line in text.split("\n"):
        line = line.strip()
        if not C4_CJK_LINE_END.search(line):
            continue
        letters, cjk = sum(char.isalpha() for char in line), cjk_chars(line)
        long_enough = cjk >= C4_MIN_CJK_CHARS if 2 * cjk > letters else len(line.split()) >= C4_MIN_WORDS
        if long_enough:
            kept.append(line)
    return "\n".join(kept)


@lru_cache(maxsize=None)
def letter_script(char: str) -> str:
    """The script of a letter by its Unicode name ("other" for a script not told apart); "" for a non-letter."""
    if not char.isalpha():
        return ""
    return SCRIPT_OF_NAME.get(unicodedata.name(char, "").split(" ", 1)[0], "other")


def dominant_script(text: str) -> str:
    """The script most of the text's letters are in; "none" for a text without letters.

    >>> dominant_script("新华社 Xinhua 北京电"), dominant_script("Москва, 2005"), dominant_script("1, 2, 3")
    ('CJK', 'Cyrillic', 'none')
    """
    counts = Counter(letter_script(char) for char in text)
    counts.pop("", None)
    return counts.most_common(1)[0][0] if counts else "none"


# ---------------------------------------------------------------- data


@dataclass
class Page:
    """One evaluation page; sources maps a path ("text"/"html") to the file relative to that input dir."""

    key: str
    url: str
    sources: dict[str, str]
    with_: list[str] = field(default_factory=list)
    without: list[str] = field(default_factory=list)
    gold: str = ""


@dataclass
class Dataset:
    """An evaluation set; `scorer` is zh-news's own `score.py` module, which scores that set."""

    name: str
    root: Path
    pages: list[Page]
    scorer: ModuleType | None = None

    def input_dir(self, path: str) -> Path:
        return self.root / path

    def files(self, path: str) -> list[Path]:
        return [self.input_dir(path) / page.sources[path] for page in self.pages]


@dataclass
class Result:
    dataset: str
    path: str
    method: str
    precision: float
    recall: float
    pages: int
    counts: Counts | None = None

    @property
    def f1(self) -> float:
        return harmonic_mean(self.precision, self.recall)

    def line(self) -> str:
        return (
            f"{self.dataset:<16}  {self.path:<4}  {self.method:<12}  "
            f"P {self.precision:.3f}  R {self.recall:.3f}  F1 {self.f1:.3f}  ({self.pages} pages)"
        )

    def as_json(self) -> dict:
        figures = {
            "dataset": self.dataset, "path": self.path, "method": self.method,
            "precision": round(self.precision, 4), "recall": round(self.recall, 4),
            "f1": round(self.f1, 4), "pages": self.pages,
        }
        if self.counts is not None:
            figures.update(vars(self.counts))
        return figures


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_gzip_text(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8")


def load_trafilatura_eval(root: Path) -> Dataset:
    pages = [
        Page(
            key=row["id"],
            url=row["url"],
            sources={path: row["id"] + SUFFIXES[path] for path in PATHS},
            with_=row["with"],
            without=row["without"],
        )
        for row in read_jsonl(root / "annotations.jsonl")
    ]
    return Dataset(TRAFILATURA_EVAL, root, pages)


def load_cleanportaleval(root: Path) -> Dataset:
    pages = [
        Page(
            key=f"{row['site']}/{row['page']}",
            url=row["url"],
            sources={path: Path(row[path]).relative_to(path).as_posix() for path in PATHS},
            gold=(root / row["gold"]).read_text(encoding="utf-8"),
        )
        for row in read_jsonl(root / "index.jsonl")
    ]
    return Dataset(CLEANPORTAL_EVAL, root, pages)


def load_zh_news(root: Path) -> Dataset:
    pages = [
        Page(
            key=row["id"],
            url=row["url"] or "",
            sources={path: Path(row[path]).relative_to(path).as_posix() for path in PATHS},
            gold=(root / row["gold"]).read_text(encoding="utf-8"),
        )
        for row in read_jsonl(root / "index.jsonl")
    ]
    return Dataset(ZH_NEWS, root, pages, scorer=import_scorer(root / "score.py"))


def import_scorer(path: Path) -> ModuleType:
    """The set's own scorer module (standard library only; its command line is not run)."""
    spec = importlib.util.spec_from_file_location("zh_news_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LOADERS: dict[str, Callable[[Path], Dataset]] = {
    TRAFILATURA_EVAL: load_trafilatura_eval, CLEANPORTAL_EVAL: load_cleanportaleval, ZH_NEWS: load_zh_news,
}


# ---------------------------------------------------------------- methods


def extract_with_trafilatura(path: str) -> str:
    """trafilatura.extract with default settings on the raw page bytes (it detects the encoding)."""
    import trafilatura

    return trafilatura.extract(gzip.decompress(Path(path).read_bytes())) or ""


def extract_decoded_with_trafilatura(path: str) -> str:
    """trafilatura.extract with default settings on the page decoded as zh-news's dumps were."""
    import trafilatura

    return trafilatura.extract(decode_like_zh_dumps(gzip.decompress(Path(path).read_bytes()))) or ""


def decode_like_zh_dumps(data: bytes) -> str:
    """A BOM, else valid UTF-8, else the `<meta>` charset with every GB label as GB18030, else GB18030.

    >>> decode_like_zh_dumps('<meta charset="gb2312"><p>朱镕基'.encode("gbk"))
    '<meta charset="gb2312"><p>朱镕基'
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    match = META_CHARSET.search(data[:4096])
    label = match.group(1).decode("ascii").lower() if match else "gb18030"
    try:
        return data.decode("gb18030" if label in GB_LABELS else label, errors="replace")
    except LookupError:
        return data.decode("gb18030", errors="replace")


def run_trafilatura(files: Iterable[Path], workers: int, extract: Callable[[str], str] = extract_with_trafilatura) -> list[str]:
    names = [str(f) for f in files]
    with multiprocessing.Pool(workers) as pool:
        return pool.map(extract, names, chunksize=4)


# The annotations score what cleaning keeps inside a page; the document-level
# length filter and deduplication would only turn pages into empty ones (the
# dev sets hold a few exact copies), so both are off here.
# Arguments after -- come later and win.
SCORING_ARGS = ("--min-words", "0", "--no-dedup")


class CleanerError(RuntimeError):
    """The cleaner CLI exited with an error."""


def run_cleaner(dataset: Dataset, path: str, workers: int, extra_args: Sequence[str]) -> dict[str, dict]:
    """Run the cleaner CLI on one input dir; return the output record per page key (missing pages absent)."""
    with tempfile.TemporaryDirectory(prefix="quality-") as output:
        command = [
            sys.executable, "-m", "cleaner", "run", str(dataset.input_dir(path)),
            "--output", output, "--overwrite", "--quiet", "--workers", str(workers),
            *SCORING_ARGS, *extra_args,
        ]
        finished = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
        if finished.returncode != 0:
            detail = finished.stderr.strip().splitlines()[-1:] or ["(no stderr)"]
            raise CleanerError(
                f"cleaner failed on {dataset.name}/{path} (exit {finished.returncode}): {detail[0]}"
            )
        records = read_corpus(Path(output))
    return records_by_page(dataset, path, records)


def read_corpus(output: Path) -> list[dict]:
    records = []
    for part in sorted(output.glob("corpus-*.jsonl*")):
        opener = gzip.open if part.name.endswith(".gz") else open
        with opener(part, "rt", encoding="utf-8") as handle:
            records.extend(json.loads(line) for line in handle if line.strip())
    return records


def records_by_page(dataset: Dataset, path: str, records: list[dict]) -> dict[str, dict]:
    """Map records to page keys by their source; several records from one source are joined."""
    key_of_source = {page.sources[path]: page.key for page in dataset.pages}
    by_page: dict[str, dict] = {}
    for record in records:
        key = key_of_source.get(Path(record.get("source", "")).as_posix())
        if key is None:
            continue
        if key in by_page:
            by_page[key] = {**by_page[key], "text": by_page[key]["text"] + "\n\n" + record.get("text", "")}
        else:
            by_page[key] = {**record, "text": record.get("text", "")}
    return by_page


# ---------------------------------------------------------------- evaluation


def page_counts(dataset: Dataset, texts: Sequence[str]) -> list[Counts]:
    return [score_snippets(text, page.with_, page.without) for page, text in zip(dataset.pages, texts)]


def evaluate(dataset: Dataset, path: str, method: str, texts: Sequence[str]) -> Result:
    """Score one method's cleaned texts (aligned with dataset.pages) with the dataset's measure."""
    if dataset.name == TRAFILATURA_EVAL:
        total = sum(page_counts(dataset, texts), Counts())
        return Result(dataset.name, path, method, total.precision, total.recall, len(texts), total)
    if dataset.scorer is not None:
        totals = dataset.scorer.aggregate(
            [dataset.scorer.page_counts(page.gold, text) for page, text in zip(dataset.pages, texts)]
        )
        return Result(dataset.name, path, method, totals["P"], totals["R"], len(texts))
    scores = [shingle_scores(text, page.gold) for page, text in zip(dataset.pages, texts)]
    precision = sum(p for p, _ in scores) / len(scores)
    recall = sum(r for _, r in scores) / len(scores)
    return Result(dataset.name, path, method, precision, recall, len(texts))


def reference_results(dataset: Dataset, workers: int) -> list[Result]:
    dumps = [read_gzip_text(f) for f in dataset.files("text")]
    line_filter = c4_cjk_line_filter if dataset.name == ZH_NEWS else c4_line_filter
    extract = extract_decoded_with_trafilatura if dataset.name == ZH_NEWS else extract_with_trafilatura
    results = [
        evaluate(dataset, "text", "passthrough", dumps),
        evaluate(dataset, "text", "c4-lines", [line_filter(d) for d in dumps]),
    ]
    log(f"{dataset.name}: trafilatura on {len(dataset.pages)} pages ...")
    results.append(evaluate(dataset, "html", "trafilatura", run_trafilatura(dataset.files("html"), workers, extract)))
    return results


def page_script(page: Page) -> str:
    """The dominant script of the page's annotated main text (its gold, or its `with` strings)."""
    return dominant_script(page.gold or " ".join(page.with_))


def script_breakdown(dataset: Dataset, path: str, texts: Sequence[str]) -> list[dict]:
    """The cleaner's scores on the pages of each script, with the dataset's own measure, in `SCRIPTS` order."""
    groups: dict[str, list[int]] = defaultdict(list)
    for index, page in enumerate(dataset.pages):
        groups[page_script(page)].append(index)
    rows = []
    for script in (s for s in SCRIPTS if s in groups):
        indices = groups[script]
        subset = Dataset(dataset.name, dataset.root, [dataset.pages[i] for i in indices], dataset.scorer)
        result = evaluate(subset, path, "cleaner", [texts[i] for i in indices])
        rows.append({"script": script, "pages": len(indices), "precision": round(result.precision, 4),
                     "recall": round(result.recall, 4), "f1": round(result.f1, 4)})
    return rows


def url_language(url: str) -> str:
    host = re.sub(r"^[a-z]+://", "", url.lower()).split("/")[0].split(":")[0]
    return TLD_LANGUAGES.get(host.rsplit(".", 1)[-1], "und")


def page_language(page: Page, record: dict | None) -> str:
    if record is None:
        return "und"
    return record.get("lang") or url_language(page.url)


def language_breakdown(dataset: Dataset, records: dict[str, dict], counts: list[Counts]) -> list[dict]:
    """Snippet scores per language, most pages first; languages with few pages are pooled as "other"."""
    languages = [page_language(page, records.get(page.key)) for page in dataset.pages]
    frequent = {lang for lang, n in Counter(languages).items() if n >= LANGUAGE_MIN_PAGES}
    totals: dict[str, Counts] = defaultdict(Counts)
    pages: Counter[str] = Counter()
    for lang, page_count in zip(languages, counts):
        group = lang if lang in frequent else "other"
        totals[group] += page_count
        pages[group] += 1
    return [
        {"lang": lang, "pages": n, "precision": round(totals[lang].precision, 4),
         "recall": round(totals[lang].recall, 4), "f1": round(totals[lang].f1, 4)}
        for lang, n in sorted(pages.items(), key=lambda item: (item[0] == "other", -item[1], item[0]))
    ]


def worst_pages(dataset: Dataset, texts: Sequence[str], counts: list[Counts], limit: int) -> list[dict]:
    """The pages with most errors (FN+FP), ties broken by lower per-page F1, with the failing snippets."""
    ranked = sorted(
        zip(dataset.pages, texts, counts),
        key=lambda item: (-item[2].errors, item[2].f1, item[0].key),
    )
    worst = []
    for page, text, page_count in ranked[:limit]:
        if not page_count.errors:
            break
        cleaned = collapse_whitespace(text)
        worst.append({
            "id": page.key, "url": page.url, "f1": round(page_count.f1, 4), "empty": not cleaned,
            "missing": [s for s in page.with_ if collapse_whitespace(s) not in cleaned],
            "survived": [s for s in page.without if collapse_whitespace(s) in cleaned],
        })
    return worst


# ---------------------------------------------------------------- gate


@dataclass(frozen=True)
class Check:
    """One cleaner F1 against its recorded floor (None when the floor file has none for it)."""

    dataset: str
    path: str
    f1: float
    floor: float | None

    @property
    def passed(self) -> bool:
        return self.floor is None or round(self.f1, 4) >= self.floor

    def line(self) -> str:
        if self.floor is None:
            return f"gate  {self.dataset:<16}  {self.path:<4}  F1 {self.f1:.3f}  no floor recorded"
        verdict = "PASS" if self.passed else "FAIL"
        return f"gate  {self.dataset:<16}  {self.path:<4}  F1 {self.f1:.3f}  floor {self.floor:.3f}  {verdict}"


def read_floors(path: Path) -> dict[str, dict[str, float]]:
    """The floor file: {dataset: {path: F1 floor}}; none when the file is missing."""
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))["f1_floor"]


def gate_checks(results: Sequence[Result], floors: dict[str, dict[str, float]]) -> list[Check]:
    return [
        Check(result.dataset, result.path, result.f1, floors.get(result.dataset, {}).get(result.path))
        for result in results
        if result.method == "cleaner"
    ]


def floor_below(f1: float, margin: float = FLOOR_MARGIN) -> float:
    """The floor recorded for an F1: `margin` lower, rounded down to 3 decimals.

    >>> floor_below(0.9274), floor_below(0.01)
    (0.917, 0.0)
    """
    return max(0.0, math.floor(round((f1 - margin) * 1000, 6)) / 1000)


def write_floors(path: Path, results: Sequence[Result]) -> None:
    """Record a floor under each cleaner F1 measured; the floors of sets and paths not measured stay."""
    floors = read_floors(path)
    for result in results:
        if result.method == "cleaner":
            floors.setdefault(result.dataset, {})[result.path] = floor_below(result.f1)
    document = {
        "about": "bench/quality.py exits 1 when the cleaner's F1 on a dev set and path falls below its floor "
                 "(default options); `bench/quality.py --update-floor` records each F1 measured, "
                 f"{FLOOR_MARGIN} lower.",
        "f1_floor": {name: dict(sorted(paths.items())) for name, paths in sorted(floors.items())},
    }
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- report


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def truncate(snippet: str, width: int = SNIPPET_WIDTH) -> str:
    snippet = collapse_whitespace(snippet)
    return snippet if len(snippet) <= width else snippet[: width - 1] + "\u2026"


def print_languages(path: str, languages: list[dict]) -> None:
    pooled = f"under {LANGUAGE_MIN_PAGES} pages pooled as other"
    print(f"\n{TRAFILATURA_EVAL} {path}: cleaner by language ({pooled})")
    for row in languages:
        print(f"  {row['lang']:<5} {row['pages']:>4} pages  P {row['precision']:.3f}  "
              f"R {row['recall']:.3f}  F1 {row['f1']:.3f}")


def print_scripts(name: str, path: str, scripts: list[dict]) -> None:
    print(f"\n{name} {path}: cleaner by script (of the annotated text)")
    for row in scripts:
        print(f"  {row['script']:<8} {row['pages']:>4} pages  P {row['precision']:.3f}  "
              f"R {row['recall']:.3f}  F1 {row['f1']:.3f}")


def print_worst(path: str, worst: list[dict]) -> None:
    if not worst:
        return
    legend = "- with missing, + without survived"
    print(f"\n{TRAFILATURA_EVAL} {path}: {len(worst)} worst pages by FN+FP ({legend})")
    for page in worst:
        empty = "  EMPTY" if page["empty"] else ""
        print(f"  {page['id']}  F1 {page['f1']:.2f}{empty}  {truncate(page['url'])}")
        for snippet in page["missing"]:
            print(f"    - {truncate(snippet)}")
        for snippet in page["survived"]:
            print(f"    + {truncate(snippet)}")


# ---------------------------------------------------------------- command line


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    own, extra = split_extra_args(argv)
    parser = argparse.ArgumentParser(
        description="Score the cleaner on trafilatura-eval, cleanportaleval and zh-news against reference "
                    "methods, and check its F1 against the floors in bench/quality_floor.json.",
        epilog="Arguments after -- are passed to `python -m cleaner run` (the floors are for its defaults, so "
               "the gate is skipped then).",
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, metavar="DIR",
                        help="trafilatura-eval dir (default: %(default)s)")
    parser.add_argument("--cleanportal", type=Path, default=DEFAULT_CLEANPORTAL, metavar="DIR",
                        help="cleanportaleval dir (default: %(default)s)")
    parser.add_argument("--zh-news", type=Path, default=DEFAULT_ZH_NEWS, metavar="DIR",
                        help="zh-news dir (default: %(default)s)")
    parser.add_argument("--datasets", type=parse_datasets, default=list(DATASETS), metavar="LIST",
                        help=f"sets to score, comma-separated from {','.join(DATASETS)} (default: all)")
    parser.add_argument("--paths", type=parse_paths, default=list(PATHS), metavar="LIST",
                        help="cleaner inputs to score, comma-separated from text,html (default: text,html)")
    parser.add_argument("--workers", type=int, default=2, metavar="N",
                        help="processes for the cleaner and trafilatura (default: 2)")
    parser.add_argument("--worst", type=int, default=20, metavar="N",
                        help="worst pages to list per path (default: 20)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write all figures to FILE as JSON")
    parser.add_argument("--no-references", action="store_true",
                        help="skip the passthrough, C4 and trafilatura lines")
    parser.add_argument("--no-cleaner", action="store_true", help="skip the cleaner runs (references only)")
    gate = parser.add_mutually_exclusive_group()
    gate.add_argument("--no-gate", action="store_true", help="do not check the F1 floors")
    gate.add_argument("--update-floor", action="store_true",
                      help=f"record a floor {FLOOR_MARGIN} under each cleaner F1 measured in {FLOOR_FILE.name}")
    parser.add_argument("--floor-file", type=Path, default=FLOOR_FILE, metavar="FILE",
                        help="the floors (default: %(default)s)")
    args = parser.parse_args(own)
    args.cleaner_args = extra
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.worst < 0:
        parser.error("--worst must not be negative")
    if args.update_floor and (extra or args.no_cleaner):
        parser.error("--update-floor records the cleaner's F1s with its default options: "
                     "no --no-cleaner, no arguments after --")
    return args


def split_extra_args(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    argv = list(argv)
    if "--" in argv:
        cut = argv.index("--")
        return argv[:cut], argv[cut + 1 :]
    return argv, []


def parse_paths(value: str) -> list[str]:
    paths = [p.strip() for p in value.split(",") if p.strip()]
    unknown = sorted(set(paths) - set(PATHS))
    if unknown or not paths:
        expected = ",".join(PATHS)
        raise argparse.ArgumentTypeError(f"expected a comma-separated subset of {expected}, got {value!r}")
    return paths


def parse_datasets(value: str) -> list[str]:
    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = sorted(set(names) - set(DATASETS))
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"expected a comma-separated subset of {','.join(DATASETS)}, got {value!r}")
    return [name for name in DATASETS if name in names]


def load_datasets(args: argparse.Namespace) -> list[Dataset]:
    directories = {
        TRAFILATURA_EVAL: (args.data, "--data"), CLEANPORTAL_EVAL: (args.cleanportal, "--cleanportal"),
        ZH_NEWS: (args.zh_news, "--zh-news"),
    }
    for name in args.datasets:
        directory, option = directories[name]
        if not directory.is_dir():
            print(f"quality.py: error: dataset dir not found: {directory} (set {option})", file=sys.stderr)
            raise SystemExit(2)
    return [LOADERS[name](directories[name][0].resolve()) for name in args.datasets]


def cleaner_results(dataset: Dataset, args: argparse.Namespace, report: dict) -> list[Result]:
    results = []
    for path in args.paths:
        log(f"{dataset.name}: cleaner on {path} ...")
        records = run_cleaner(dataset, path, args.workers, args.cleaner_args)
        texts = [records.get(page.key, {}).get("text", "") for page in dataset.pages]
        results.append(evaluate(dataset, path, "cleaner", texts))
        report["scripts"].setdefault(dataset.name, {})[path] = script_breakdown(dataset, path, texts)
        if dataset.name == TRAFILATURA_EVAL:
            counts = page_counts(dataset, texts)
            report["languages"][path] = language_breakdown(dataset, records, counts)
            report["worst"][path] = worst_pages(dataset, texts, counts, args.worst)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = time.monotonic()
    datasets = load_datasets(args)
    report: dict = {"cleaner_args": args.cleaner_args, "results": [], "languages": {}, "worst": {}, "scripts": {}}
    results: list[Result] = []
    try:
        for dataset in datasets:
            if not args.no_references:
                results += reference_results(dataset, args.workers)
            if not args.no_cleaner:
                results += cleaner_results(dataset, args, report)
    except CleanerError as error:
        print(f"quality.py: error: {error}", file=sys.stderr)
        return 1
    for result in results:
        print(result.line())
    for path in report["languages"]:
        print_languages(path, report["languages"][path])
        print_worst(path, report["worst"][path])
    for name, paths in report["scripts"].items():
        for path, rows in paths.items():
            print_scripts(name, path, rows)
    report["results"] = [result.as_json() for result in results]
    passed = gate(args, results, report)
    report["seconds"] = round(time.monotonic() - started, 1)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    log(f"done in {report['seconds']:.0f} s")
    return 0 if passed else 1


def gate(args: argparse.Namespace, results: Sequence[Result], report: dict) -> bool:
    """Check the cleaner's F1s against their floors, print a PASS/FAIL line each; or record new floors."""
    if args.update_floor:
        write_floors(args.floor_file, results)
        print(f"\nfloors recorded in {args.floor_file}")
        return True
    if args.no_gate or args.no_cleaner:
        return True
    if args.cleaner_args:
        print("\ngate skipped: the floors are for the cleaner's default options")
        return True
    checks = gate_checks(results, read_floors(args.floor_file))
    print()
    for check in checks:
        print(check.line())
    report["gate"] = [vars(check) | {"passed": check.passed} for check in checks]
    return all(check.passed for check in checks)


if __name__ == "__main__":
    sys.exit(main())
