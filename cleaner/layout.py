"""What the page's markup says about an extracted line: whether it is a link to another page.

An extractor gives text, and the text no longer shows what the markup
showed: that a paragraph is a link. The page's tree (the one the extractor
was given; trafilatura works on a copy) still does. One walk over the
page's links finds the paragraphs and headings (and, for older and table
layouts, the `<div>`, table cell or definition item) that hold a link or
stand inside one; each gives its text (white space collapsed, case folded: `extract.folded`) and the share of
it that is link text. An extracted line whose folded text is one of those
texts is that paragraph.

`heuristic.link-paragraph-v1`: a paragraph or a heading whose text is
mostly link text, short and not ending like a sentence, is an inline pointer
to another page ("Read also: ...", "Lea también: ...", a related story's
title between two paragraphs, a newsletter button), not the article's text.
trafilatura keeps such paragraphs when they stand inside the article's
container. List items and table rows stay (an article's own list of links,
a table of products, is content; they are not paragraphs), and so do bare
URLs and addresses (a reference the article gives); a line that a heading
without a link also reads (a heading a table of contents links to) is not
taken for a link.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cleaner.document import Line
from cleaner.extract import folded
from cleaner.features import CLOSERS

if TYPE_CHECKING:
    from lxml.html import HtmlElement

LINK_PARAGRAPH = "heuristic.link-paragraph-v1"

URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)
# trafilatura writes list items and table rows with these marks.
STRUCTURED = ("- ", "| ", "* ")
PARAGRAPHS = ("p", "h1", "h2", "h3", "h4", "h5", "h6")
# Elements that make one paragraph of an extractor's text in older and table layouts.
BLOCKS = (*PARAGRAPHS, "div", "td", "dd", "dt")


@dataclass(frozen=True, slots=True)
class LinkParagraphs:
    """When a line is a link to another page rather than the article's text.

    min_share
        Of its paragraph's characters (white space collapsed), at least this
        share stands inside links. On trafilatura-eval html (with the second
        extractor; TP/FP against none): 0.5 -4/-28, 0.7 -3/-26 (measured
        on each line's nearest block; `div`, `td`, `dd` and `dt` besides
        `p` and headings: zh-news 0.9271 -> 0.9275, the others unchanged).
    max_words
        It has at most this many words (a paragraph of prose with a link in
        it is longer): 20, 25 and 30 removed the same lines there.
    max_chars
        Paragraphs longer than this are not looked at (no line of
        `max_words` is as long).
    max_children
        Nor are those with more child elements than this: a container of
        many (a `<div>` holding the article) is no paragraph, and its whole
        text would cost its length to read.
    """

    min_share: float = 0.5
    max_words: int = 25
    max_chars: int = 400
    max_children: int = 8


LINK_PARAGRAPHS = LinkParagraphs()


def link_share(block: HtmlElement, text: str, inside_link: bool = False) -> float:
    """The share of a paragraph's folded `text` that its links hold (1.0 when it stands inside a link).

    >>> from lxml.html import fromstring
    >>> page = fromstring("<div><p>Read also: <a href='/x'>The harbour reopens</a></p><p>Plain text here.</p></div>")
    >>> round(link_share(page[0], folded(page[0].text_content())), 2), link_share(page[1], "plain text here.")
    (0.63, 0.0)
    """
    if not text:
        return 0.0
    if inside_link:
        return 1.0
    linked = sum(len(folded(link.text_content())) for link in block.iter("a"))
    return min(1.0, linked / len(text))


def linked_blocks(tree: HtmlElement, among: Collection[str] | None = None) -> dict[HtmlElement, bool]:
    """The paragraphs and headings with a link in them (False) or around them (True), in one walk over the links.

    A link that stands in none of them is its own paragraph (True). With
    `among` (folded texts), only the links that can make a paragraph of one
    of those texts are followed (`may_make`): finding a link's paragraph is
    most of this walk's cost, and most of a page's links are in menus.
    """
    blocks: dict[HtmlElement, bool] = {}
    haystack = "\n".join(among) if among is not None else ""
    for link in tree.iter("a"):
        if among is not None and not may_make(link, among, haystack):
            continue
        block = next(link.iterancestors(*BLOCKS), None)
        if block is not None:
            blocks.setdefault(block, False)
        else:  # a link in no block (a menu's `<nav><a>`) is a paragraph of its own to an extractor
            blocks[link] = True
        if len(link):
            for inner in link.iter(*BLOCKS):
                blocks[inner] = True
    return blocks


def may_make(link: HtmlElement, among: Collection[str], haystack: str) -> bool:
    """Whether `link` can stand in (or around) a paragraph whose folded text is one of `among` (joined in `haystack`).

    A paragraph's text holds the text of every link in it, and a paragraph
    inside a link is part of the link's text.
    """
    text = folded(link.text_content())
    return text in haystack or (len(link) > 0 and any(key in text for key in among))


def linked_paragraphs(tree: HtmlElement, config: LinkParagraphs = LINK_PARAGRAPHS,
                      among: Collection[str] | None = None) -> dict[str, float]:
    """The folded text of every paragraph or heading with a link in or around it, and its `link_share`.

    A text that stands in several such paragraphs gets the smallest share.
    With `among`, only the paragraphs whose text is one of those are measured.

    >>> from lxml.html import fromstring
    >>> linked_paragraphs(fromstring("<div><p><a href=/t>Tide tables</a></p><p>More: <a href=/f>Ferry news</a></p></div>"))
    {'tide tables': 1.0, 'more: ferry news': 0.625}
    """
    shares: dict[str, float] = {}
    for block, inside_link in linked_blocks(tree, among).items():
        if len(block) > config.max_children:
            continue
        text = block.text_content()
        if len(text) > config.max_chars:
            continue
        key = folded(text)
        if among is not None and key not in among:
            continue
        share = link_share(block, key, inside_link)
        shares[key] = min(share, shares.get(key, share))
    return shares


def unlinked_headings(tree: HtmlElement) -> set[str]:
    """The folded text of every heading with no link in it or around it (a table of contents may link to it).

    >>> from lxml.html import fromstring
    >>> unlinked_headings(fromstring("<div><h2>Tide tables</h2><h3><a href=/x>Ferry news</a></h3></div>"))
    {'tide tables'}
    """
    headings = PARAGRAPHS[1:]
    return {
        folded(heading.text_content()) for heading in tree.iter(*headings)
        if heading.find(".//a") is None and next(heading.iterancestors("a"), None) is None
    }


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
    keys = {folded(line.text) for line in candidates}
    shares = linked_paragraphs(tree, config, keys)
    found = [(line, share) for line in candidates if (share := shares.get(folded(line.text), 0.0)) >= config.min_share]
    headings = unlinked_headings(tree) if found else set()
    for line, share in found:
        if folded(line.text) not in headings:
            line.removed_by = LINK_PARAGRAPH
            line.note = f"a paragraph that is a link ({share:.0%} of its text)"
    return lines
