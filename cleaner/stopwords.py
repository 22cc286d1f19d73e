"""jusText's stoplists and the index of the stopwords that tell languages apart, loaded from the user's cache.

Reading jusText's 100 stoplists and indexing their 178,000 words takes
about a second at every start of a process. Both come from `cache.py`,
keyed by the stoplist files, jusText's reader (`justext/utils.py`) and this
module: rebuilt from the files when any of them changes, and otherwise
read back in a few hundredths of a second. jusText itself is only imported
to build them. A stoplist becomes a set when it is first asked for.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from cleaner.cache import StaleCache, cached

# A stopword shared by more stoplists than this says nothing about the language.
MAX_SHARED = 30


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


@dataclass(frozen=True)
class Stopwords:
    """The stoplists, and each stopword shared by at most `MAX_SHARED` of them mapped to the stoplists holding it."""

    stoplists: Stoplists
    index: dict[str, tuple[str, ...]]

    @classmethod
    def from_justext(cls) -> Stopwords:
        import justext

        lists = {name: justext.get_stoplist(name) for name in sorted(justext.get_stoplists())}
        index: dict[str, list[str]] = {}
        for name, words in lists.items():
            for word in words:
                index.setdefault(word, []).append(name)
        stoplists = Stoplists({name: "".join(word + "\n" for word in sorted(words)) for name, words in lists.items()})
        return cls(stoplists, {word: tuple(names) for word, names in index.items() if len(names) <= MAX_SHARED})

    def encode(self) -> tuple:
        """Marshal-able values: the stoplists' texts, and the index as groups of newline-ended words with their names."""
        groups: dict[tuple[str, ...], list[str]] = {}
        for word, names in self.index.items():
            if "\n" in word:
                raise ValueError("a stopword holds a newline")
            groups.setdefault(names, []).append(word)
        return dict(self.stoplists.words), [(list(names), "".join(w + "\n" for w in words)) for names, words in groups.items()]

    @classmethod
    def decode(cls, payload: object) -> Stopwords:
        words, groups = payload  # type: ignore[misc]
        if not isinstance(words, dict) or not all(isinstance(text, str) for text in words.values()):
            raise StaleCache("stoplists of the wrong shape")
        index: dict[str, tuple[str, ...]] = {}
        for names, joined in groups:
            names = tuple(names)
            if not names or not set(names) <= words.keys():
                raise StaleCache("a stopword index of the wrong shape")
            index.update(dict.fromkeys(joined.split("\n")[:-1], names))
        return cls(Stoplists(words), index)


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


def stopword_index() -> dict[str, tuple[str, ...]]:
    """Each stopword that tells languages apart to the languages whose stoplist has it."""
    return stopwords().index
