"""jusText's stoplists and the index of the stopwords that tell languages apart, loaded from the user's cache.

Reading jusText's 100 stoplists and indexing their 178,000 words takes
about a second at every start of a process. Both come from `cache.py`,
keyed by the stoplist files, jusText's reader (`justext/utils.py`) and this
module: rebuilt from the files when any of them changes, and otherwise
read back in a few hundredths of a second. jusText itself is only imported
to build them. A stoplist becomes a set when it is first asked for.

The index is not made into one dict at start: its 154,000 words took 80 ms
to make into strings and hash (most of the stoplists' share of a one-file
run), while a document looks up a few hundred words. The cache keeps it in
2048 buckets, by a hash of the words' first two characters, each one string
of words and one of their stoplists' numbers (4,000 strings to read back
instead of 154,000); a bucket joins the dict when a word of its prefixes is
first looked up (`StopwordIndex.holders`), so the first page makes about a
tenth of the index, and a run that has made a quarter of it (`EAGER_BUCKETS`)
makes the rest at once.
"""

from __future__ import annotations

import importlib.util
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from pathlib import Path

from cleaner.cache import StaleCache, cached

# A stopword shared by more stoplists than this says nothing about the language.
MAX_SHARED = 30
# The index is bucketed by this many leading characters of a word, into this many buckets (see the
# module): a document's few hundred distinct words touch about 150 prefixes, so a one-file run makes a
# tenth of the index into a dict (in-process, 2 ms for the first page instead of 80 ms for all).
BUCKET_PREFIX = 2
BUCKETS = 2048
# The prefixes looked up are noted (so a known one costs a set lookup); past this many (a long run over
# varied text, about 10 MB of them) the remaining buckets are loaded and nothing more is noted.
MAX_PREFIXES = 100_000
# Once this many buckets are loaded (a run past its first few pages) the rest are loaded at once: then a
# lookup no longer notes its words' prefixes, which cost as much as the lookups (the 990 dev dumps'
# heuristics 1.11 -> 1.02 s of CPU once every bucket is in; loading them all takes about 50 ms).
EAGER_BUCKETS = BUCKETS // 4
# A bucket numbers its words' groups of stoplists with one character each; below the surrogates, so
# every number is a character marshal writes as it is.
MAX_GROUPS = 0xD800


@dataclass(frozen=True)
class Stoplists(Mapping):
    """Every jusText stoplist by name (sorted), each a frozenset of lowercased words, made when first read."""

    words: dict[str, str]  # name -> its words, each followed by a newline
    _sets: dict[str, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)

    def __getitem__(self, name: str) -> frozenset[str]:
        found = self._sets.get(name)
        if found is None:
            found = self._sets[name] = frozenset(self.words[name].split("\n")[:-1])
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self.words)

    def __len__(self) -> int:
        return len(self.words)


class StopwordIndex(Mapping):
    """Each stopword to the names of the stoplists holding it, made a bucket at a time as words are looked up.

    `groups` are the distinct tuples of names. Bucket k holds the words
    whose first `BUCKET_PREFIX` characters hash to k (`bucket_of`):
    `words[k]` each followed by a newline and `ids[k]` the numbers of their
    groups, one character each (`chr(number)`), word by word.
    """

    def __init__(self, groups: list[tuple[str, ...]], words: list[str], ids: list[str]) -> None:
        self.groups = groups
        self.words = words
        self.ids = ids
        self._by_char = dict(zip(map(chr, range(len(groups))), groups))
        self._found: dict[str, tuple[str, ...]] = {}
        self._prefixes: set[str] = set()  # the prefixes whose bucket is in `_found`
        self._buckets: set[int] = set()
        self._complete = False  # every bucket is in `_found`: nothing left to load or to note

    @classmethod
    def from_dict(cls, index: Mapping[str, tuple[str, ...]]) -> StopwordIndex:
        numbers: dict[tuple[str, ...], int] = {}
        words: list[list[str]] = [[] for _ in range(BUCKETS)]
        ids: list[list[str]] = [[] for _ in range(BUCKETS)]
        for word, names in index.items():
            if "\n" in word:
                raise ValueError("a stopword holds a newline")
            number = numbers.setdefault(names, len(numbers))
            if number >= MAX_GROUPS:
                raise ValueError("too many groups of stoplists to number with one character")
            bucket = bucket_of(word[:BUCKET_PREFIX])
            words[bucket].append(word + "\n")
            ids[bucket].append(chr(number))
        return cls(list(numbers), ["".join(bucket) for bucket in words], ["".join(bucket) for bucket in ids])

    def holders(self, words: Iterable[str]) -> Iterator[tuple[str, ...]]:
        """The names of the stoplists holding each of `words` (an empty tuple for a word in none), in order."""
        if not self._complete:
            words = list(words)
            self.load({word[:BUCKET_PREFIX] for word in words} - self._prefixes)
        return map(self._found.get, words, repeat(()))

    def load(self, prefixes: Iterable[str]) -> None:
        """Add the buckets of words with these prefixes to the dict lookups read."""
        for prefix in prefixes:
            self._prefixes.add(prefix)
            self.load_bucket(bucket_of(prefix))
        if len(self._prefixes) > MAX_PREFIXES or len(self._buckets) >= EAGER_BUCKETS:  # a long run: load the rest at once
            for bucket in range(BUCKETS):
                self.load_bucket(bucket)
        if len(self._buckets) == BUCKETS:
            self._complete = True
            self._prefixes.clear()

    def load_bucket(self, bucket: int) -> None:
        if bucket not in self._buckets:
            self._buckets.add(bucket)
            self._found.update(zip(self.words[bucket].split("\n")[:-1], map(self._by_char.__getitem__, self.ids[bucket])))

    def __getitem__(self, word: str) -> tuple[str, ...]:
        if not self._complete:
            self.load({word[:BUCKET_PREFIX]} - self._prefixes)
        return self._found[word]

    def __iter__(self) -> Iterator[str]:
        for joined in self.words:
            yield from joined.split("\n")[:-1]

    def __len__(self) -> int:
        return sum(map(len, self.ids))


def bucket_of(prefix: str) -> int:
    """The bucket of words that begin with `prefix` (the same in every process: CRC-32, not `hash`)."""
    return zlib.crc32(prefix.encode("utf-8", "surrogatepass")) % BUCKETS


@dataclass(frozen=True)
class Stopwords:
    """The stoplists, and each stopword shared by at most `MAX_SHARED` of them mapped to the stoplists holding it."""

    stoplists: Stoplists
    index: StopwordIndex

    @classmethod
    def from_justext(cls) -> Stopwords:
        import justext

        lists = {name: justext.get_stoplist(name) for name in sorted(justext.get_stoplists())}
        index: dict[str, list[str]] = {}
        for name, words in lists.items():
            for word in words:
                index.setdefault(word, []).append(name)
        stoplists = Stoplists({name: "".join(word + "\n" for word in sorted(words)) for name, words in lists.items()})
        return cls(stoplists, StopwordIndex.from_dict({word: tuple(names) for word, names in index.items() if len(names) <= MAX_SHARED}))

    def encode(self) -> tuple:
        """Marshal-able values: the stoplists' texts, the groups of names, and the index's buckets as they are."""
        return dict(self.stoplists.words), [list(names) for names in self.index.groups], self.index.words, self.index.ids

    @classmethod
    def decode(cls, payload: object) -> Stopwords:
        words, groups, buckets, ids = payload  # type: ignore[misc]
        if not isinstance(words, dict) or not all(isinstance(text, str) for text in words.values()):
            raise StaleCache("stoplists of the wrong shape")
        names = [tuple(group) for group in groups]
        if not all(group and set(group) <= words.keys() for group in names) or not sound_buckets(buckets, ids, len(names)):
            raise StaleCache("a stopword index of the wrong shape")
        return cls(Stoplists(words), StopwordIndex(names, buckets, ids))


def sound_buckets(words: list[str], ids: list[str], groups: int) -> bool:
    """`BUCKETS` buckets, each of newline-ended words with one group number (below `groups`) per word.

    Checked a whole list at a time (C loops): the cache is read at every start.
    """
    if len(words) != BUCKETS or len(ids) != BUCKETS or list(map(str.count, words, repeat("\n"))) != list(map(len, ids)):
        return False
    if not all(map(str.endswith, filter(None, words), repeat("\n"))):
        return False
    numbers = "".join(ids)
    return not numbers or groups > 0 and re.search(f"[^\\0-{re.escape(chr(groups - 1))}]", numbers) is None


def justext_files() -> list[Path]:
    """jusText's stoplist files (sorted) and its stoplist reader, found without importing jusText."""
    spec = importlib.util.find_spec("justext")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("justext is not installed")
    package = Path(spec.origin).parent
    return [*sorted((package / "stoplists").glob("*.txt")), package / "utils.py", package / "__init__.py"]


@lru_cache(maxsize=1)
def stopwords() -> Stopwords:
    """The stoplists and the stopword index, built once per process (from the user's cache when it is current)."""
    return cached("justext-stopwords", "justext", [*justext_files(), Path(__file__)],
                  Stopwords.from_justext, Stopwords.encode, Stopwords.decode)


def stoplists() -> Stoplists:
    """Every jusText stoplist by name."""
    return stopwords().stoplists


def stopword_index() -> StopwordIndex:
    """Each stopword that tells languages apart to the languages whose stoplist has it."""
    return stopwords().index
