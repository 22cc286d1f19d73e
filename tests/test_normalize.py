import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.normalize import (
    MAX_CHARACTER_PASSES, MOJIBAKE_HINT, UNICODE_SPACES, collapse_spaces, compose_unicode, has_mojibake_hint, normalize,
    remove_invisible, repair_mojibake,
    settled_characters, unify_line_breaks,
)

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


def settled_by_every_pass(text: str) -> str:
    """`settled_characters` as it was before a pass could settle the text: passes until one changes nothing."""
    for _ in range(MAX_CHARACTER_PASSES):
        settled = collapse_spaces(remove_invisible(compose_unicode(repair_mojibake(unify_line_breaks(text)))))
        if settled == text:
            break
        text = settled
    return text


# The characters each step acts on, so that random text meets every step and their interplay.
TRICKY = (
    " \t\n\r\u00a0\u2000\u2003\u3000\u2028\u0085\x0b\x0c\x1c\x1f\x00\x07\u200b\u00ad\ufeff"  # white space, breaks, invisible
    "\u00c3\u00a9\u00e2\u20ac\u0153\u00c2\u00bb\u00f4\u2122\u0161"  # mojibake leads and continuations
    "e\u0301A\u0302\u1100\u1161\u0338=\u212b"  # what NFC composes (and a singleton)
    "ab.\u00e9\u0436"
)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(TRICKY), max_size=40))
def test_a_pass_that_only_changed_layout_settles_the_text(text: str) -> None:
    """The settled text is the one passes until nothing changes give (`only_layout_changed` spares the last)."""
    assert settled_characters(text) == settled_by_every_pass(text)


@pytest.mark.parametrize("text", [
    "caf\u00e9  au\u00a0lait \n  next",  # white space only: one pass
    "\u00a0\u00dc\x86",  # the leading no-break space changes ftfy's reading: the mark is there, every pass runs
    "Ã\u200b©",  # removing the invisible character makes the mark
    "A\u0302\u00a9 x ",  # composing makes the mark
])
def test_settled_characters_matches_every_pass_on_the_interplays(text: str) -> None:
    assert settled_characters(text) == settled_by_every_pass(text)


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.sampled_from(TRICKY + "\ud800\udfff"), max_size=30))
def test_re2_finds_the_mark_of_mojibake_where_python_s_engine_does(text: str) -> None:
    assert has_mojibake_hint(text) == (MOJIBAKE_HINT.search(text) is not None)


def test_character_marks_name_the_steps_that_could_change_the_text() -> None:
    from cleaner.normalize import INVISIBLE_MARK, LINE_BREAK_MARK, MOJIBAKE_MARK, SPACING_MARK, character_marks

    assert character_marks("Plain text, one line.\nAnother.") == frozenset()
    assert character_marks("a\r\nb") == {LINE_BREAK_MARK}
    assert character_marks("caf\u00c3\u00a9") == {MOJIBAKE_MARK}
    assert character_marks("zero\u200bwidth") == {INVISIBLE_MARK}
    for spaced in ("a  b", "a\tb", "a \nb", "a\n b", " a", "a ", "a\u00a0b", "a\u3000b"):
        assert character_marks(spaced) == {SPACING_MARK}
    assert character_marks("lone \ud800 surrogate") is None


def test_skipping_the_steps_marks_rule_out_changes_no_text(monkeypatch) -> None:
    """`settled_characters` against the same passes with every step run (no marks), on texts made of what the steps look for."""
    import random

    import cleaner.normalize as normalize_module

    pieces = ["a", "b ", " ", "  ", "\n", "\t", "\r", "\u0085", "\u2028", "Ã©", "â€", "\u009d", "Â", "\u00a0", "\u200b",
              "\u00ad", "\x07", "e\u0301", "\u3000", "é", "’", "\ud800"]
    rng = random.Random(15)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 10))) for _ in range(3000)]
    marked = [normalize_module.settled_characters(text) for text in texts]
    monkeypatch.setattr(normalize_module, "character_marks", lambda text: None)
    assert marked == [normalize_module.settled_characters(text) for text in texts]
