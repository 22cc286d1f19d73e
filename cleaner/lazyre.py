"""Regular expressions compiled when first used, for the character classes of scripts most text never meets.

Python compiles a character class one code point at a time (`re._compiler`
fills a table entry per character of each range), so a class over the Han,
kana and Hangul blocks (60,000 code points) takes 5 to 8 ms to compile, and
the cleaner's seven such classes took 50 ms of every start. They are
matched only on lines outside ASCII (and most only once a line is found to
hold such a script), so a run over Latin-script text never needs them.
"""

from __future__ import annotations

import re
from typing import Any

# The methods of `re.Pattern` a lazy pattern stands in for; after the first use each is the compiled
# pattern's own bound method, looked up as fast as a module-level pattern's.
METHODS = ("search", "match", "fullmatch", "findall", "finditer", "sub", "subn", "split")


class LazyPattern:
    """`re.compile(pattern, flags)`, done at the first call of one of its methods (`METHODS`)."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags

    def __getattr__(self, name: str) -> Any:
        """Called only for a name not set yet: compile, and keep the compiled pattern's methods."""
        if name not in METHODS:
            raise AttributeError(name)
        compiled = re.compile(self.pattern, self.flags)
        for method in METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r})"
