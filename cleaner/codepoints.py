"""A text as an array of code points, and per-code-point tests memoised over all of Unicode.

Language detection counts a sample's letters and signing finds a text's
words a character class at a time; with NumPy both work on the text's code
points at once, and each code point's class is worked out with the regular
expression only the first time a process meets it.
"""

from __future__ import annotations

import re
import sys

import numpy as np


def code_points(text: str) -> np.ndarray:
    """The code points of `text` (uint32; lone surrogates kept as they are)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


class CodePointTest:
    """Which code points one character `pattern` matches, each looked up once per instance.

    The memo is an array over all code points (1.1 MB of address space) of
    which only the pages holding the code points met are ever touched: 0 not
    yet met, 1 no match, 2 a match.

    >>> test = CodePointTest(re.compile(r"[^\\W\\d_]"))
    >>> test.matches(code_points("a1 é")).tolist()
    [True, False, False, True]
    """

    def __init__(self, pattern: re.Pattern) -> None:
        self.pattern = pattern
        self._kinds = np.zeros(sys.maxunicode + 1, dtype=np.uint8)

    def matches(self, codes: np.ndarray) -> np.ndarray:
        """A boolean array: whether `pattern` matches each of `codes`."""
        kinds = self._kinds[codes]
        if not kinds.all():
            for code in set(codes[kinds == 0].tolist()):
                self._kinds[code] = 2 if self.pattern.match(chr(code)) else 1
            kinds = self._kinds[codes]
        return kinds == 2
