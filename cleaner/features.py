"""Small, pure measurements of a line of text, shared by rules and heuristics."""

from __future__ import annotations

import re

# Sentence ends, with closing quotes and brackets after them (C4's rule, widened
# to the punctuation of CJK, Arabic, Devanagari and Greek text).
SENTENCE_END = re.compile(r"[.!?…。！？؟।;](?:[\"'”’»)\]]*)$")
PROSE_MIN_WORDS = 8
LONG_PROSE_WORDS = 20


def ends_sentence(text: str) -> bool:
    """True when the line ends like a sentence.

    >>> ends_sentence('He said “no.”'), ends_sentence("Related stories")
    (True, False)
    """
    return SENTENCE_END.search(text) is not None


def is_prose(text: str, words: int | None = None) -> bool:
    """A line that reads like running text: a sentence of 8 words or more, or any line of 20.

    >>> is_prose("The harbour reopened on Monday after three months of repairs."), is_prose("Apple HomeKit erweitern: Homebridge in wenigen Schritten einrichten")
    (True, False)
    """
    n = len(text.split()) if words is None else words
    return n >= LONG_PROSE_WORDS or (n >= PROSE_MIN_WORDS and ends_sentence(text))
