"""Language identification with langdetect, seeded and on a bounded sample.

langdetect is randomised; a fixed seed makes every answer reproducible, and
each document is detected with its own freshly seeded generator, so the
answer does not depend on which documents a worker saw before. Detection
reads a sample from the middle of the cleaned body (a page's ends are where
leftover chrome and foreign-language boilerplate sit) and runs fewer random
trials than langdetect's default (2 instead of 7): on the dev set's cleaned
pages, 400 characters and 2 trials agree with a full-text, 7-trial
detection on 99.7% of pages at an eighth of the cost.

langdetect's own `Detector` spends most of its time in two pure-Python
loops: n-gram extraction, one character at a time, and the probability
update, one language at a time. `FastDetector` keeps langdetect's profiles,
character normalisation, random draws and arithmetic, but extracts n-grams a
word at a time (memoised, since words repeat) and updates all 55 languages
in one NumPy operation. Its answers are langdetect's, bit for bit
(`tests/test_language.py` compares them).

Parsing the 55 profiles takes langdetect about a second. `load_profiles`
keeps them, sparse (96% of the table is zeros), in the user's cache
(`cache.py`), where they load in a few hundredths of a second; a profile
row is built when an n-gram is first met, with the very floats langdetect
computes. A word's n-grams are memoised as their numbers in the profiles,
and a random walk draws numbers and gathers the rows of several steps at
once (`FastDetector._trial`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Container
from dataclasses import dataclass, field
from pathlib import Path

import langdetect
import numpy as np
from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.utils.ngram import NGram

from cleaner.cache import StaleCache, cached

UNDETERMINED = "und"
MIN_LETTERS = 20
TRIALS = 2
SEED = 0
LETTERS = re.compile(r"[^\W\d_]")
# langdetect's cleaning_text: "Latin" is 'A'..'z' (brackets and backquote included); every
# character from U+0300 up counts as non-Latin (its block test compares a number to a name). Written as
# the complement of U+0000-U+02FF: the same characters, and compiled in 0.1 ms instead of 12 (Python
# compiles a class one code point at a time).
LATIN = re.compile("[A-z]")
NON_LATIN = re.compile("[^\u0000-\u02ff]")
SPACE_RUNS = re.compile(" {2,}")
# Memoised words are forgotten past this many (about 300 bytes each), so memory stays bounded on any
# corpus; rows need no bound: there is one per n-gram of the profiles at most (87,598, 440 bytes each,
# in `GramTable.table`).
MAX_WORDS = 50_000


@dataclass(frozen=True, slots=True)
class Guess:
    lang: str
    prob: float


class LanguageDetector:
    """Owns a loaded langdetect factory; create one per process and reuse it."""

    def __init__(self, sample_chars: int = 400) -> None:
        self.sample_chars = sample_chars
        profiles = load_profiles()
        # A factory for `Detector.__init__` (languages and seed); its n-gram map stays empty, since
        # `FastDetector` reads the profiles from `GramTable` alone.
        self._factory = DetectorFactory()
        self._factory.langlist = list(profiles.languages)
        self._factory.set_seed(SEED)
        self._grams = GramTable(profiles)

    def detect(self, text: str) -> Guess:
        """The most probable language of `text`, or `und` when it cannot tell."""
        sample = middle_sample(text, self.sample_chars)
        if len(LETTERS.findall(sample)) < MIN_LETTERS:
            return Guess(UNDETERMINED, 0.0)
        detector = FastDetector(self._factory, self._grams)
        detector.n_trial = TRIALS
        detector.append(sample)
        try:
            best = detector.get_probabilities()[0]
        except (LangDetectException, IndexError):
            return Guess(UNDETERMINED, 0.0)
        return Guess(_base_code(best.lang), round(best.prob, 4))


SEPARATOR = "\0"


@dataclass(frozen=True)
class Profiles:
    """langdetect's n-gram profiles, sparse: for n-gram number k, its nonzero probabilities are
    `values[starts[k]:starts[k + 1]]`, in the languages numbered `columns[...]`."""

    languages: tuple[str, ...]
    index: dict[str, int]
    starts: np.ndarray
    columns: np.ndarray
    values: np.ndarray

    def __contains__(self, gram: object) -> bool:
        return gram in self.index

    def row(self, gram: str) -> np.ndarray:
        """The probability of `gram` in each language: langdetect's `word_lang_prob_map[gram]` as an array."""
        k = self.index[gram]
        start, end = self.starts[k], self.starts[k + 1]
        row = np.zeros(len(self.languages))
        row[self.columns[start:end]] = self.values[start:end]
        return row

    @classmethod
    def from_langdetect(cls, directory: str = PROFILES_DIRECTORY) -> Profiles:
        """Parse the profiles with langdetect's own `load_profile` (languages in its order) and keep the nonzeros."""
        factory = DetectorFactory()
        factory.load_profile(directory)
        grams = list(factory.word_lang_prob_map)
        dense = np.array([factory.word_lang_prob_map[gram] for gram in grams])
        rows, columns = np.nonzero(dense)
        starts = np.searchsorted(rows, np.arange(len(grams) + 1)).astype(np.int64)
        return cls(tuple(factory.langlist), dict(zip(grams, range(len(grams)))), starts,
                   columns.astype(np.uint8), dense[rows, columns])

    def encode(self) -> tuple:
        """Marshal-able values: the n-grams joined by NUL (which no n-gram holds: they are normalised text)."""
        if any(SEPARATOR in gram for gram in self.index):
            raise ValueError("an n-gram holds the separator")
        return (list(self.languages), SEPARATOR.join(self.index), self.starts.tobytes(), self.columns.tobytes(),
                self.values.tobytes())

    @classmethod
    def decode(cls, payload: object) -> Profiles:
        languages, joined, starts, columns, values = payload  # type: ignore[misc]
        grams = joined.split(SEPARATOR) if joined else []
        profiles = cls(tuple(languages), dict(zip(grams, range(len(grams)))), np.frombuffer(starts, np.int64),
                       np.frombuffer(columns, np.uint8), np.frombuffer(values, np.float64))
        starts, columns, values = profiles.starts, profiles.columns, profiles.values
        if (not all(isinstance(lang, str) for lang in languages) or len(profiles.index) != len(grams)
                or len(starts) != len(grams) + 1 or starts[0] != 0 or starts[-1] != len(values) or len(columns) != len(values)
                or np.any(np.diff(starts) < 0) or (len(columns) and columns.max() >= len(languages))):
            raise StaleCache("langdetect profiles of the wrong shape")
        return profiles


def profile_files(directory: str = PROFILES_DIRECTORY) -> list[Path]:
    """The files `DetectorFactory.load_profile` reads, in its order (the directory's listing order)."""
    return [Path(directory, name) for name in os.listdir(directory)
            if not name.startswith(".") and os.path.isfile(os.path.join(directory, name))]


def load_profiles() -> Profiles:
    """langdetect's profiles, from the user's cache when it matches the installed profiles (`cache.py`).

    The key covers the profile files in langdetect's order and the code that
    turns them into the table (langdetect's parser, this module): langdetect
    1.0.9 has no version attribute, and what an upgrade would change is in
    those files.
    """
    package = Path(langdetect.__file__).parent
    code = [package / "detector_factory.py", package / "utils" / "lang_profile.py", Path(__file__)]
    return cached("langdetect-profiles", "langdetect", [*profile_files(), *code],
                  Profiles.from_langdetect, Profiles.encode, Profiles.decode)


@dataclass
class GramTable:
    """langdetect's n-gram profiles as rows of one array, in the order they were first met, and the rows each word's n-grams are, memoised."""

    profiles: Profiles
    _chars: dict[int, str] = field(default_factory=dict)
    _words: dict[str, tuple[int, ...]] = field(default_factory=dict)
    _slots: dict[int, int] = field(default_factory=dict)  # n-gram number -> its row in `_table`
    _table: np.ndarray | None = None
    _pending: list[int] = field(default_factory=list)  # the n-grams of the rows after those filled in, in row order

    def normalized(self, text: str) -> str:
        """`text` with every character passed through langdetect's `NGram.normalize`."""
        for ch in set(text):
            if ord(ch) not in self._chars:
                self._chars[ord(ch)] = NGram.normalize(ch)
        return text.translate(self._chars)

    def grams(self, text: str) -> list[int]:
        """The row (in `table`) of every n-gram langdetect extracts from `text`, in its order.

        langdetect reads characters into a 3-character window that restarts at
        each space, so a word's n-grams depend on the word alone (and on
        whether a space follows it): split on spaces, look each word up.
        """
        words = self.normalized(text).split(" ")
        last = len(words) - 1
        found: list[int] = []
        for k, word in enumerate(words):
            if word:
                found.extend(self.word_grams(word + " " if k < last else word))
        return found

    def word_grams(self, word: str) -> tuple[int, ...]:
        grams = self._words.get(word)
        if grams is None:
            if len(self._words) >= MAX_WORDS:
                self._words.clear()
            index = self.profiles.index
            if " " in index or "  " in index:  # not langdetect's profiles: see gram_numbers
                numbers = tuple(map(index.__getitem__, word_grams(word, index)))
            else:
                numbers = gram_numbers(word, index)
            slots = self._slots
            rows = []
            for k in numbers:
                row = slots.get(k)
                if row is None:
                    row = slots[k] = len(slots)
                    self._pending.append(k)
                rows.append(row)
            grams = self._words[word] = tuple(rows)
        return grams

    def table(self) -> np.ndarray:
        """The profile rows of every n-gram `grams` has given, one array row each (the numbers `grams` gives).

        Rows are built for the n-grams met since the last call, all at once,
        with the very floats langdetect's table holds; the array grows by
        doubling, so memory follows the n-grams met (at most the 87,598 of
        the profiles, 440 bytes each).
        """
        size = len(self._slots)
        if not self._pending and self._table is not None:
            return self._table
        filled = size - len(self._pending)
        if self._table is None or len(self._table) < size:
            grown = np.zeros((min(max(2 * size, 1024), max(size, len(self.profiles.index))), len(self.profiles.languages)))
            if self._table is not None:
                grown[:filled] = self._table[:filled]
            self._table = grown
        profiles = self.profiles
        numbers = np.array(self._pending, dtype=np.int64)
        self._pending = []
        starts = profiles.starts[numbers]
        counts = profiles.starts[numbers + 1] - starts
        # Every nonzero of the new rows at once: its row, and its position in the sparse arrays (the row's start
        # plus its rank within the row).
        positions = np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))
        self._table[np.repeat(np.arange(filled, size), counts), profiles.columns[positions]] = profiles.values[positions]
        return self._table


def word_grams(word: str, profiles: Container[str]) -> list[str]:
    """The n-grams langdetect's `NGram` yields for one normalised word (with its trailing space, if any).

    The window holds the last three characters of the word with a space
    before it; nothing is read inside a run of capitals (the second capital
    of a row and after), and a lone space is never an n-gram.

    >>> word_grams("cat ", {"c": [], " c": [], "at": [], "at ": [], "t ": []})
    ['c', ' c', 'at', 't ', 'at ']
    """
    padded = " " + word
    grams = []
    for end in range(2, len(padded) + 1):
        ch, before = padded[end - 1], padded[end - 2]
        if ch.isupper() and before.isupper():
            continue
        for n in (1, 2, 3):
            if end < n:
                break
            gram = padded[end - n:end]
            if gram != " " and gram in profiles:
                grams.append(gram)
    return grams


def gram_numbers(word: str, index: dict[str, int]) -> tuple[int, ...]:
    """`word_grams` of `word` as their numbers in the profiles (`index`), in one comprehension for a word without two capitals in a row.

    (A word `islower` holds no capital at all: most words are checked no further.)

    The word is padded with two spaces rather than one, so that every end
    position has three candidate grams; the extra candidates (a lone space,
    or one that starts with two spaces) are in no profile, so the lookup
    drops them as `word_grams`' bounds do: langdetect's window never holds
    two spaces in a row nor yields a lone space, so the profiles it trains
    hold neither (`GramTable` checks the two that could be looked up alone).
    """
    if not word.islower() and any(a.isupper() and b.isupper() for a, b in zip(word, word[1:])):
        return tuple(map(index.__getitem__, word_grams(word, index)))
    padded = "  " + word
    get = index.get
    found = [get(padded[end - n:end]) for end in range(3, len(padded) + 1) for n in (1, 2, 3)]
    return tuple(k for k in found if k is not None)


# Blocks of five steps of a random walk drawn at once (`FastDetector._trial`); walks on the dev set's samples
# take 46 draws on average (about 9 blocks).
DRAW_CHUNKS = 8


class FastDetector(Detector):
    """langdetect's `Detector` with its hot loops vectorised; the same answers, bit for bit."""

    def __init__(self, factory: DetectorFactory, grams: GramTable) -> None:
        super().__init__(factory)
        self.grams = grams

    def append(self, text: str) -> None:
        text = self.URL_RE.sub(" ", text)
        text = self.MAIL_RE.sub(" ", text)
        text = NGram.normalize_vi(text)
        self.text += SPACE_RUNS.sub(" ", text[: self.max_text_length])

    def cleaning_text(self) -> None:
        """Drop Latin letters from text that is mostly in another script (langdetect's rule)."""
        if len(LATIN.findall(self.text)) * 2 < len(NON_LATIN.findall(self.text)):
            self.text = LATIN.sub("", self.text)

    def _detect_block(self) -> None:
        self.cleaning_text()
        grams = self.grams.grams(self.text)
        if not grams:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        table = self.grams.table()
        size = len(self.langlist)
        langprob = [0.0] * size
        self.random.seed(self.seed)
        ahead: list[int] = []  # draws made for a trial and not used by it: the next trial's first draws
        last = self.n_trial - 1
        for trial in range(self.n_trial):
            alpha = self.alpha + self.random.gauss(0.0, 1.0) * self.ALPHA_WIDTH
            # gauss() draws two values and keeps the second for the next call: draws made ahead are only the
            # walks' own when no later trial draws afresh (with two trials, the first draws and the second reads).
            ahead_ok = trial == last or (trial == last - 1 and self.random.gauss_next is not None)
            prob, ahead = self._trial(table, alpha / self.BASE_FREQ, grams, size, ahead, ahead_ok)
            for j, p in enumerate(prob.tolist()):
                langprob[j] += p / self.n_trial
        self.langprob = langprob

    def _trial(self, table: np.ndarray, weight: float, grams: list[int], size: int, ahead: list[int],
               ahead_ok: bool) -> tuple[np.ndarray, list[int]]:
        """One random walk over the n-grams, in langdetect's order of draws and operations; returns it and the draws left.

        langdetect multiplies the probabilities by one n-gram's factors (its
        profile row in `table` plus the smoothing `weight`) per step and
        normalises after the first step and after every fifth one since. Five
        steps are one `np.multiply.reduce` over the probabilities and the five
        rows, which multiplies in the same order, row after row. With
        `ahead_ok`, the draws of several blocks of five are made at once and
        their rows gathered in one operation; those a walk leaves are the
        next trial's first draws (`ahead`), which the generator gives next.
        """
        choice = self.random.choice
        pending = ahead or [choice(grams)]
        prob = np.full(size, 1.0 / size) * (weight + table[pending[0]])
        at, blocks, block = 1, 0, None
        steps = 0
        while True:
            prob /= sum(prob.tolist())  # a left-to-right sum, as langdetect's
            if prob.max() > self.CONV_THRESHOLD or steps >= self.ITERATION_LIMIT:
                return prob, pending[at:]
            if block is None or blocks == len(block):
                pending = pending[at:]
                if len(pending) < 5:
                    more = 5 * DRAW_CHUNKS if ahead_ok else 5 - len(pending)
                    pending += [choice(grams) for _ in range(more)]
                blocks, at = 0, 0
                block = np.empty((len(pending) // 5, 6, size))
                block[:, 1:] = (table[pending[: 5 * len(block)]] + weight).reshape(len(block), 5, size)
            block[blocks, 0] = prob
            prob = np.multiply.reduce(block[blocks], axis=0)
            blocks += 1
            at += 5
            steps += 5


def middle_sample(text: str, size: int) -> str:
    """At most `size` characters from the middle of `text`, cut at spaces.

    >>> middle_sample("aaa bbb ccc ddd eee", 7)
    'ccc'
    """
    if len(text) <= size:
        return text
    start = (len(text) - size) // 2
    chunk = text[start:start + size]
    first_space, last_space = chunk.find(" "), chunk.rfind(" ")
    if 0 <= first_space < last_space:
        return chunk[first_space + 1:last_space]
    return chunk


def _base_code(lang: str) -> str:
    """langdetect says zh-cn and zh-tw; the records use ISO 639-1 codes."""
    return lang.split("-")[0]
