import sys

import pytest

from cleaner.normalize import UNICODE_SPACES, normalize

CASES = [
    # (input, expected, why)
    ("a\r\nb\rc", "a\nb\nc", "Windows and old Mac line endings"),
    ("  indented\t\ttext  \nnext ", "indented text\nnext", "in-line white space collapsed, lines stripped"),
    ("a\n\n\n\n\nb", "a\n\nb", "blank-line runs become one paragraph break"),
    ("no\u00a0break\u2003em\u3000ideographic", "no break em ideographic", "Unicode spaces become plain spaces"),
    ("zero\u200bwidth\ufeff and\x00 nul\x1b", "zerowidth and nul", "invisible and control characters dropped"),
    ("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "ZWNJ inside a Persian word is kept"),
    ("cafe\u0301", "caf\u00e9", "NFC composition"),
    ("SchÃ¶ne GrÃ¼ÃŸe aus KÃ¶ln", "Schöne Grüße aus Köln", "UTF-8 read as cp1252 is repaired"),
    ("Ã¢â‚¬Å“double mojibakeÃ¢â‚¬\x9d", "\u201cdouble mojibake\u201d", "mojibake applied twice is repaired"),
    ("Plain ASCII stays exactly as it is.", "Plain ASCII stays exactly as it is.", "fast path"),
    ("Ελληνικά και русский текст", "Ελληνικά και русский текст", "correct non-Latin text is untouched"),
    ("line\u2028separator", "line\nseparator", "Unicode line separator"),
]


@pytest.mark.parametrize("text, expected, why", CASES, ids=[case[2] for case in CASES])
def test_normalize(text: str, expected: str, why: str) -> None:
    assert normalize(text) == expected


def test_normalize_is_idempotent() -> None:
    for text, _, _ in CASES:
        once = normalize(text)
        assert normalize(once) == once


def test_a_leading_no_break_space_does_not_hide_mojibake_from_the_first_pass() -> None:
    """Found by the fuzz test: with the no-break space in front, ftfy read the line one way; once the space was
    stripped, a second normalisation read it another."""
    once = normalize("\u00a0\u00dc\x86")
    assert normalize(once) == once


@pytest.mark.parametrize("space", list(UNICODE_SPACES), ids=[f"U+{ord(c):04X}" for c in UNICODE_SPACES])
def test_every_unicode_space_becomes_a_plain_space(space: str) -> None:
    assert normalize(f"caf\u00e9{space}au lait") == "caf\u00e9 au lait"


def test_unicode_spaces_are_all_the_white_space_left_after_line_breaks_and_invisible_characters() -> None:
    """The fast check in `collapse_spaces` looks for these characters only: it must miss none."""
    others = {
        char for char in map(chr, range(sys.maxunicode + 1))
        if char.isspace() and not char.isascii() and normalize(f"a{char}b") not in ("a\nb", "ab")
    }
    assert others == set(UNICODE_SPACES)
