"""Heuristics: rule-free removal of page chrome, in any language.

Rules (`rulebook.py`) know what chrome says; heuristics know what chrome
looks like. Following jusText, every kept line is first measured (length in
words, terminal punctuation, density of the language's stopwords, share of
capitalised words, of digits and symbols, link-like shape) and classed as
prose, short or chrome; then the classes are revised by their neighbours.
Each heuristic is a named step whose removals carry its versioned name:

- `heuristic.boilerplate-line-v1`: a line that is chrome on its own (a URL,
  a row of menu items between separators, a line of digits and symbols);
- `heuristic.body-bounds-v1`: the body is the densest run of prose; what
  stands before and after it, behind chrome, is dropped;
- `heuristic.link-run-v1`: a run of short headline-like lines inside the
  body is a list of links;
- `heuristic.inline-headline-v1`: a lone headline between two paragraphs
  that does not read like a subheading is an inline related link.

Heuristics only look at kept lines, never un-remove one, and never remove
the last prose of a document. HTML documents come from trafilatura, which
has already cut most chrome: there the heuristics only trim the edges.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

from cleaner.document import Document
from cleaner.features import ends_sentence

BOILERPLATE_LINE = "heuristic.boilerplate-line-v1"
BODY_BOUNDS = "heuristic.body-bounds-v1"
LINK_RUN = "heuristic.link-run-v1"
INLINE_HEADLINE = "heuristic.inline-headline-v1"
STEP_NAMES = (BOILERPLATE_LINE, BODY_BOUNDS, LINK_RUN, INLINE_HEADLINE)

# ISO 639-1 codes (as `Document.lang` carries them) to jusText stoplist names.
ISO_TO_JUSTEXT = {
    "af": "Afrikaans", "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "ca": "Catalan",
    "cs": "Czech", "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "es": "Spanish", "et": "Estonian", "eu": "Basque", "fa": "Persian",
    "fi": "Finnish", "fr": "French", "ga": "Irish", "gl": "Galician", "gu": "Gujarati",
    "he": "Hebrew", "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "hy": "Armenian",
    "id": "Indonesian", "is": "Icelandic", "it": "Italian", "ka": "Georgian", "kk": "Kazakh",
    "kn": "Kannada", "ko": "Korean", "la": "Latin", "lt": "Lithuanian", "lv": "Latvian",
    "mk": "Macedonian", "ml": "Malayalam", "mr": "Marathi", "ms": "Malay", "ne": "Nepali",
    "nl": "Dutch", "no": "Norwegian_Bokmal", "nb": "Norwegian_Bokmal", "nn": "Norwegian_Nynorsk",
    "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak",
    "sl": "Slovenian", "sq": "Albanian", "sr": "Serbian", "sv": "Swedish", "sw": "Swahili",
    "ta": "Tamil", "te": "Telugu", "tl": "Tagalog", "tr": "Turkish", "uk": "Ukrainian",
    "ur": "Urdu", "uz": "Uzbek", "vi": "Vietnamese",
}

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
CJK = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# Characters that are neither letters nor whitespace: digits, punctuation, symbols.
NOT_LETTER = re.compile(r"[\d\W_]", re.UNICODE)
SPACE = re.compile(r"\s")
URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)
# Separators between menu items, breadcrumbs and share buttons.
SEPARATORS = re.compile(r"[|»›•·]")

LANGUAGE_SAMPLE_WORDS = 400
MIN_LANGUAGE_HITS = 8


@lru_cache(maxsize=1)
def stoplists() -> dict[str, frozenset[str]]:
    """Every jusText stoplist by name, loaded once per process."""
    import justext

    return {name: frozenset(justext.get_stoplist(name)) for name in sorted(justext.get_stoplists())}


@lru_cache(maxsize=1)
def stopword_index() -> dict[str, tuple[str, ...]]:
    """Each stopword to the languages whose stoplist has it."""
    index: dict[str, list[str]] = {}
    for name, words in stoplists().items():
        for word in words:
            index.setdefault(word, []).append(name)
    return {word: tuple(names) for word, names in index.items()}


def guess_stoplist(words: list[str]) -> str | None:
    """The jusText language whose stoplist has most hits among `words` (lowercased), or None.

    >>> guess_stoplist("the cat sat on the mat and it was happy with the result".split())
    'English'
    """
    index = stopword_index()
    hits = Counter(chain.from_iterable(index.get(w, ()) for w in words))
    if not hits:
        return None
    name, count = max(hits.items(), key=lambda item: (item[1], item[0] == "English", item[0]))
    return name if count >= min(MIN_LANGUAGE_HITS, len(words) // 4 + 1) else None


@dataclass(slots=True)
class Measure:
    """What a heuristic knows of one line."""

    words: int
    sentence_end: bool
    stop_density: float  # -1.0 when the language has no stoplist
    capitalised: float
    symbols: float
    link_like: bool


def measure_line(text: str, stop: frozenset[str] | None) -> Measure:
    tokens = text.split()
    n = len(tokens)
    if not text.isascii():
        cjk = len(CJK.findall(text))
        if cjk:
            n = max(n, cjk // 2)
    words = WORD.findall(text)
    if stop is not None and words:
        density = len([w for w in words if w.lower() in stop]) / len(words)
    else:
        density = -1.0
    caps = len([w for w in words if w[0].isupper()]) / len(words) if words else 0.0
    stripped = SPACE.sub("", text)
    symbols = len(NOT_LETTER.findall(stripped)) / len(stripped) if stripped else 1.0
    link_like = bool(URL.search(text)) and len(URL.sub("", text).split()) <= 2
    link_like = link_like or len(SEPARATORS.findall(text)) >= 2 and not ends_sentence(text)
    return Measure(n, ends_sentence(text), density, caps, symbols, link_like)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The numbers `favor` moves."""

    prose_words: int = 8
    long_words: int = 20
    min_density: float = 0.25
    max_caps: float = 0.7
    max_symbols: float = 0.25
    near_gain: float = 0.5
    chrome_line_cost: float = 4.0
    chrome_word_cost: float = 0.5
    title_reach: int = 8
    title_bonus: float = 1.0
    second_run: float = 2.0


THRESHOLDS = {
    "precision": Thresholds(prose_words=10, min_density=0.3, chrome_line_cost=3.0),
    "balanced": Thresholds(),
    "recall": Thresholds(prose_words=6, min_density=0.2, chrome_line_cost=6.0),
}

PROSE, NEAR, SHORT, CHROME = "prose", "near", "short", "chrome"


class Heuristics:
    """All heuristic steps in order; each step is also usable on its own from `steps`."""

    def __init__(self, favor: str = "balanced") -> None:
        if favor not in THRESHOLDS:
            known = ", ".join(THRESHOLDS)
            raise ValueError(f"unknown favor {favor!r}; known: {known}")
        self.favor = favor
        self.t = THRESHOLDS[favor]
        self.steps: list[tuple[str, Callable[[Document], Document]]] = [
            (BOILERPLATE_LINE, self.boilerplate_lines),
            (BODY_BOUNDS, self.body_bounds),
            (LINK_RUN, self.link_runs),
            (INLINE_HEADLINE, self.inline_headlines),
        ]
        self._doc: Document | None = None
        self._texts: list[str] = []
        self._measures: list[Measure] = []

    def __call__(self, doc: Document) -> Document:
        for _name, step in self.steps:
            doc = step(doc)
        self._doc = None
        return doc

    # ------------------------------------------------------------ measures

    def measures(self, doc: Document) -> list[Measure]:
        """Every line's measures, computed once per document (lines removed by rules too)."""
        texts = [line.text for line in doc.lines]
        if self._doc is doc and self._texts == texts:
            return self._measures
        stop = self.stoplist(doc)
        self._doc, self._texts = doc, texts
        self._measures = [measure_line(text, stop) for text in texts]
        return self._measures

    def stoplist(self, doc: Document) -> frozenset[str] | None:
        name = ISO_TO_JUSTEXT.get(doc.lang)
        if name is None:
            sample: list[str] = []
            for line in doc.lines:
                if line.kept and len(line.text) > 40:
                    sample.extend(WORD.findall(line.text.lower()))
                    if len(sample) >= LANGUAGE_SAMPLE_WORDS:
                        break
            name = guess_stoplist(sample)
        return stoplists().get(name) if name else None

    def classify(self, m: Measure) -> str:
        t = self.t
        if m.link_like:
            return CHROME
        dense = m.stop_density < 0 or m.stop_density >= t.min_density
        if not dense or m.capitalised > t.max_caps or m.symbols > t.max_symbols:
            return SHORT
        if m.words >= t.long_words or (m.words >= t.prose_words and m.sentence_end):
            return PROSE
        if m.sentence_end and m.words >= 3:
            return NEAR
        return SHORT

    # ------------------------------------------------------------ steps

    def boilerplate_lines(self, doc: Document) -> Document:
        measures = self.measures(doc)
        for i, line in enumerate(doc.lines):
            if line.kept and measures[i].link_like and not URL.search(line.text):
                doc.remove(i, BOILERPLATE_LINE, "link-like")
        return doc

    def line_scores(self, doc: Document, kept: list[int]) -> list[float]:
        """Kadane scores: prose gains its words, near-prose half of them, chrome costs a line and its words."""
        measures = self.measures(doc)
        t = self.t
        scores = []
        for i in kept:
            m = measures[i]
            kind = self.classify(m)
            if kind == PROSE:
                scores.append(float(m.words))
            elif kind == NEAR:
                scores.append(t.near_gain * m.words)
            else:
                cost = t.chrome_line_cost + t.chrome_word_cost * m.words
                scores.append(-2 * cost if kind == CHROME else -cost)
        return scores

    def body_bounds(self, doc: Document) -> Document:
        kept = [i for i, line in enumerate(doc.lines) if line.kept]
        scores = self.line_scores(doc, kept)
        runs = prose_runs(scores)
        if not runs:
            return doc
        title = title_lines(doc, kept)
        def weight(run: tuple[int, int, float]) -> float:
            start, end, total = run
            near_title = any(start - self.t.title_reach <= k <= end for k in title)
            return total * (1 + self.t.title_bonus) if near_title else total
        main = max(runs, key=weight)
        keep = [r for r in runs if r is main or r[2] >= self.t.second_run * main[2]]
        for k, i in enumerate(kept):
            if not any(start <= k <= end for start, end, _ in keep):
                doc.remove(i, BODY_BOUNDS, "before body" if k < main[0] else "after body")
        return doc

    def link_runs(self, doc: Document) -> Document:
        return doc

    def inline_headlines(self, doc: Document) -> Document:
        return doc


def prose_runs(scores: list[float], lo: int = 0, hi: int | None = None) -> list[tuple[int, int, float]]:
    """Every run found by taking the best run, then the best runs left and right of it: (first, last, sum).

    >>> prose_runs([-1, 5, -2, 4, -9, 3])
    [(1, 3, 7.0), (5, 5, 3.0)]
    """
    hi = len(scores) if hi is None else hi
    best = max_run(scores[lo:hi])
    if best is None:
        return []
    start, end = best[0] + lo, best[1] + lo
    total = float(sum(scores[start : end + 1]))
    return prose_runs(scores, lo, start) + [(start, end, total)] + prose_runs(scores, end + 1, hi)


def title_lines(doc: Document, kept: list[int]) -> list[int]:
    """Positions (in `kept`) of lines that repeat the document's title, or most of it."""
    title = doc.title.casefold()
    if not title:
        return []
    found = []
    for k, i in enumerate(kept):
        text = doc.lines[i].text.strip().casefold()
        if len(text) >= 12 and (text in title and 2 * len(text) >= len(title) or title in text):
            found.append(k)
    return found


def max_run(scores: list[float]) -> tuple[int, int] | None:
    """The (first, last) indexes of the contiguous run with the largest sum (Kadane), or None if no score is positive.

    >>> max_run([-1, 5, -2, 4, -9, 3])
    (1, 3)
    """
    best, best_span = 0.0, None
    total, start = 0.0, 0
    for k, score in enumerate(scores):
        if total <= 0:
            total, start = score, k
        else:
            total += score
        if total > best:
            best, best_span = total, (start, k)
    return best_span
