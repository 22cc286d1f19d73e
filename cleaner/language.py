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
character normalisation, random draws and arithmetic, but extracts the
n-grams of the whole text in a few array operations (`GramTable.grams`:
each window of langdetect's as an integer key, looked up in the profiles'
sorted keys) and updates all 55 languages in one NumPy operation. Its answers are langdetect's, bit for bit
(`tests/test_language.py` compares them).

Parsing the 55 profiles takes langdetect about a second. `load_profiles`
keeps them, sparse (96% of the table is zeros), in the user's cache
(`cache.py`), where they load in a few hundredths of a second; a profile
row is built when an n-gram is first met, with the very floats langdetect
computes. A random walk draws the n-grams of several steps at once, from
one call of the generator, and gathers their rows in one operation
(`FastDetector._trial`).
"""

from __future__ import annotations

import os
import random
import re
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import langdetect
import numpy as np
from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.utils.ngram import NGram

from cleaner.cache import StaleCache, cached
from cleaner.codepoints import CodePointTest, code_points

UNDETERMINED = "und"
SEED = 0
LETTERS = re.compile(r"[^\W\d_]")
LATIN = re.compile("[A-z]")  # langdetect's cleaning_text: "Latin" is 'A'..'z' (brackets and backquote included)
SPACE_RUNS = re.compile(" {2,}")


@dataclass(frozen=True, slots=True)
class Detection:
    """How `LanguageDetector.detect` reads a text's sample."""

    # A sample with fewer letters than this is `UNDETERMINED`: too little text for n-gram statistics.
    min_letters: int = 20
    # langdetect's random walks a detection averages (its `n_trial`, 7 by default; each costs the same): on the
    # dev set's cleaned pages, 400 characters and 2 trials agree with a full-text, 7-trial detection on 99.7% of
    # pages at an eighth of the cost (the module's docstring).
    trials: int = 2


DETECTION = Detection()


@dataclass(frozen=True, slots=True)
class Guess:
    lang: str
    prob: float


class LanguageDetector:
    """Owns a loaded langdetect factory; create one per process and reuse it."""

    def __init__(self, sample_chars: int = 400, *, detection: Detection = DETECTION) -> None:
        self.sample_chars = sample_chars
        self.detection = detection
        profiles = load_profiles()
        # A factory for `FastDetector` (languages and seed); its n-gram map stays empty, since `FastDetector` reads
        # the profiles from `GramTable` alone.
        self._factory = DetectorFactory()
        self._factory.langlist = list(profiles.languages)
        self._factory.set_seed(SEED)
        self._grams = GramTable(profiles)
        # One generator for every detection, set to the seeded state at the start of each (`FastDetector`): the
        # same draws as a freshly seeded one, at a third of the cost of seeding.
        self._random = random.Random()
        self._random.seed(self._factory.seed)
        self._seeded = self._random.getstate()
        self._letters = CodePointTest(LETTERS)

    def letters(self, text: str) -> int:
        """How many characters of `text` are letters (`LETTERS`), each code point tested once per process."""
        return int(np.count_nonzero(self._letters.matches(code_points(text))))

    def fast_detector(self) -> FastDetector:
        """A detector for one text, on this process's profiles and generator."""
        return FastDetector(self._factory, self._grams, self._random, self._seeded)

    def detect(self, text: str) -> Guess:
        """The most probable language of `text`, or `und` when it cannot tell."""
        sample = middle_sample(text, self.sample_chars)
        if self.letters(sample) < self.detection.min_letters:
            return Guess(UNDETERMINED, 0.0)
        detector = self.fast_detector()
        detector.n_trial = self.detection.trials
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
    `values[starts[k]:starts[k + 1]]`, in the languages numbered `columns[...]`.

    The n-grams are kept as cached, `joined` by NUL, which `GramTable` reads
    as it is; their list (`grams`) and the dict of their numbers (`index`)
    are made when first read, which detection never does: made at every
    start, they were 17 of the 22 ms it took to load the cached profiles.
    """

    languages: tuple[str, ...]
    joined: str  # the n-grams in number order, SEPARATOR between them ("" for none)
    starts: np.ndarray
    columns: np.ndarray
    values: np.ndarray

    @cached_property
    def grams(self) -> list[str]:
        return self.joined.split(SEPARATOR) if self.joined else []

    @cached_property
    def index(self) -> dict[str, int]:
        """Each n-gram's number."""
        return dict(zip(self.grams, range(len(self.grams))))

    @property
    def size(self) -> int:
        """How many n-grams there are."""
        return len(self.starts) - 1

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
        if any(SEPARATOR in gram for gram in grams):  # `joined` could not be split back (`GramTable` refuses it too)
            raise ValueError("an n-gram holds the separator")
        dense = np.array([factory.word_lang_prob_map[gram] for gram in grams])
        rows, columns = np.nonzero(dense)
        starts = np.searchsorted(rows, np.arange(len(grams) + 1)).astype(np.int64)
        return cls(tuple(factory.langlist), SEPARATOR.join(grams), starts, columns.astype(np.uint8), dense[rows, columns])

    def encode(self) -> tuple:
        """Marshal-able values: the n-grams joined by NUL (which no n-gram holds: `from_langdetect` checks it)."""
        return (list(self.languages), self.joined, self.starts.tobytes(), self.columns.tobytes(), self.values.tobytes())

    @classmethod
    def decode(cls, payload: object) -> Profiles:
        """The cached profiles, their shape checked (the payload's digest has told it is the bytes `encode` wrote)."""
        languages, joined, starts, columns, values = payload  # type: ignore[misc]
        if not isinstance(joined, str):
            raise StaleCache("langdetect profiles of the wrong shape")
        grams = joined.count(SEPARATOR) + 1 if joined else 0
        profiles = cls(tuple(languages), joined, np.frombuffer(starts, np.int64),
                       np.frombuffer(columns, np.uint8), np.frombuffer(values, np.float64))
        starts, columns, values = profiles.starts, profiles.columns, profiles.values
        if (not all(isinstance(lang, str) for lang in languages)
                or len(starts) != grams + 1 or starts[0] != 0 or starts[-1] != len(values) or len(columns) != len(values)
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


# A code point takes 21 bits: an n-gram of up to three characters is one 63-bit key (`gram_keys`), and the keys
# of different lengths never meet (every character langdetect's normalisation leaves is a space or above).
CODE_BITS = 21
SPACE = ord(" ")
SPACES = np.array([SPACE, SPACE], dtype=np.uint64)


# `GramTable.numbers_of`'s table of keys met: 2^18 slots (4 MB of address space, touched as keys are met), a slot by the
# top bits of a key times 2^64 / phi. Over the 990 dev dumps' samples: 0.35 -> 0.33 s of detection in a fresh process,
# 0.29 -> 0.235 s once warm (2^16 slots: 0.33 and 0.27 s).
MEMO_BITS = 18
MEMO_SHIFT = np.uint64(64 - MEMO_BITS)
MEMO_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


def gram_keys(last: np.ndarray, middle: np.ndarray, first: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The key of each n-gram of `lengths` characters (1 to 3) whose last, last but one and last but two code points
    are `last`, `middle`, `first` (uint64; those before an n-gram's start are ignored)."""
    two = (middle << np.uint64(CODE_BITS)) | last
    three = (first << np.uint64(2 * CODE_BITS)) | two
    return np.where(lengths == 1, last, np.where(lengths == 2, two, three))


@dataclass
class GramTable:
    """langdetect's n-gram profiles as rows of one array, in the order they were first met, and an index of their keys.

    `grams` finds a text's n-grams with array operations: every window of
    langdetect's `NGram` as a key (`gram_keys`), looked up in the profiles'
    sorted keys. The keys of langdetect's 87,598 n-grams take 0.7 MB.
    """

    profiles: Profiles
    # langdetect's `NGram.normalize` of each code point met, by code point (0 for one not yet met: no character
    # normalises to NUL), and whether that normalised character is a capital. Arrays over all code points (4.4 and
    # 1.1 MB of address space) of which only the pages holding the code points met are ever touched.
    _normal: np.ndarray = field(init=False)
    _capital: np.ndarray = field(init=False)
    _keys: np.ndarray = field(init=False)  # the profiles' n-gram keys (`gram_keys`), sorted
    _numbers: np.ndarray = field(init=False)  # the number in the profiles of each of `_keys`
    _slots: np.ndarray = field(init=False)  # n-gram number -> its row in `_table`, or -1
    _memo: np.ndarray = field(init=False)  # keys met and their numbers (`numbers_of`)
    _filled: int = 0  # rows of `_table` filled in
    _size: int = 0  # rows given out by `grams`
    _table: np.ndarray | None = None
    _pending: list[np.ndarray] = field(default_factory=list)  # the n-grams of the rows after those filled in, in row order

    def __post_init__(self) -> None:
        grams = self.profiles.size
        codes = code_points(self.profiles.joined + SEPARATOR).astype(np.uint64)
        ends = np.flatnonzero(codes == 0)
        if len(ends) != grams:
            raise ValueError("an n-gram holds the separator")
        lengths = ends - np.concatenate(([0], ends[:-1] + 1))
        padded = np.concatenate((np.zeros(2, dtype=np.uint64), codes))
        keys = gram_keys(padded[ends + 1], padded[ends], padded[ends - 1], lengths)
        keys[(lengths < 1) | (lengths > 3)] = 0  # never a window of langdetect's (key 0 is no text's)
        # A last key above every n-gram's, so that every search lands on a key.
        self._numbers = np.append(np.argsort(keys, kind="stable"), -1)
        self._keys = np.append(keys[self._numbers[:-1]], np.uint64(np.iinfo(np.uint64).max))
        self._slots = np.full(grams, -1, dtype=np.int64)
        self._memo = np.zeros((1 << MEMO_BITS, 2), dtype=np.int64)  # (key, number or -1 for none) a slot; key 0: empty
        self._normal = np.zeros(sys.maxunicode + 1, dtype=np.uint32)
        self._capital = np.zeros(sys.maxunicode + 1, dtype=bool)

    def normalized(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The code points `codes` after langdetect's `NGram.normalize` (uint64), and which of them are capitals."""
        normal = self._normal[codes]
        if not normal.all():
            for code in set(codes[normal == 0].tolist()):
                ch = NGram.normalize(chr(code))
                self._normal[code], self._capital[code] = ord(ch), ch.isupper()
            normal = self._normal[codes]
        return normal.astype(np.uint64), self._capital[codes]

    def grams(self, codes: np.ndarray) -> np.ndarray:
        """The row (in `table`) of every n-gram langdetect extracts from the text of code points `codes`, in its order.

        langdetect's window starts as a space and takes one normalised
        character at a time (`NGram.add_char`): past a space it starts again
        from that space, a space after a space adds nothing, and it holds the
        last three characters. After each character it yields the 1-, 2- and
        3-grams at its end that the profiles hold, except a lone space, and
        nothing while a capital follows a capital. So with `s` the text after
        a space, the window at character i yields `s[i]` unless it is a
        space, `s[i-1:i+1]`, and `s[i-2:i+1]` unless `s[i-1]` is a space (the
        window started there); none of them when `s[i-1:i+1]` is two spaces
        or two capitals.
        """
        if not len(codes):
            return np.zeros(0, dtype=np.int64)
        normal, capital = self.normalized(codes)
        # The text after two spaces: `current`, `previous` and `before` are each character and the two before it.
        padded = np.concatenate((SPACES, normal))
        current, previous, before = padded[2:], padded[1:-1], padded[:-2]
        two = (previous << np.uint64(CODE_BITS)) | current
        keys = np.stack((current, two, (before << np.uint64(2 * CODE_BITS)) | two), axis=1).ravel()
        space = padded == SPACE
        after_space = space[1:-1]
        skip = space[2:] & after_space
        skip[1:] |= capital[1:] & capital[:-1]
        unwanted = np.stack((space[2:], skip, after_space), axis=1)
        unwanted |= skip[:, None]
        keys = keys[~unwanted.ravel()]
        numbers = self.numbers_of(keys)
        slots = self._slots[numbers]
        new = numbers[slots < 0]
        if len(new):
            new = sorted_unique(new)
            self._slots[new] = np.arange(self._size, self._size + len(new))
            self._size += len(new)
            self._pending.append(new)
            slots = self._slots[numbers]
        return slots

    def numbers_of(self, keys: np.ndarray) -> np.ndarray:
        """The profiles' numbers of the n-grams whose keys are `keys` (uint64, none 0), in order; keys of no n-gram left out.

        A search of the sorted keys takes about 17 probes a key, most of
        them cache misses (0.06 ms for a sample's thousand keys); the answers
        for keys met before are kept in a direct-mapped table (`_memo`: a
        slot a key, by a multiplicative hash; a key met later takes its slot),
        and only the keys not found there are searched.
        """
        slots = ((keys * MEMO_MULTIPLIER) >> MEMO_SHIFT).astype(np.intp)
        held = self._memo[slots]
        known = held[:, 0] == keys.view(np.int64)
        numbers = held[:, 1].copy()
        unknown = np.flatnonzero(~known)
        if len(unknown):
            wanted = keys[unknown]
            at = np.searchsorted(self._keys, wanted)
            numbers[unknown] = np.where(self._keys[at] == wanted, self._numbers[at], -1)
            self._memo[slots[unknown]] = np.stack((wanted.view(np.int64), numbers[unknown]), axis=1)
        return numbers[numbers >= 0]

    def table(self) -> np.ndarray:
        """The profile rows of every n-gram `grams` has given, one array row each (the numbers `grams` gives).

        Rows are built for the n-grams met since the last call, all at once,
        with the very floats langdetect's table holds; the array grows by
        doubling, so memory follows the n-grams met (at most the 87,598 of
        the profiles, 440 bytes each).
        """
        size, filled = self._size, self._filled
        if not self._pending and self._table is not None:
            return self._table
        if self._table is None or len(self._table) < size:
            grown = np.zeros((min(max(2 * size, 1024), max(size, self.profiles.size)), len(self.profiles.languages)))
            if self._table is not None:
                grown[:filled] = self._table[:filled]
            self._table = grown
        profiles = self.profiles
        numbers = np.concatenate(self._pending) if self._pending else np.zeros(0, dtype=np.int64)
        self._pending = []
        self._filled = size
        starts = profiles.starts[numbers]
        counts = profiles.starts[numbers + 1] - starts
        # Every nonzero of the new rows at once: its row, and its position in the sparse arrays (the row's start
        # plus its rank within the row).
        positions = np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))
        self._table[np.repeat(np.arange(filled, size), counts), profiles.columns[positions]] = profiles.values[positions]
        return self._table


# Draws of a random walk made at once (`FastDetector._trial`): walks on the dev set's samples take 46 draws on
# average, and a draw takes one 32-bit word of the generator (two when the first is rejected, rarely).
DRAW_WORDS = 48


class FastDetector(Detector):
    """langdetect's `Detector` with its hot loops vectorised; the same answers, bit for bit.

    `generator` is set to `seeded`, the state of a generator seeded with the
    factory's seed, where langdetect seeds its own: restoring a state costs
    a third of seeding afresh (and `Detector.__init__` would first seed one
    from the system's entropy).
    """

    def __init__(self, factory: DetectorFactory, grams: GramTable, generator: random.Random, seeded: object) -> None:
        self.langlist = factory.langlist
        self.seed = factory.seed
        self.random = generator
        self.text = ""
        self.langprob = None
        self.alpha = self.ALPHA_DEFAULT
        self.n_trial = 7
        self.max_text_length = 10000
        self.prior_map = None
        self.verbose = False
        self.grams = grams
        self.seeded = seeded

    def append(self, text: str) -> None:
        """langdetect's `append`; each substitution only on text that holds what it replaces (a URL's "://", an
        address's "@", a combining mark, two spaces)."""
        if "://" in text:
            text = self.URL_RE.sub(" ", text)
        if "@" in text:
            text = self.MAIL_RE.sub(" ", text)
        if not text.isascii() and any(mark in text for mark in NGram.DMARK_CLASS):
            text = NGram.normalize_vi(text)
        text = text[: self.max_text_length]
        self.text += SPACE_RUNS.sub(" ", text) if "  " in text else text

    def cleaned_codes(self) -> np.ndarray:
        """The text's code points, without its Latin letters when it is mostly in another script (langdetect's `cleaning_text`).

        "Latin" is 'A'..'z' (brackets and backquote included); every
        character from U+0300 up counts as non-Latin (langdetect's block test
        compares a number to a name).
        """
        codes = code_points(self.text).astype(np.uint64)
        latin = (codes >= ord("A")) & (codes <= ord("z"))
        if 2 * np.count_nonzero(latin) < np.count_nonzero(codes >= 0x300):
            self.text = LATIN.sub("", self.text)
            codes = codes[~latin]
        return codes

    def cleaning_text(self) -> None:
        self.cleaned_codes()

    def _detect_block(self) -> None:
        grams = self.grams.grams(self.cleaned_codes())
        if not len(grams):
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        table = self.grams.table()
        size = len(self.langlist)
        langprob = np.zeros(size)
        self.random.setstate(self.seeded)
        ahead = grams[:0]  # draws made for a trial and not used by it: the next trial's first draws
        last = self.n_trial - 1
        for trial in range(self.n_trial):
            alpha = self.alpha + self.random.gauss(0.0, 1.0) * self.ALPHA_WIDTH
            # gauss() draws two values and keeps the second for the next call: draws made ahead are only the
            # walks' own when no later trial draws afresh (with two trials, the first draws and the second reads).
            ahead_ok = trial == last or (trial == last - 1 and self.random.gauss_next is not None)
            prob, ahead = self._trial(table, alpha / self.BASE_FREQ, grams, size, ahead, ahead_ok)
            langprob += prob / self.n_trial
        self.langprob = langprob.tolist()

    def draws(self, grams: np.ndarray, ahead_ok: bool, count: int) -> np.ndarray:
        """The next `count` draws of `random.choice(grams)`, or with `ahead_ok` the draws `DRAW_WORDS` words of the generator make.

        `choice` takes `getrandbits(k)` (k the bits of `len(grams)`: the top k
        bits of the generator's next 32-bit word) until it is below the
        length; `getrandbits(32 * m)` is the next m words, first word lowest.
        """
        if not ahead_ok:
            listed = grams.tolist()
            choice = self.random.choice
            return np.array([choice(listed) for _ in range(count)], dtype=np.int64)
        words = np.frombuffer(self.random.getrandbits(32 * DRAW_WORDS).to_bytes(4 * DRAW_WORDS, "little"), dtype="<u4")
        drawn = words >> np.uint32(32 - len(grams).bit_length())
        return grams[drawn[drawn < len(grams)]]

    def _trial(self, table: np.ndarray, weight: float, grams: np.ndarray, size: int, ahead: np.ndarray,
               ahead_ok: bool) -> tuple[np.ndarray, np.ndarray]:
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
        pending = ahead if len(ahead) else self.draws(grams, ahead_ok, 1)
        while not len(pending):
            pending = self.draws(grams, ahead_ok, 1)
        prob = np.full(size, 1.0 / size) * (weight + table[pending[0]])
        at, blocks, block = 1, 0, None
        steps = 0
        while True:
            values = prob.tolist()
            total = sum(values)  # left to right, as langdetect's
            # The largest quotient is the largest value's: division by a positive number keeps the order.
            if max(values) / total > self.CONV_THRESHOLD or steps >= self.ITERATION_LIMIT:
                return prob / total, pending[at:]
            if block is None or blocks == len(block):
                pending = pending[at:]
                while len(pending) < 5:
                    pending = np.concatenate((pending, self.draws(grams, ahead_ok, 5 - len(pending))))
                blocks, at = 0, 0
                block = np.empty((len(pending) // 5, 6, size))
                block[:, 1:] = (table[pending[: 5 * len(block)]] + weight).reshape(len(block), 5, size)
            np.divide(prob, total, out=block[blocks, 0])
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


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """`np.unique(values)` for a 1-d integer array, without the import of `numpy.ma` (9 ms) its first call makes in NumPy 2.

    >>> sorted_unique(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    ordered = np.sort(values)
    first = np.ones(len(ordered), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]
