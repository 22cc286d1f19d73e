"""Heuristics: rule-free removal of page chrome, in any language.

Rules (`rulebook.py`) know what chrome says; heuristics know what chrome
looks like. Following jusText, every kept line is first measured (length in
words, terminal punctuation, density of the language's stopwords, share of
capitalised words, of digits and symbols, link-like shape) and classed as
prose, short or chrome; then the classes are revised by their neighbours.
Each heuristic is a named step whose removals carry its versioned name:

- `heuristic.boilerplate-line-v1`: a line that is chrome on its own (a URL,
  a row of menu items between separators, a line of digits and symbols);
- `heuristic.body-bounds-v4`: the body is the densest run of prose; what
  stands before and after it, behind chrome, is dropped, but for sentences
  between the headline and the body (v2) and a run of prose that opens just
  under a line repeating the title, however small (v3: the lede, kept apart
  from the body by a table of contents or a paywall prompt); v4: a sentence
  that ends in a colon and leads into a paragraph ("The ruling in brief:")
  is part of the body, just before it or between two of its paragraphs;
- `heuristic.link-run-v1`: a run of short headline-like lines inside the
  body is a list of links;
- `heuristic.inline-headline-v1`: a lone headline between two paragraphs
  that does not read like a subheading is an inline related link.

Lines of Chinese, Japanese, Korean and Thai are measured by their script
(`features.py`: words per character, CJK sentence ends, function words in
place of a stoplist), so every step works on them unchanged. A long line
with few of the page's stopwords is measured with its own language's
stoplist as well (`other_language_density`): a quotation or an abstract in
another language than the page's is prose too.

Heuristics only look at kept lines, never un-remove one, and never remove
the last prose of a document. A body an HTML extractor made (trafilatura;
`Document.extractor` names it) has already lost most chrome: there the
heuristics only trim the edges. What counts is that an extractor ran, not
the document's `kind`.

The stopword density needs the body's language, and the heuristics guess
it from the stopwords of the longest kept lines (`guess_stoplist`), not
from language detection, which runs last, on the cleaned text. Detecting
the language (`LanguageDetector`, after the rules) first and taking its
stoplist was measured and lost (`bench/quality.py`, favor balanced):
trafilatura-eval text F1 0.863 -> 0.860 (P 0.881 -> 0.877, R 0.845 -> 0.843;
33 of 990 pages got another stoplist, mostly German and English swapped on
pages of both; 15 scored worse and 5 better); trafilatura-eval html,
cleanportaleval text and html and zh-news text and html were unchanged
(F1 0.931, 0.928, 0.936, 0.813, 0.887); and it costs a second detection,
about 0.4 ms a page (+8% on a text run). The guess reads the body's
longest lines; the detector reads the middle of the page, chrome and all.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import chain
from operator import ne
from typing import NamedTuple

from cleaner.document import Document, Line
from cleaner.features import (
    CLOSERS, SENTENCE_ENDS, STRUCTURED, WORD_COUNTING, holds_sentence_end, line_script, script_density, word_count,
)
from cleaner.stopwords import stoplists, stopword_index

BOILERPLATE_LINE = "heuristic.boilerplate-line-v1"
BODY_BOUNDS = "heuristic.body-bounds-v4"
LINK_RUN = "heuristic.link-run-v1"
INLINE_HEADLINE = "heuristic.inline-headline-v1"
STEP_NAMES = (BOILERPLATE_LINE, BODY_BOUNDS, LINK_RUN, INLINE_HEADLINE)

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# ASCII digits, punctuation and symbols, as bytes (UTF-8 letters are never among them).
SYMBOL_BYTES = bytes(c for c in range(33, 127) if not chr(c).isalpha())
URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)
# Separators between menu items, breadcrumbs and share buttons. Single characters, counted with `str.count`
# and found with `in` (C searches for one character) rather than a regular expression's character class.
SEPARATOR_CHARS = "|›•·"
ASCII_SEPARATOR = "|"  # the one ASCII character of SEPARATOR_CHARS (`is_menu_row`; a test holds them together)
# Punctuation that clings to words, replaced by spaces before stopwords are looked up.
_CLING = b"\"()[]{}<>.,;:!?/|*#%&+=~^_@$"
CLINGING = bytes.maketrans(_CLING, b" " * len(_CLING))


SCRIPT_LANGUAGES = {"zh": "Chinese", "ja": "Japanese", "ko": "Korean", "th": "Thai"}
# The languages with 1% or more of Common Crawl's pages (its published language statistics), in that
# order: the prior of `StoplistGuess.near_tie`.
WEB_LANGUAGES = ("English", "Russian", "German", "Spanish", "French", "Italian", "Portuguese", "Polish", "Dutch")


@dataclass(frozen=True, slots=True)
class StoplistGuess:
    """How a page's stoplist is guessed from its longest lines (`language_sample`, `guess_stoplist`)."""

    # The sample is the words of the distinct lines longer than this many characters (paragraphs, not menu
    # items or headlines),
    sample_line_chars: int = 60
    # longest first, until it has this many words,
    sample_words: int = 150
    # or this many characters: a sample of unspaced text (Chinese, Thai) has few "words".
    sample_chars: int = 1500
    # The winning stoplist has this many hits at least (or a quarter of the sample's distinct words and one,
    # when that is fewer).
    min_hits: int = 8
    # Stoplists built from Wikipedia share words, and a small wiki's list holds its big neighbour's words
    # and some of its own: on a short Spanish sentence Galician's list (406 words) hits every word Spanish's
    # (271) hits and "casa" besides, and Marathi's holds enough English to win English pages. When the best
    # stoplist is another one's, one of WEB_LANGUAGES with this share of its hits or more wins (the prior: a
    # page of the web is far more often in one of these).
    near_tie: float = 0.8


STOPLIST_GUESS = StoplistGuess()


@dataclass(frozen=True, slots=True)
class Measuring:
    """How `LineMeasurer` measures lines and `wrapped_groups` finds hard-wrapped paragraphs."""

    # Only a line that could read as prose gets the costlier measures (stopword density, capitals, symbols):
    # a sentence of this many words or more (below every favor's `Thresholds.prose_words`),
    min_words: int = 3
    # or any line of this many (every favor's `Thresholds.long_words`).
    full_words: int = 20
    # A line of a hard-wrapped paragraph (`wrapped_groups`) has a few words at least: menu items run on rarely.
    wrap_min_words: int = 4
    # A line of this many words or more with a stopword density under `other_language_below` (the highest
    # `Thresholds.min_density` of any favor) in the page's stoplist may be a paragraph in another language (a
    # quotation, a translation, an English abstract on a German blog): it is measured with its own stoplist
    # (`guess_stoplist` on its words) when that finds more. On trafilatura-eval text (in-process, TP/FP):
    # 2561/320 without, 12 words 2569/322, 8 words 2569/323, 20 words 2568/321.
    other_language_min_words: int = 12
    other_language_below: float = 0.3


MEASURING = Measuring()
# A line that ends in a colon leads into what follows ("The works had three parts:"): body-bounds-v4
# scores it as a sentence when a paragraph follows it (`Heuristics.line_scores`).
INTRO_ENDS = frozenset(":：")


def guess_stoplist(words: list[str], *, guess: StoplistGuess = STOPLIST_GUESS) -> str | None:
    """The jusText language whose stoplist has most hits among `words` (lowercased), or None.

    A sample mostly in Chinese, Japanese, Korean or Thai is named by its
    script (`features.line_script`): jusText has no stoplist for those
    languages, and their lines are measured by their own function words.

    >>> guess_stoplist("the cat sat on the mat and it was happy with the result".split())
    'English'
    >>> guess_stoplist(["港口在修复三个月之后于周一重新开放，", "council"]), guess_stoplist(["서울에서", "회의가", "열렸다"])
    ('Chinese', 'Korean')
    """
    script = line_script(" ".join(words))
    if script is not None:
        return SCRIPT_LANGUAGES[script]
    distinct = set(words)
    hits = Counter(chain.from_iterable(stopword_index().holders(distinct)))
    if not hits:
        return None
    name, count = max(hits.items(), key=lambda item: (item[1], item[0] == "English", item[0]))
    least = min(guess.min_hits, len(distinct) // 4 + 1)
    if name not in WEB_LANGUAGES:
        near = [lang for lang in WEB_LANGUAGES if hits[lang] >= max(least, guess.near_tie * count)]
        name = max(near, key=hits.__getitem__, default=name)
    return name if hits[name] >= least else None


class Measure(NamedTuple):
    """What a heuristic knows of one line (a tuple: lines that measure the same share one score)."""

    words: int
    sentence_end: bool
    stop_density: float  # -1.0 when the language has no stoplist
    capitalised: float
    symbols: float
    link_like: bool
    function_words: bool = False  # stop_density is the line's script's function-word density (features.script_density)
    intro: bool = False  # ends in a colon (INTRO_ENDS): leads into the next line


def measure_lines(texts: list[str], stop: frozenset[str] | None, *, measuring: Measuring = MEASURING) -> list[Measure]:
    """Measure every line.

    Only a line that could read as prose (a sentence of `Measuring.min_words`
    or more, or any line of `Measuring.full_words` or more) gets the costlier measures (stopword
    density, capitals, symbols); for the others they cannot change the class.
    A line that ends in a colon is measured like a sentence (`Measure.intro`).
    A line repeated in the page (menus, teasers) is measured once. A long
    line with few of the page's stopwords gets its own language's density
    when that is higher (`other_language_density`).

    >>> m = measure_lines(["The harbour reopened on Monday.", "Home | News | Sport | Video"], stoplists()["English"])
    >>> (m[0].words, m[0].sentence_end, m[0].stop_density > 0.3, m[1].link_like)
    (5, True, True, True)
    """
    distinct = list(dict.fromkeys(texts))
    measured = LineMeasurer(distinct, stop, measuring=measuring).measure_all(distinct)
    return list(map(measured.__getitem__, texts))


class Shape(NamedTuple):
    """A line's cheap measures (`LineMeasurer.shape`); `full` when it needs the costlier ones."""

    words: int
    sentence_end: bool
    intro: bool
    link_like: bool
    full: bool


class LineMeasurer:
    """`measure_lines`'s work on one line of a page, a line's cheap measures (`shape`) apart from the rest (`measure`).

    What no line can be when the whole page has none of it (a URL, a menu
    row) is looked for once, in `distinct` (the page's distinct lines), not
    once a line.
    """

    def __init__(self, distinct: list[str], stop: frozenset[str] | None, *, measuring: Measuring = MEASURING) -> None:
        self.stop = stop
        self.contains = stop.__contains__ if stop is not None else None
        self.measuring = measuring
        joined = "\n".join(distinct)
        self.urls = "://" in joined or "www." in joined
        self.menus = any(map(joined.__contains__, SEPARATOR_CHARS))
        # Lines that get only the cheap measures share one Measure per distinct value.
        self.shape_only: dict[tuple[int, bool, bool], Measure] = {}

    def measure_all(self, distinct: list[str]) -> dict[str, Measure]:
        """Each of the distinct lines' `Measure`, as `measure` makes it."""
        return self.shaped(distinct, measured=True)  # type: ignore[return-value]

    def shape(self, text: str) -> Shape:
        """A line's cheap measures."""
        return self.shaped((text,), measured=False)[text]  # type: ignore[return-value]

    def shaped(self, texts: Iterable[str], *, measured: bool) -> dict[str, Measure] | dict[str, Shape]:
        """Each line's `Shape`, or with `measured` its `Measure`: the one loop of `shape` and `measure_all`.

        The loop makes both, so that `measure_all` makes no call a line for a
        line's shape (a call a line cost the text path 9% of its heuristics'
        time; a generator of shapes, 2% of a text run).
        """
        min_words, full_words = self.measuring.min_words, self.measuring.full_words
        spaced_chars = WORD_COUNTING.spaced_chars_per_word
        urls, menus, shape_only = self.urls, self.menus, self.shape_only
        result: dict = {}
        for text in texts:
            spaced = len(text.split())
            # word_count's own test for text that needs no counting by script, inline: most lines pass it.
            n = spaced if text.isascii() or len(text) < spaced_chars * spaced else word_count(text, spaced)
            end = text.rstrip(CLOSERS)[-1:] in SENTENCE_ENDS  # closing quotes and brackets may follow
            if not end and n > spaced:
                end = holds_sentence_end(text)
            intro = not end and text.rstrip()[-1:] in INTRO_ENDS
            link_like = urls and ("://" in text or "www." in text) and is_url_line(text)
            if menus and not link_like and not end and text[:1] != "|":
                link_like = is_menu_row(text)
            full = not (link_like or (n < full_words and not ((end or intro) and n >= min_words)))
            if not measured:
                result[text] = Shape(n, end, intro, link_like, full)
            elif full:
                result[text] = self.full(text, n, end, intro, link_like)
            else:
                key = (n, end, link_like)
                measure = shape_only.get(key)
                if measure is None:
                    measure = shape_only[key] = Measure(n, end, 0.0, 1.0, 0.0, link_like)
                result[text] = measure
        return result

    def measure(self, text: str, shape: Shape | None = None) -> Measure:
        """The line's `Measure` (`shape` is `self.shape(text)` when the caller has it), as `measure_all` makes it."""
        n, end, intro, link_like, full = shape or self.shape(text)
        if not full:
            key = (n, end, link_like)
            measure = self.shape_only.get(key)
            if measure is None:
                measure = self.shape_only[key] = Measure(n, end, 0.0, 1.0, 0.0, link_like)
            return measure
        return self.full(text, n, end, intro, link_like)

    def full(self, text: str, n: int, end: bool, intro: bool, link_like: bool) -> Measure:
        """The measure of a line that could read as prose: stopword density (or its script's), capitals, symbols."""
        stop = self.stop
        script = line_script(text)
        measure = Measure(n, end, *word_measures(text, self.contains, n, script), link_like, script is not None, intro)
        measuring = self.measuring
        if (script is None and stop is not None and n >= measuring.other_language_min_words
                and measure.stop_density < measuring.other_language_below):
            measure = measure._replace(stop_density=max(measure.stop_density, other_language_density(text, stop)))
        return measure


class LazyMeasures(Sequence):
    """A page's measures (`Heuristics.measures`), each line's made when it is first read: the HTML path reads few.

    On a body an HTML extractor made, the heuristics trim its edges only
    (`Thresholds.edges_only`): they read every line's cheap measures
    (`link_like`) and the full ones of the lines from each end up to the
    first that scores above zero (`Heuristics.positive_bounds`), not those of
    the paragraphs between. An item is the `Measure` `measure_lines` and
    `Heuristics.measure_wrapped` give it: `wrapped` holds, for the lines
    of a hard-wrapped paragraph that reads as prose, the paragraph's measure.
    """

    def __init__(self, texts: list[str], stop: frozenset[str] | None, wrapped: dict[int, Measure]) -> None:
        self.texts = texts
        self.measurer = LineMeasurer(list(dict.fromkeys(texts)), stop)
        self.wrapped = wrapped
        self.shapes: dict[str, Shape] = {}
        self.measured: dict[str, Measure] = {}
        self.promises: set[str] = set()  # the texts `promised` gave a promise for, not their own measure

    def __len__(self) -> int:
        return len(self.texts)

    def shape(self, text: str) -> Shape:
        shape = self.shapes.get(text)
        if shape is None:
            shape = self.shapes[text] = self.measurer.shape(text)
        return shape

    def __getitem__(self, i):  # -> Measure (an index, as the heuristics read it)
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        text = self.texts[i]
        measure = self.measured.get(text)
        if measure is None:
            measure = self.measured[text] = self.measurer.measure(text, self.shape(text))
        whole = self.wrapped.get(i % len(self.texts))
        return measure if whole is None else whole._replace(words=measure.words)

    def promised(self, indexes: list[int]) -> dict[int, Measure]:
        """The measures of the lines at `indexes` as their shapes promise them: a line that could read as prose (`Shape.full`) reads as prose.

        Such a line, unless measured already, gets a prose line's stopwords,
        capitals and symbols, so that it scores what its words and sentence
        end allow (`Heuristics.score`: as much as its own measure would, or
        more); the other lines have their own measures, which cost nothing
        more than their shapes. The shapes are made in one loop
        (`LineMeasurer.shaped`).
        """
        texts, shapes, measured = self.texts, self.shapes, self.measured
        unshaped = [text for text in dict.fromkeys(texts[i] for i in indexes) if text not in shapes]
        shapes.update(self.measurer.shaped(unshaped, measured=False))
        promises: dict[str, Measure] = {}
        for text in dict.fromkeys(texts[i] for i in indexes):
            promise = measured.get(text)
            if promise is None:
                shape = shapes[text]
                if shape.full:
                    promise = Measure(shape.words, shape.sentence_end, 1.0, 0.0, 0.0, shape.link_like, False, shape.intro)
                    self.promises.add(text)
                else:
                    promise = measured[text] = self.measurer.measure(text, shape)
            promises[text] = promise
        wrapped = self.wrapped
        return {
            i: promises[texts[i]] if i not in wrapped else wrapped[i]._replace(words=promises[texts[i]].words)
            for i in indexes
        }

    def keep_promises_before(self, promised: dict[int, Measure], indexes: list[int]) -> None:
        """`promised` (from `promised`) with the lines at `indexes` given their own measures: those promised are measured now."""
        texts, promises = self.texts, self.promises
        for i in indexes:
            if texts[i] in promises:
                promised[i] = self[i]

    def link_like_indexes(self) -> list[int]:
        """The lines whose cheap measures say link-like (a wrapped paragraph's measure never is: it is prose).

        Only a line with "://" or "www." in it (a URL line) or with a
        separator (a menu row has two) can be; the others are not shaped.
        """
        measurer = self.measurer
        if not measurer.urls and not measurer.menus:
            return []
        marks = ("://", "www.", *SEPARATOR_CHARS)
        return [
            i for i, text in enumerate(self.texts)
            if any(map(text.__contains__, marks)) and self.shape(text).link_like and i not in self.wrapped
        ]


def other_language_density(text: str, stop: frozenset[str]) -> float:
    """The line's stopword density in the stoplist its own words pick (`guess_stoplist`), or 0.0 if that is `stop` or none.

    >>> line = "The harbour reopened on Monday after three months of repairs, and the fishermen said they were glad to be back."
    >>> round(other_language_density(line, stoplists()["German"]), 2), other_language_density(line, stoplists()["English"])
    (0.65, 0.0)
    """
    words = text.lower().encode().translate(CLINGING).decode().split()
    name = guess_stoplist(words)
    own = stoplists().get(name) if name else None
    if own is None or own is stop or not words:
        return 0.0
    return sum(map(own.__contains__, words)) / len(words)


def is_url_line(text: str) -> bool:
    """A bare URL or e-mail address, with at most two words besides it."""
    return URL.search(text) is not None and len(URL.sub("", text).split()) <= 2


def is_menu_row(text: str) -> bool:
    """Menu items, breadcrumbs or share buttons: two separators or more.

    `ASCII_SEPARATOR` is the only ASCII separator, and `isascii` reads a
    flag, it does not scan: an ASCII line (37,452 of the 50,473 lines a run
    over the 990 dev dumps asks about) is searched once, not once per
    separator: 21 ms for those calls instead of 39.
    """
    if text.isascii():
        return text.count(ASCII_SEPARATOR) >= 2
    return sum(map(text.count, SEPARATOR_CHARS)) >= 2


def word_measures(
    text: str, contains: Callable[[str], bool] | None, words: int | None = None, script: str | None = None,
) -> tuple[float, float, float]:
    """Stopword density (-1.0 without a stoplist), share of capitalised words and share of ASCII symbols.

    Punctuation that clings to words is replaced by spaces first, so that
    "(the" is the stopword "the". A line in the `script` of Chinese,
    Japanese, Korean or Thai (`features.line_script`) gets that script's
    function-word density instead of the stoplist's (`features.script_density`:
    jusText has no lists for them, and the document's stoplist may be another
    language's), and capitals are counted per word (`words`, `features.word_count`).

    >>> [round(x, 2) for x in word_measures("Apple发布了新款iPhone手机，售价与去年相同。", None, 11, "zh")]
    [0.36, 0.09, 0.0]
    """
    raw = text.encode()
    spaced = raw.translate(CLINGING).decode()
    plain = spaced.split()
    k = len(plain)
    if not k:
        return -1.0, 0.0, 1.0
    # Lowercasing neither adds nor removes white space: the two splits pair up word for word.
    lower = spaced.lower().split()
    if script is not None:
        k = max(k, words or 0)
        density = script_density(text, script, k)
    else:
        density = sum(map(contains, lower)) / k if contains is not None else -1.0
    caps = sum(map(ne, plain, lower)) / k
    visible = len(raw) - raw.count(b" ")
    symbols = (len(raw) - len(raw.translate(None, SYMBOL_BYTES))) / visible if visible else 1.0
    return density, caps, symbols


def language_sample(texts: list[str], *, guess: StoplistGuess = STOPLIST_GUESS) -> list[str]:
    """Lowercased words of the longest lines, about `StoplistGuess.sample_words` of them, for `guess_stoplist`.

    The longest lines are the article's paragraphs; the first long lines of
    a dump may be a banner in another language than the body (an archive's
    notice, a server's warnings, a cookie notice). Reading the longest
    distinct lines, longest first, rather than the first long lines moved
    trafilatura-eval text from TP 2540 FP 336 to TP 2552 FP 338 (six pages
    under an English banner got German's stoplist back; two lost a line).
    Equal lengths keep their page order, so the sample is deterministic.
    """
    sample: list[str] = []
    chars = 0
    shortest = guess.sample_line_chars
    for text in sorted(dict.fromkeys(t for t in texts if len(t) > shortest), key=len, reverse=True):
        sample.extend(text.lower().encode().translate(CLINGING).decode().split())
        chars += len(text)
        if len(sample) >= guess.sample_words or chars >= guess.sample_chars:
            break
    return sample


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The numbers `favor` moves."""

    prose_words: int = 8
    long_words: int = 20
    min_density: float = 0.25
    # Function words and clause marks per word of a Chinese, Japanese, Korean or Thai line (see
    # features.ZH_FUNCTION): noun-heavy official and news Chinese has 0.12 to 0.25 where English prose has
    # 0.4 or more of its stoplist. On the zh-news dumps' lines of 16 characters or more, 0.1 keeps 99% of
    # the article's lines (100% of those of 40 or more) and stops 26% (12%) of the others; 0.25 keeps 96% (99%).
    min_script_density: float = 0.1
    max_caps: float = 0.7
    max_symbols: float = 0.25
    near_gain: float = 0.5
    # What a short line costs the run it stands in (doubled for a chrome line), besides chrome_word_cost a
    # word: a subheading between two paragraphs must not split the body, a menu between the body and a
    # blurb must. On trafilatura-eval text (TP/FP, F1; with body-bounds-v3): 12 2587/402 0.871, 16 2569/344
    # 0.876, 17 2566/333 0.877, 18 2561/320 0.878, 19 2554/318 0.877, 20 2551/313 0.877, 22 2542/305 0.877,
    # 24 2534/296 0.877, 28 2520/284 0.876. 16 -> 18 moved cleanportaleval text F1 0.930 -> 0.932 and left
    # zh-news text at 0.924 (P 0.894 -> 0.897, R 0.955 -> 0.952). Extracted HTML is only trimmed at its
    # edges (`trim_edges`), where the cost plays no part.
    chrome_line_cost: float = 18.0
    chrome_word_cost: float = 0.5
    # How far under a line repeating the title a run of prose may open and still be the article's (it counts
    # double when the body is chosen, and a run before the body that opens there stays, however small: v3).
    # The lede rule on trafilatura-eval text (TP/FP; v2: 2552/338): opening 2 lines under the title
    # 2563/340, 4 2567/343, 8 2569/344, 12 and 20 2569/346; a run that holds a title line as well 2569/346.
    title_reach: int = 8
    title_bonus: float = 1.0
    # How far above the body a title line opens the article (`article_head`). On trafilatura-eval text
    # (F1): 4 lines 0.866, 8 0.869, 12 0.871, 20 0.872, 40 0.872 (zh-news text 0.924 -> 0.923), no limit
    # 0.873 (P 0.881, zh-news 0.923); without it 0.864.
    head_reach: int = 20
    second_run: float = 0.15
    # A run after the body stays when it is this share of the body or more. On trafilatura-eval text (in-process,
    # TP/FP, F1; with body-bounds-v4): 0.2 2590/343 0.880, 0.25 2583/327 0.881, 0.3 2575/323 0.880; zh-news text
    # 0.924 at 0.3, 0.925 at 0.25 and 0.2.
    second_run_after: float = 0.25
    edges_only: bool = False
    edge_max_words: int = 12
    # With edges_only: a run of prose after the body's largest stays only when it has this share of its
    # score; what follows the last run that stays is dropped (0: the tail is only trimmed, `trim_edges`).
    tail_share: float = 0.0
    link_run_min: int = 4
    headline_min_words: int = 4
    headline_max_words: int = 20
    inline_min_words: int = 6
    title_case: float = 0.7
    trim_head: bool = True


TEXT_THRESHOLDS = {
    "precision": Thresholds(prose_words=10, min_density=0.3, min_script_density=0.15, chrome_line_cost=22.0),
    "balanced": Thresholds(),
    "recall": Thresholds(prose_words=6, min_density=0.2, min_script_density=0.06, chrome_line_cost=10.0),
}
# trafilatura has cut most chrome from HTML: keep every run of prose, trim only the edges.
HTML_THRESHOLDS = {
    "precision": Thresholds(edges_only=True, edge_max_words=8, trim_head=True),
    "balanced": Thresholds(edges_only=True, edge_max_words=6, trim_head=False),
    "recall": Thresholds(edges_only=True, edge_max_words=3, trim_head=False),
}

# resiliparse (`--extractor resiliparse`, the fast path) leaves more chrome at the body's ends than
# trafilatura (a section label, a byline, "Share this" before the text; link lists and service boxes after
# it), so both ends are trimmed, further in. On trafilatura-eval html after resiliparse (TP/FP, F1, the
# fast path's other steps on): trafilatura's profile 2755/515 0.886; head trimmed too, at 6 words 2753/491
# 0.889, 8 2750/483 0.889, 12 2746/473 0.890, 20 2735/469 0.889. Its tail after the body is cut behind the
# last run of prose that is large next to the body (`tail_share`; with the page pruning of `second.FAST_PATH`
# and the head trimmed at 8 words: none 2744/433 0.896, 0.02 2692/328 0.902, 0.05 2676/297 0.903, 0.1
# 2660/282 0.903, 0.2 2641/264 0.902, 0.35 2611/254 0.898). The default path is not touched.
EXTRACTOR_HTML_THRESHOLDS = {
    "resiliparse": {
        "precision": Thresholds(edges_only=True, edge_max_words=10, trim_head=True, tail_share=0.1),
        "balanced": Thresholds(edges_only=True, edge_max_words=8, trim_head=True, tail_share=0.05),
        "recall": Thresholds(edges_only=True, edge_max_words=4, trim_head=True, tail_share=0.02),
    },
}

PROSE, NEAR, SHORT, CHROME = "prose", "near", "short", "chrome"
MeasuredStep = Callable[[Document, list[Measure]], Document]


class Heuristics:
    """All heuristic steps in order; each step is also usable on its own from `steps`."""

    def __init__(self, favor: str = "balanced") -> None:
        if favor not in TEXT_THRESHOLDS:
            known = ", ".join(TEXT_THRESHOLDS)
            raise ValueError(f"unknown favor {favor!r}; known: {known}")
        self.favor = favor
        self.text_thresholds = TEXT_THRESHOLDS[favor]
        self.html_thresholds = HTML_THRESHOLDS[favor]
        self.extractor_thresholds = {name: profile[favor] for name, profile in EXTRACTOR_HTML_THRESHOLDS.items()}
        self._steps: list[tuple[str, MeasuredStep]] = [
            (BOILERPLATE_LINE, self.boilerplate_lines),
            (BODY_BOUNDS, self.body_bounds),
            (LINK_RUN, self.link_runs),
            (INLINE_HEADLINE, self.inline_headlines),
        ]
        self.steps: list[tuple[str, Callable[[Document], Document]]] = [
            (name, partial(self._run_alone, step)) for name, step in self._steps
        ]

    def __call__(self, doc: Document) -> Document:
        """Measure the lines once, then run every step on those measures."""
        measures = self.measures(doc)
        for _name, step in self._steps:
            doc = step(doc, measures)
        return doc

    def _run_alone(self, step: MeasuredStep, doc: Document) -> Document:
        return step(doc, self.measures(doc))

    # ------------------------------------------------------------ measures

    def measures(self, doc: Document) -> list[Measure] | LazyMeasures:
        """Every line's measures, indexes matching `doc.lines`; a line already removed is measured as empty.

        Made as they are read (`LazyMeasures`) when the body's edges and
        tail are all the heuristics cut (`measures_lazily`), else all at once.
        """
        texts = [line.text if line.removed_by is None else "" for line in doc.lines]
        stop = self.stoplist(doc, texts)
        groups = wrapped_groups(doc, texts)
        if self.measures_lazily(doc):
            wrapped = {i: whole for group in groups if (whole := self.wrapped_measure(group, texts, stop)) for i in group}
            return LazyMeasures(texts, stop, wrapped)
        measures = measure_lines(texts, stop)
        for group in groups:
            self.measure_wrapped(group, texts, measures, stop)
        return measures

    def measures_lazily(self, doc: Document) -> bool:
        """Whether `body_bounds` only trims the body's ends and cuts its tail (`Thresholds.edges_only`), which the other steps leave alone (an extracted body)."""
        return bool(doc.extractor) and self.thresholds(doc).edges_only

    def measure_wrapped(self, group: list[int], texts: list[str], measures: list[Measure], stop: frozenset[str] | None) -> None:
        """Lines of one hard-wrapped paragraph that reads as prose are measured as sentences of it.

        Each line keeps its own length (its score is its words), but takes
        the paragraph's sentence end, stopword density, capitals and symbols.
        """
        whole = self.wrapped_measure(group, texts, stop)
        if whole is None:
            return
        for i in group:
            measures[i] = whole._replace(words=measures[i].words)

    def wrapped_measure(self, group: list[int], texts: list[str], stop: frozenset[str] | None) -> Measure | None:
        """The measure of a hard-wrapped paragraph's lines joined (`measure_wrapped`), None when it does not read as prose."""
        (whole,) = measure_lines([" ".join(texts[i] for i in group)], stop)
        if self.classify(whole) != PROSE or not whole.sentence_end:
            return None
        return whole

    def stoplist(self, doc: Document, texts: list[str] | None = None) -> frozenset[str] | None:
        """The stoplist guessed from the document's kept lines (`texts`); `doc.lang` is not read (see the module)."""
        if texts is None:
            texts = [line.text for line in doc.lines if line.removed_by is None]
        name = guess_stoplist(language_sample(texts))
        return stoplists().get(name) if name else None

    def thresholds(self, doc: Document) -> Thresholds:
        """The gentle thresholds for a body an HTML extractor made (it has cut most chrome; its own profile when it has one), else the full ones."""
        if not doc.extractor:
            return self.text_thresholds
        return self.extractor_thresholds.get(doc.extractor, self.html_thresholds)

    def classify(self, m: Measure, t: Thresholds | None = None) -> str:
        t = t or self.text_thresholds
        if m.link_like:
            return CHROME
        dense = m.stop_density < 0 or m.stop_density >= (t.min_script_density if m.function_words else t.min_density)
        if not dense or m.capitalised > t.max_caps or m.symbols > t.max_symbols:
            return SHORT
        if m.words >= t.long_words or (m.words >= t.prose_words and m.sentence_end):
            return PROSE
        if m.sentence_end and m.words >= 3:
            return NEAR
        return SHORT

    # ------------------------------------------------------------ steps

    def boilerplate_lines(self, doc: Document, measures: list[Measure] | LazyMeasures) -> Document:
        flagged = measures.link_like_indexes() if isinstance(measures, LazyMeasures) else [i for i, m in enumerate(measures) if m.link_like]
        for i in flagged:
            line = doc.lines[i]
            if line.kept and not URL.search(line.text):
                doc.remove(i, BOILERPLATE_LINE, "link-like")
        return doc

    def line_scores(self, doc: Document, kept: list[int], measures: list[Measure]) -> list[float]:
        """Kadane scores: prose gains its words, near-prose half of them, chrome costs a line and its words."""
        t = self.thresholds(doc)
        kept_measures = [measures[i] for i in kept]
        # Many lines measure the same (see measure_lines): score each distinct measure once.
        distinct = set(kept_measures)
        score_of = {m: self.score(m, t) for m in distinct}
        scores = list(map(score_of.__getitem__, kept_measures))
        # v4: a line that ends in a colon between two paragraphs ("The works had three parts:") is one of
        # their sentences. Before a menu or a list of links ("Read more:", "Share this:") it stays short,
        # and so it does after chrome: there it would make a bridge from the body to a notice after it.
        intros = [k for k in range(1, len(kept) - 1) if kept_measures[k].intro]
        if intros:
            prose = {m: self.classify(m, t) in (PROSE, NEAR) for m in distinct}
            for k in intros:
                if prose[kept_measures[k - 1]] and prose[kept_measures[k + 1]]:
                    scores[k] = self.score(kept_measures[k]._replace(sentence_end=True), t)
        return scores

    def leads_into(self, m: Measure, following: Measure, t: Thresholds) -> bool:
        """A line that ends in a colon, reads as a sentence and leads into a paragraph (`following`)."""
        return m.intro and self.classify(following, t) in (PROSE, NEAR) and self.classify(m._replace(sentence_end=True), t) in (PROSE, NEAR)

    def score(self, m: Measure, t: Thresholds) -> float:
        kind = self.classify(m, t)
        if kind == PROSE:
            return float(m.words)
        if kind == NEAR:
            return t.near_gain * m.words
        cost = t.chrome_line_cost + t.chrome_word_cost * m.words
        return -2 * cost if kind == CHROME else -cost

    def body_bounds(self, doc: Document, measures: list[Measure] | LazyMeasures) -> Document:
        kept = doc.kept_indexes()
        if isinstance(measures, LazyMeasures):
            # Only the first and the last line that score above zero matter: found from the ends, reading few measures.
            t = self.thresholds(doc)
            if t.tail_share > 0:
                self.cut_tail_lazily(doc, kept, measures, t)
                kept = doc.kept_indexes()
            bounds = self.positive_bounds(kept, measures, t)
            return doc if bounds is None else self.trim_edges(doc, kept, bounds, t, measures)
        scores = self.line_scores(doc, kept, measures)
        runs = prose_runs(scores)
        if not runs:
            return doc
        t = self.thresholds(doc)
        if t.edges_only:
            if t.tail_share > 0:
                self.cut_tail(doc, kept, runs, t)
                kept = doc.kept_indexes()
                scores = self.line_scores(doc, kept, measures)
            positive = [k for k, score in enumerate(scores) if score > 0]
            return self.trim_edges(doc, kept, (positive[0], positive[-1]), t, measures) if positive else doc
        title = title_lines(doc, kept)

        def weight(run: tuple[int, int, float]) -> float:
            start, end, total = run
            near_title = any(start - t.title_reach <= k <= end for k in title)
            return total * (1 + t.title_bonus) if near_title else total

        main = max(runs, key=weight)
        # A second run of prose stays when it is large next to the body; after the body (where legal
        # notices and encyclopedic blurbs sit) it must be larger still.
        keep = [
            r for r in runs
            if r is main
            or r[2] >= (t.second_run if r[0] < main[0] else t.second_run_after) * main[2]
            or (r[0] < main[0] and opens_under_title(r[0], title, t.title_reach))
        ]
        if t.edges_only:
            keep = [(keep[0][0], keep[-1][1], main[2])]
        inside = [False] * len(kept)
        for start, end, _ in keep:
            inside[start : end + 1] = [True] * (end + 1 - start)
        # Sentences between the headline and the body (a standfirst, a lede cut off by a share bar or a
        # byline) open the article.
        for k in range(article_head(title, main[0], t.head_reach), main[0]):
            inside[k] = inside[k] or self.classify(measures[kept[k]], t) in (PROSE, NEAR)
        # v4: a sentence that ends in a colon just before a kept paragraph opens it ("Key points of the ruling:").
        for k in range(len(kept) - 1):
            if not inside[k] and inside[k + 1] and self.leads_into(measures[kept[k]], measures[kept[k + 1]], t):
                inside[k] = True
        for k, i in enumerate(kept):
            if not inside[k]:
                doc.remove(i, BODY_BOUNDS, "before body" if k < main[0] else "after body")
        return doc

    def cut_tail(self, doc: Document, kept: list[int], runs: list[tuple[int, int, float]], t: Thresholds) -> None:
        """Drop what follows the last run of prose that is large next to the body's largest (`tail_share`)."""
        main = max(runs, key=lambda run: run[2])
        end = max(run[1] for run in runs if run is main or (run[0] > main[1] and run[2] >= t.tail_share * main[2]))
        for i in kept[end + 1:]:
            doc.remove(i, BODY_BOUNDS, "after body")

    def cut_tail_lazily(self, doc: Document, kept: list[int], measures: LazyMeasures, t: Thresholds) -> None:
        """`cut_tail` with the lines before the body's last part scored as their shapes promise (`LazyMeasures.promised`), unmeasured.

        The cut falls after the body's largest run or after a run behind it
        that has `tail_share` of its score; the lines inside the body, most
        of a page's words, only make that score. So the body is found by the
        promised scores, and the lines from its end back until their own
        scores add up to that share of it are measured, with every line
        after them: the runs the cut weighs are scored as `cut_tail` scores
        them, and the body is at least as large as they are. A line promised
        prose that is not (a list of names, a quotation in another script)
        can still move the cut from deeper inside the body: on the three HTML
        dev sets after resiliparse (1,107 pages) the same lines went as with
        every line measured, in each favour but on one page in recall, and
        4,800 of trafilatura-eval's lines got the full measure instead of
        16,000 (the heuristics 0.78x the CPU there, the stoplist guess included).
        """
        promised = measures.promised(kept)
        runs = prose_runs(self.line_scores(doc, kept, promised))
        if not runs:
            return
        _, end, total = max(runs, key=lambda run: run[2])
        start, measured = end + 1, 0.0
        while start > 0 and measured < t.tail_share * total:
            start -= 1
            measured += self.score(measures[kept[start]], t)
        measures.keep_promises_before(promised, kept[start:])
        runs = prose_runs(self.line_scores(doc, kept, promised))
        if runs:
            self.cut_tail(doc, kept, runs, t)

    def positive_bounds(self, kept: list[int], measures: list[Measure] | LazyMeasures, t: Thresholds) -> tuple[int, int] | None:
        """The first and the last position (in `kept`) whose `line_scores` score is above zero, None when none is.

        Read from each end inwards: the lines between are never measured.
        A line's own score (`score`) is the one to read: `line_scores` raises
        only that of a line ending in a colon between two lines that read as
        prose (`PROSE`, `NEAR`), which score above zero themselves, so such a
        line is never the first or the last above zero.
        """

        def positive(k: int) -> bool:
            return self.score(measures[kept[k]], t) > 0

        first = next((k for k in range(len(kept)) if positive(k)), None)
        if first is None:
            return None
        return first, next(k for k in range(len(kept) - 1, first - 1, -1) if positive(k))

    def trim_edges(self, doc: Document, kept: list[int], bounds: tuple[int, int], t: Thresholds,
                   measures: list[Measure] | LazyMeasures) -> Document:
        """The gentle body finder for extracted HTML: drop only short non-sentences at the very ends (outside `bounds`, the first and last line that score above zero)."""
        first, last = bounds

        def trimmable(k: int) -> bool:
            m = measures[kept[k]]
            text = doc.lines[kept[k]].text
            if m.words > t.edge_max_words or m.sentence_end or text.startswith(STRUCTURED):
                return False
            # Numbers (addresses, phone numbers, quantities) and links end articles too.
            return not m.link_like and not any(map(str.isdigit, text))

        tail = len(kept) - 1
        while tail > last and trimmable(tail):
            doc.remove(kept[tail], BODY_BOUNDS, "after body")
            tail -= 1
        head = 0
        while t.trim_head and head < first and trimmable(head):
            doc.remove(kept[head], BODY_BOUNDS, "before body")
            head += 1
        return doc

    def link_runs(self, doc: Document, measures: list[Measure]) -> Document:
        """A run of `link_run_min` or more headline-like lines (several words, no sentence end) is a list of links."""
        if doc.extractor:
            return doc
        t = self.text_thresholds
        kept = doc.kept_indexes()
        run: list[int] = []
        for i in kept + [-1]:
            if i >= 0 and self.headline_like(doc.lines[i].text, measures[i], t):
                run.append(i)
                continue
            if len(run) >= t.link_run_min:
                for j in run:
                    doc.remove(j, LINK_RUN, f"{len(run)} headline-like lines in a row")
            run = []
        return doc

    def inline_headlines(self, doc: Document, measures: list[Measure]) -> Document:
        """A Title Case headline between two prose paragraphs is an inline related link; a short subheading stays."""
        if doc.extractor:
            return doc
        t = self.text_thresholds
        kept = doc.kept_indexes()
        for k in range(1, len(kept) - 1):
            i = kept[k]
            m = measures[i]
            if m.words < t.inline_min_words or not self.headline_like(doc.lines[i].text, m, t):
                continue
            before, after = measures[kept[k - 1]], measures[kept[k + 1]]
            if self.classify(before, t) != PROSE or self.classify(after, t) != PROSE:
                continue
            if title_case(doc.lines[i].text) >= t.title_case:
                doc.remove(i, INLINE_HEADLINE, "Title Case headline between paragraphs")
        return doc

    @staticmethod
    def headline_like(text: str, m: Measure, t: Thresholds) -> bool:
        return (
            t.headline_min_words <= m.words <= t.headline_max_words
            and not m.sentence_end
            and not m.link_like
            and not text.startswith(STRUCTURED)
            and not text.rstrip().endswith(":")
        )


def title_case(text: str) -> float:
    """Share of capitalised words after the first one (words of letters only).

    >>> title_case("Putin Sends Message to West as His Troops Turn Kazakh Tide")
    0.8
    >>> title_case("Businesses divided over the new bike lanes")
    0.0
    """
    words = [w for w in text.split()[1:] if w.isalpha()]
    if not words:
        return 0.0
    return sum(1 for w in words if w[0].isupper()) / len(words)


def prose_runs(scores: list[float]) -> list[tuple[int, int, float]]:
    """Every run found by taking the best run, then the best runs left and right of it: (first, last, sum).

    The runs come in page order (they never overlap). The spans still to
    search wait on a list rather than on Python's call stack, so a page of
    thousands of runs (a long comment thread) is no deeper than a page of one.

    >>> prose_runs([-1, 5, -2, 4, -9, 3])
    [(1, 3, 7.0), (5, 5, 3.0)]
    """
    runs: list[tuple[int, int, float]] = []
    spans = [(0, len(scores))]
    while spans:
        lo, hi = spans.pop()
        span = scores[lo:hi]
        # No positive score, no run (max_run would say None): told by one C loop instead of Kadane's Python one.
        best = max_run(span) if span and max(span) > 0 else None
        if best is None:
            continue
        start, end = best[0] + lo, best[1] + lo
        runs.append((start, end, float(sum(scores[start : end + 1]))))
        spans += [(lo, start), (end + 1, hi)]
    return sorted(runs)


def wrapped_groups(doc: Document, texts: list[str], *, measuring: Measuring = MEASURING) -> list[list[int]]:
    """Runs of lines of one paragraph where each line runs on into the next: hard-wrapped prose.

    A line runs on when it has several words and no sentence end and the
    next line stands with no blank line before it. A run counts when most of
    its lines after the first start in lower case, mid-sentence (a list of
    headlines or menu items does not).

    >>> lines = [Line("The harbour reopened on Monday after"), Line("three months of repairs by the"), Line("Harbour Board.")]
    >>> wrapped_groups(Document(source="d", kind="text", lines=lines), [line.text for line in lines])
    [[0, 1, 2]]
    >>> lines = [Line("Putin Sends Message to West"), Line("Markets Fall as Rates Rise"), Line("Harbour reopens.")]
    >>> wrapped_groups(Document(source="d", kind="text", lines=lines), [line.text for line in lines])
    []
    """
    groups: list[list[int]] = []
    group: list[int] = []
    lines = doc.lines
    last = len(texts) - 1
    min_words = measuring.wrap_min_words
    for i in range(len(texts)):
        if group:
            group.append(i)
        text = texts[i]
        # The cheap tests first: most lines stand before a blank line, or are removed ("").
        runs_on = (
            i < last
            and texts[i + 1] != ""
            and not lines[i + 1].para_start
            and text.rstrip(CLOSERS)[-1:] not in SENTENCE_ENDS
            and len(text.split()) >= min_words
        )
        if runs_on:
            group = group or [i]
        elif group:
            if 2 * sum(texts[j][:1].islower() for j in group[1:]) >= len(group) - 1:
                groups.append(group)
            group = []
    return groups


def title_lines(doc: Document, kept: list[int]) -> list[int]:
    """Positions (in `kept`) of lines that repeat the document's title, or most of it."""
    title = doc.title.casefold()
    if not title:
        return []
    shortest = max(12, len(title) // 2)
    lines = doc.lines
    long = [k for k, i in enumerate(kept) if len(lines[i].text) >= shortest]
    if not long:
        return []
    # Case folded all at once (one call for the document, not one a line): folding makes no line break.
    folded = "\n".join(lines[kept[k]].text for k in long).casefold().split("\n")
    if len(folded) != len(long):  # a line holding a line break (never one the pipeline made)
        folded = [lines[kept[k]].text.casefold() for k in long]
    found = []
    for k, text in zip(long, folded):
        text = text.strip()
        if text in title and 2 * len(text) >= len(title) or title in text:
            found.append(k)
    return found


def opens_under_title(start: int, title: list[int], reach: int) -> bool:
    """A run that opens at most `reach` lines under a title line (positions in `kept`): the article's lede.

    A standfirst or a first paragraph may stand apart from the body behind a
    table of contents, a paywall prompt or a gallery, too far above it for
    `article_head`, and too small next to a long body to stay as a second
    run; that it opens just under the headline says it is the article's.

    >>> opens_under_title(3, [1], 8), opens_under_title(12, [1], 8), opens_under_title(3, [3], 8), opens_under_title(3, [], 8)
    (True, False, False, False)
    """
    return any(start - reach <= k < start for k in title)


def article_head(title: list[int], start: int, reach: int) -> int:
    """Where the article opens: the last title line at most `reach` lines before the body's `start`, else `start`.

    >>> article_head([0, 5], 9, 8), article_head([0], 9, 8), article_head([], 9, 8)
    (5, 9, 9)
    """
    return max((k for k in title if start - reach <= k < start), default=start)


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
