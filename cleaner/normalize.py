"""Pure `str -> str` normalisation of decoded text.

Each function does one thing and is safe to run on any text; `normalize`
chains them in the order that matters (repair bytes first, then characters,
then layout). ASCII-only text skips the Unicode steps, which keeps the
common case cheap.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# A lead byte of a UTF-8 sequence read as Latin-1/cp1252, followed by a
# continuation byte read the same way: the mark of mojibake. Checking for the
# rarer continuation character alone first keeps clean text cheap, and the
# whole check spares ftfy's costlier analysis.
CONTINUATION = (
    "[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
MOJIBAKE_CONTINUATION = re.compile(CONTINUATION)
MOJIBAKE_HINT = re.compile("[\u00c2-\u00f4]" + CONTINUATION)
LINE_BREAK_CHARS = "\r\u2028\u2029\u0085\u000b\u000c"
LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029\u0085\u000b\u000c]")
# C0 and C1 controls except tab and newline, and invisible characters that
# carry no meaning in running text. Zero-width joiner and non-joiner (U+200C,
# U+200D) are kept: they change spelling in Persian and Indic scripts and
# build emoji sequences.
INVISIBLE = re.compile("[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f\u00ad\u180e\u200b\u2060\u2061-\u2064\ufeff\ufff9-\ufffb]")
# White space other than the ASCII space and tab (str.split() splits on all of it). Tested one by one
# with `in`, which is several times faster than a regular expression over the whole text.
UNICODE_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
# "\n\n\n+" rather than "\n{3,}": the literal prefix lets the regex engine skip ahead.
BLANK_RUNS = re.compile("\n\n\n+")


def repair_mojibake(text: str) -> str:
    r"""Undo UTF-8 that was decoded as Latin-1 or cp1252, with ftfy, line by line.

    Only lines that show the mark of mojibake go through ftfy, which is
    costly on long text.

    >>> repair_mojibake("cafÃ© â€œquotedâ€\x9d\nclean line")
    'café “quoted”\nclean line'
    """
    return fixed_mojibake(text) if has_mojibake_hint(text) else text


def has_mojibake_hint(text: str) -> bool:
    """Whether `text` shows the mark of mojibake anywhere (`MOJIBAKE_HINT`): only then can `repair_mojibake` change it.

    The mark is searched for by RE2 in the text's UTF-8 (`mojibake_hint_bytes`):
    Python's engine tries the continuation class after every accented
    letter of a French or German text, and took 0.069 ms a page on
    trafilatura-eval html where RE2's automaton, with the encoding, takes
    0.030. A lone surrogate (`surrogatepass`) is no character of either
    class in both engines.
    """
    return (
        not text.isascii()
        and MOJIBAKE_CONTINUATION.search(text) is not None
        and mojibake_hint_bytes().search(text.encode("utf-8", "surrogatepass")) is not None
    )


@cache
def mojibake_hint_bytes():  # -> re2._Regexp
    """`MOJIBAKE_HINT` compiled by RE2, to search UTF-8 (compiled at its first use: most runs meet no text it is needed for)."""
    import re2  # here: an import `cleaner --help` need not pay

    return re2.compile(MOJIBAKE_HINT.pattern)


def fixed_mojibake(text: str) -> str:
    """`repair_mojibake`'s work: ftfy on each line that shows the mark."""
    # Imported here, not at the top: ftfy takes about 70 ms to import, and most documents never need it.
    import ftfy

    return "\n".join(ftfy.fix_encoding(line) if MOJIBAKE_HINT.search(line) else line for line in text.split("\n"))


def unify_line_breaks(text: str) -> str:
    r"""Every line break becomes a single "\n".

    >>> unify_line_breaks("a\r\nb\rc\u2028d")
    'a\nb\nc\nd'
    """
    if not any(char in text for char in LINE_BREAK_CHARS):
        return text
    return LINE_BREAKS.sub("\n", text)


def remove_invisible(text: str) -> str:
    """Drop control characters and zero-width characters that are not part of the text.

    >>> remove_invisible("zero\\u200bwidth\\x07 soft\\u00adhyphen")
    'zerowidth softhyphen'
    """
    return INVISIBLE.sub("", text)


def compose_unicode(text: str) -> str:
    """Unicode NFC, so the same word is always the same code points.

    >>> compose_unicode("cafe\\u0301") == "caf\\u00e9"
    True
    """
    if unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def collapse_spaces(text: str) -> str:
    """Tabs and Unicode spaces become one space; lines lose leading and trailing spaces.

    >>> collapse_spaces("  a\\t\\u00a0 b  \\n  c ")
    'a b\\nc'
    """
    if not _needs_space_fix(text):
        return text
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))


def _needs_space_fix(text: str) -> bool:
    """Cheap substring checks first: most documents need nothing done."""
    if "  " in text or "\t" in text or " \n" in text or "\n " in text or text[:1] == " " or text[-1:] == " ":
        return True
    return not text.isascii() and any(space in text for space in UNICODE_SPACES)


def collapse_blank_lines(text: str) -> str:
    """Runs of blank lines become one paragraph break; the text is stripped.

    >>> collapse_blank_lines("\\n\\na\\n\\n\\n\\nb\\n")
    'a\\n\\nb'
    """
    return BLANK_RUNS.sub("\n\n", text).strip("\n")


# Passes of the character steps at most: each pass can only shorten the text or leave it alone, and real
# text settles in one or two.
MAX_CHARACTER_PASSES = 4


def normalize(text: str) -> str:
    """All normalisation steps in order; normalising the result again changes nothing."""
    if text.isascii():
        text = collapse_spaces(remove_invisible(unify_line_breaks(text)))
    else:
        text = settled_characters(text)
    return collapse_blank_lines(text)


def settled_characters(text: str) -> str:
    r"""Line breaks, mojibake, NFC, invisible characters and spaces, repeated until a pass changes nothing.

    One pass is not always enough: removing a control character can join
    the two halves of a mojibake sequence or a letter and its combining
    accent, ftfy can give back a line break, and removing a line's leading
    no-break space can change ftfy's reading of the rest of the line.

    A pass whose only changes were line breaks and white space (no
    mojibake mark, nothing to compose, nothing invisible) settles the text:
    a pass over its result would change nothing, and is not made (see
    `only_layout_changed`). On trafilatura-eval html that spares the
    second pass of 965 of the 2,451 non-ASCII texts normalised (0.48 ->
    0.36 ms a page for this function).

    >>> settled_characters("Â"), settled_characters("e​́")
    ('€', 'é')
    """
    for _ in range(MAX_CHARACTER_PASSES):
        marks = character_marks(text)
        # A step whose input is still `text` is skipped when `marks` says it has nothing to do there: each step
        # gives back the very text it was given when it changes nothing, so the pass is the same.
        broken = unify_line_breaks(text) if marks is None or LINE_BREAK_MARK in marks else text
        if broken is text and marks is not None:
            hinted = MOJIBAKE_MARK in marks
        else:
            hinted = has_mojibake_hint(broken)
        composed = compose_unicode(fixed_mojibake(broken) if hinted else broken)
        visible = remove_invisible(composed) if composed is not text or marks is None or INVISIBLE_MARK in marks else composed
        settled = collapse_spaces(visible) if visible is not text or marks is None or SPACING_MARK in marks else visible
        if settled == text:
            break
        text = settled
        if only_layout_changed(broken, hinted, composed, visible):
            break
    return text


# What `character_marks` looks for, numbered as its set numbers them.
LINE_BREAK_MARK, MOJIBAKE_MARK, INVISIBLE_MARK, SPACING_MARK = range(4)


def character_marks(text: str) -> frozenset[int] | None:
    """Which of the character steps could change `text`, found in one RE2 set search of its UTF-8 (None for text with a lone surrogate).

    The marks: a line break other than "\\n" (`unify_line_breaks`), the mark
    of mojibake (`has_mojibake_hint`), an invisible character
    (`remove_invisible`) and spacing to collapse (`_needs_space_fix`), each
    the very test of its step. One pass over the text instead of one a step
    (a search each, and for spacing five substring searches and one a
    Unicode space): 0.12 -> 0.03 s over the 990 dev dumps.
    """
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: RE2 reads UTF-8 alone
        return None
    return frozenset(character_mark_set().Match(data) or ())


@cache
def character_mark_set():  # -> re2.Set
    """The patterns of `character_marks`, in the order of its marks (compiled at first use, as `mojibake_hint_bytes`)."""
    import re2

    options = re2.Options()
    options.log_errors = False
    marks = re2.Set.SearchSet(options)
    spacing = "  |\t| \n|\n |\\A | \\z|[" + UNICODE_SPACES + "]"
    for pattern in ("[" + LINE_BREAK_CHARS + "]", MOJIBAKE_HINT.pattern, INVISIBLE.pattern, spacing):
        marks.Add(pattern.encode("utf-8"))
    marks.Compile()
    return marks


def only_layout_changed(broken: str, hinted: bool, composed: str, visible: str) -> bool:
    """Whether a pass of `settled_characters` changed nothing but line breaks and white space, so that its result is settled.

    `broken` is the pass's text after `unify_line_breaks`, `hinted` whether
    it showed the mark of mojibake, `composed` after `compose_unicode` and
    `visible` after `remove_invisible`. With no mark, composition a no-op
    (`composed` is `broken`: both steps give back the text they were given
    when they change nothing) and nothing invisible removed, the pass's
    result is `collapse_spaces(broken)`, and the next pass would change
    none of it: it has no line break but "\\n" (every other one is white
    space, which `collapse_spaces` turns into a space); no mark of mojibake
    (a mark is two adjacent characters, neither of them white space, and
    collapsing white space only ever leaves a space or a line break between
    two characters it was between); it is still NFC (a space or a line
    break, which compose with nothing, stands where white space stood); it
    has nothing invisible; and `collapse_spaces` of its result is itself.
    """
    return not hinted and composed is broken and visible is composed
