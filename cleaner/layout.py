"""Where an extracted line stands in its page: what the page's markup says about a line of text.

An extractor gives text, and the text no longer shows what the page's
markup showed: that a line is a link. The page's tree (the one the
extractor was given; trafilatura works on a copy) still does, so each
doubtful line is looked up in it: its text is found among the tree's text
nodes (compared by letters and digits only, case folded, so that white
space, punctuation and the extractor's joins do not matter), and the
element that holds it is the line's place in the page.

`heuristic.link-paragraph-v1`: a paragraph (or a heading) whose text is
mostly the text of links, short and not ending like a sentence, is an inline
pointer to another page ("Read also: ...", "Lea también: ...", a related
story's title between two paragraphs, a newsletter button), not the
article's text. trafilatura keeps such paragraphs because they stand inside
the article's container. List items and table rows stay (an article's own
list of links, a table of products, is content), and so do bare URLs and
addresses (a reference the article gives); a line whose text also stands
elsewhere in the page outside a link (a headline repeated as a link in the
breadcrumb) is not taken for a link.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cleaner.document import Line
from cleaner.features import CLOSERS

if TYPE_CHECKING:
    from lxml.html import HtmlElement

LINK_PARAGRAPH = "heuristic.link-paragraph-v1"

URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)
# trafilatura writes list items and table rows with these marks.
STRUCTURED = ("- ", "| ", "* ")
# The elements whose text makes one paragraph of an extractor's output.
BLOCKS = frozenset({
    "p", "div", "li", "dd", "dt", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section",
    "article", "aside", "header", "footer", "figcaption", "pre", "address", "form", "main", "body",
})
# Their text is not the page's text.
UNSEEN = frozenset({"script", "style", "noscript", "template"})


@dataclass(frozen=True, slots=True)
class LinkParagraphs:
    """When a line is a link to another page rather than the article's text.

    min_share
        Of its paragraph's letters and digits, at least this share stands
        inside links.
    max_words
        It has at most this many words (a paragraph of prose with a link in
        it is longer).
    probe_chars
        The line is found in the page by its first this many letters and
        digits.
    max_places
        Its text is looked for at this many places in the page at most: a
        line is a link only where every place it stands is one.
    block_chars
        The paragraph that holds it has at most this many times its
        characters (and `probe_chars` more): a line that is a small part of
        a larger element's text is not judged by that element's links.
    """

    min_share: float = 0.5
    max_words: int = 25
    probe_chars: int = 64
    max_places: int = 8
    block_chars: int = 3


LINK_PARAGRAPHS = LinkParagraphs()


def fold(text: str) -> str:
    """How a line and the page's text are compared: white space collapsed, case folded.

    >>> fold("Read also:  The Harbour\\n reopened!")
    'read also: the harbour reopened!'
    """
    return " ".join(text.split()).casefold()


class LinkTexts:
    """The folded text of every link in the page (`fold`), each once, shortest first.

    A link with no child element (most links) gives its text in one XPath
    search; only the others are asked for their whole text.
    """

    def __init__(self, tree: HtmlElement) -> None:
        keys = {fold(text) for text in tree.xpath("//a[not(*)]/text()", smart_strings=False)}
        keys.update(fold(link.text_content()) for link in tree.xpath("//a[*]"))
        keys.discard("")
        self.keys = sorted(keys, key=len)
        self.lengths = [len(key) for key in self.keys]

    def held(self, line_key: str, least: float) -> bool:
        """Whether a folded line holds a link text of `least` characters or more.

        >>> from lxml.html import fromstring
        >>> links = LinkTexts(fromstring("<p><a href=/>Home</a> <a href=/h><b>The Harbour</b> reopens</a></p>"))
        >>> links.held("read also: the harbour reopens", 15), links.held("home, sweet home", 8)
        (True, False)
        """
        first = bisect_left(self.lengths, least)
        last = bisect_right(self.lengths, len(line_key))
        return any(key in line_key for key in self.keys[first:last])


def places(tree: HtmlElement, text: str, line_key: str, config: LinkParagraphs) -> list[HtmlElement]:
    """The paragraphs (`block_of`) that hold a line of text, at most `config.max_places` of them.

    The text nodes that hold the line's longest word are found with one
    XPath search; a node's paragraph holds the line when its folded text
    holds the line's first `probe_chars` folded characters and is not many
    times longer than the line (then the line is one part of a larger
    block's text, and the block's links say little about it).
    """
    word = max(text.split(), key=len)
    probe_chars, limit = config.probe_chars, config.max_places
    max_chars = config.block_chars * len(text) + config.probe_chars
    probe = line_key[:probe_chars]
    found: list[HtmlElement] = []
    for piece in tree.xpath("//text()[contains(., $word)]", word=word):
        holder = piece.getparent()
        if piece.is_tail:
            holder = holder.getparent()
        if holder is None or holder.tag in UNSEEN:
            continue
        block = block_of(holder)
        if block in found:
            continue
        text_of_block = block.text_content()
        if len(text_of_block) <= max_chars and probe in fold(text_of_block):
            found.append(block)
            if len(found) >= limit:
                break
    return found


def block_of(element: HtmlElement) -> HtmlElement:
    """The element, or its nearest ancestor, that makes a paragraph of text (`BLOCKS`)."""
    block = element
    while block.tag not in BLOCKS:
        parent = block.getparent()
        if parent is None:
            return block
        block = parent
    return block


def link_share(block: HtmlElement) -> float:
    """The share of a paragraph's letters and digits that stand inside links (1.0 when the paragraph is inside one).

    >>> from lxml.html import fromstring
    >>> page = fromstring("<div><p>Read also: <a href='/x'>The harbour reopens</a></p><p>Plain text here.</p></div>")
    >>> round(link_share(page[0]), 2), link_share(page[1])
    (0.63, 0.0)
    """
    if any(ancestor.tag == "a" for ancestor in block.iterancestors()):
        return 1.0
    total = len(fold(block.text_content()))
    if not total:
        return 0.0
    linked = sum(len(fold(link.text_content())) for link in block.iter("a") if link is not block)
    return min(1.0, linked / total)


def may_be_link(text: str, config: LinkParagraphs) -> bool:
    """A short line that is not a list item, a table row or a URL, and does not end like a sentence."""
    return (
        len(text.split()) <= config.max_words
        and not text.startswith(STRUCTURED)
        and not text.rstrip(CLOSERS).endswith(".")
        and URL.search(text) is None
    )


def mark_link_paragraphs(lines: list[Line], tree: HtmlElement | None, config: LinkParagraphs = LINK_PARAGRAPHS) -> list[Line]:
    """`lines` with every kept line that is a link paragraph in `tree` removed as `LINK_PARAGRAPH`, its share in the note."""
    candidates = [line for line in lines if line.removed_by is None and may_be_link(line.text, config)]
    if tree is None or not candidates:
        return lines
    links = LinkTexts(tree)
    for line in candidates:
        line_key = fold(line.text)
        if not line_key or not links.held(line_key, config.min_share * len(line_key)):
            continue
        blocks = places(tree, line.text, line_key, config)
        if not blocks:
            continue
        share = min(map(link_share, blocks))
        if share >= config.min_share:
            line.removed_by = LINK_PARAGRAPH
            line.note = f"a paragraph that is a link ({share:.0%} of its text)"
    return lines
