"""What the page's markup says about an extracted line: whether it is a link to another page.

An extractor gives text, and the text no longer shows what the markup
showed: that a paragraph is a link. The page's tree (the one the extractor
was given: lxml's for trafilatura, which works on a copy; resiliparse's on
the fast path, after its pruning) still does. Both are read through
`PageTree` (`LxmlTree`, `DomTree`), so the two paths judge a line alike. One walk over the
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
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from cleaner.document import Line
from cleaner.extract import folded
from cleaner.features import CLOSERS, STRUCTURED

if TYPE_CHECKING:
    from lxml.html import HtmlElement
    from resiliparse.parse.html import HTMLTree

LINK_PARAGRAPH = "heuristic.link-paragraph-v1"

URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)
PARAGRAPHS = ("p", "h1", "h2", "h3", "h4", "h5", "h6")
# Elements that make one paragraph of an extractor's text in older and table layouts.
BLOCKS = (*PARAGRAPHS, "div", "td", "dd", "dt")
BLOCK_SELECTOR = ", ".join(BLOCKS)
BLOCK_TAGS = frozenset(BLOCKS)
LINK_TAG = frozenset(("a",))
HEADING_SELECTOR = ", ".join(PARAGRAPHS[1:])
ELEMENT_NODE = 1  # resiliparse's NodeType.ELEMENT (the DOM's node type number)


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


class PageTree(Protocol):
    """The few reads of a page's tree this module needs, for one parser (lxml: `LxmlTree`, resiliparse: `DomTree`)."""

    def links(self) -> Iterable: ...
    def text(self, element) -> str: ...
    def children(self, element) -> int: ...
    def block_around(self, link): ...
    def blocks_inside(self, link) -> Iterable: ...
    def links_inside(self, block) -> Iterable: ...
    def headings(self) -> Iterable: ...
    def has_link(self, element) -> bool: ...


class LxmlTree:
    """`PageTree` over lxml's tree of a page (the one trafilatura was given)."""

    def __init__(self, tree: HtmlElement) -> None:
        self.tree = tree

    def links(self) -> Iterable[HtmlElement]:
        return self.tree.iter("a")

    def text(self, element: HtmlElement) -> str:
        """`text_content()`; for an element with no child (most links: 72% on trafilatura-eval) its `.text`, the same string at half the cost."""
        return element.text_content() if len(element) else element.text or ""

    def children(self, element: HtmlElement) -> int:
        return len(element)

    def block_around(self, link: HtmlElement) -> HtmlElement | None:
        return next(link.iterancestors(*BLOCKS), None)

    def blocks_inside(self, link: HtmlElement) -> Iterable[HtmlElement]:
        return link.iter(*BLOCKS) if len(link) else ()

    def links_inside(self, block: HtmlElement) -> Iterable[HtmlElement]:
        return block.iter("a")

    def headings(self) -> Iterable[HtmlElement]:
        return self.tree.iter(*PARAGRAPHS[1:])

    def has_link(self, element: HtmlElement) -> bool:
        """A link in `element` or around it."""
        return element.find(".//a") is not None or next(element.iterancestors("a"), None) is not None


class DomTree:
    """`PageTree` over resiliparse's `HTMLTree` of a page (the fast path's, pruned): the same reads by CSS selectors.

    resiliparse gives the same node object for the same element, so its
    nodes key a dict as lxml's elements do.
    """

    def __init__(self, tree: HTMLTree) -> None:
        self.root = tree.document

    def links(self) -> Iterable:
        """The links outside list items.

        List items stay (the module's rule); trafilatura marks their lines
        ("- "), resiliparse does not, so here their links are left out of
        the walk, which is then a third as long on trafilatura-eval (most
        of a page's links are in menu and teaser lists). `values()`:
        iterating a DOMCollection makes its nodes one at a time (`second.prune`).
        """
        return self.root.query_selector_all("a:not(li a)").values()

    def text(self, element) -> str:
        return element.text or ""

    def children(self, element) -> int:
        return element.child_element_count

    def block_around(self, link):
        """The nearest ancestor of `link` that is one of `BLOCKS`: the walk up by tag gives what `closest(BLOCK_SELECTOR)` gave
        (all 26,877 links of trafilatura-eval's pruned pages) at 8 µs a link instead of 20 (lexbor matches ten selectors on each ancestor)."""
        return ancestor_tagged(link, BLOCK_TAGS)

    def blocks_inside(self, link) -> Iterable:
        return link.query_selector_all(BLOCK_SELECTOR).values() if link.child_element_count else ()

    def links_inside(self, block) -> Iterable:
        return block.query_selector_all("a").values()

    def headings(self) -> Iterable:
        return self.root.query_selector_all(HEADING_SELECTOR).values()

    def has_link(self, element) -> bool:
        """A link in `element` or around it."""
        return element.query_selector("a") is not None or element.tag == "a" or ancestor_tagged(element, LINK_TAG) is not None


def ancestor_tagged(node, tags: frozenset[str]):
    """The nearest element above `node` in resiliparse's tree whose tag is one of `tags`, None when there is none."""
    parent = node.parent
    while parent is not None and parent.type == ELEMENT_NODE:
        if parent.tag in tags:
            return parent
        parent = parent.parent
    return None


def page_tree(tree: HtmlElement | HTMLTree) -> PageTree:
    """`tree` (lxml's or resiliparse's, as `Extracted.page` holds it) as a `PageTree` (one already is returned as it is)."""
    if isinstance(tree, (LxmlTree, DomTree)):
        return tree
    return LxmlTree(tree) if hasattr(tree, "iter") else DomTree(tree)


def link_share(page: PageTree, block, text: str, inside_link: bool = False) -> float:
    """The share of a paragraph's folded `text` that its links hold (1.0 when it stands inside a link).

    >>> from lxml.html import fromstring
    >>> page = fromstring("<div><p>Read also: <a href='/x'>The harbour reopens</a></p><p>Plain text here.</p></div>")
    >>> tree = LxmlTree(page)
    >>> round(link_share(tree, page[0], folded(page[0].text_content())), 2), link_share(tree, page[1], "plain text here.")
    (0.63, 0.0)
    """
    if not text:
        return 0.0
    if inside_link:
        return 1.0
    linked = sum(len(folded(page.text(link))) for link in page.links_inside(block))
    return min(1.0, linked / len(text))


def linked_blocks(page: PageTree, among: Collection[str] | None = None) -> dict[object, bool]:
    """The paragraphs and headings with a link in them (False) or around them (True), in one walk over the links.

    A link that stands in none of them is its own paragraph (True). With
    `among` (folded texts), only the links that can make a paragraph of one
    of those texts are followed (`may_make`): finding a link's paragraph is
    most of this walk's cost, and most of a page's links are in menus.
    """
    blocks: dict[object, bool] = {}
    haystack = "\n".join(among) if among is not None else ""
    for link in page.links():
        if among is not None and not may_make(page, link, among, haystack):
            continue
        block = page.block_around(link)
        if block is not None:
            blocks.setdefault(block, False)
        else:  # a link in no block (a menu's `<nav><a>`) is a paragraph of its own to an extractor
            blocks[link] = True
        for inner in page.blocks_inside(link):
            blocks[inner] = True
    return blocks


def may_make(page: PageTree, link, among: Collection[str], haystack: str) -> bool:
    """Whether `link` can stand in (or around) a paragraph whose folded text is one of `among` (joined in `haystack`).

    A paragraph's text holds the text of every link in it, and a paragraph
    inside a link is part of the link's text. A link without text (an
    image's) adds nothing to a paragraph's link share, so it is not
    followed: about half the links a page's candidate lines let through.
    """
    text = folded(page.text(link))
    if not text:
        return False
    return text in haystack or (page.children(link) > 0 and any(key in text for key in among))


def linked_paragraphs(tree: HtmlElement | HTMLTree | PageTree, config: LinkParagraphs = LINK_PARAGRAPHS,
                      among: Collection[str] | None = None) -> dict[str, float]:
    """The folded text of every paragraph or heading with a link in or around it, and its `link_share`.

    `tree` is lxml's or resiliparse's (`page_tree`). A text that stands in
    several such paragraphs gets the smallest share. With `among`, only the
    paragraphs whose text is one of those are measured.

    >>> from lxml.html import fromstring
    >>> linked_paragraphs(fromstring("<div><p><a href=/t>Tide tables</a></p><p>More: <a href=/f>Ferry news</a></p></div>"))
    {'tide tables': 1.0, 'more: ferry news': 0.625}
    """
    page = page_tree(tree)
    shares: dict[str, float] = {}
    for block, inside_link in linked_blocks(page, among).items():
        if page.children(block) > config.max_children:
            continue
        text = page.text(block)
        if len(text) > config.max_chars:
            continue
        key = folded(text)
        if among is not None and key not in among:
            continue
        share = link_share(page, block, key, inside_link)
        shares[key] = min(share, shares.get(key, share))
    return shares


def unlinked_headings(tree: HtmlElement | HTMLTree | PageTree, among: Collection[str] | None = None) -> set[str]:
    """The folded text of every heading with no link in it or around it (a table of contents may link to it).

    With `among`, only the headings whose text is one of those are looked at.

    >>> from lxml.html import fromstring
    >>> unlinked_headings(fromstring("<div><h2>Tide tables</h2><h3><a href=/x>Ferry news</a></h3></div>"))
    {'tide tables'}
    """
    page = page_tree(tree)
    found = set()
    for heading in page.headings():
        key = folded(page.text(heading))
        if (among is None or key in among) and key not in found and not page.has_link(heading):
            found.add(key)
    return found


def may_be_link(text: str, config: LinkParagraphs) -> bool:
    """A short line that is not a list item, a table row or a URL, and does not end like a sentence."""
    return (
        len(text.split(None, config.max_words)) <= config.max_words  # the split stops after max_words: a paragraph is not cut into all its words
        and not text.startswith(STRUCTURED)
        and not text.rstrip(CLOSERS).endswith(".")
        and not (("://" in text or "www." in text or "@" in text) and URL.search(text) is not None)
    )


def mark_link_paragraphs(lines: list[Line], tree: HtmlElement | HTMLTree | None, config: LinkParagraphs = LINK_PARAGRAPHS) -> list[Line]:
    """`lines` with every kept line that is a link paragraph in `tree` (lxml's, resiliparse's or None) removed as `LINK_PARAGRAPH`, its share in the note."""
    candidates = [line for line in lines if line.removed_by is None and may_be_link(line.text, config)]
    if tree is None or not candidates:
        return lines
    page = page_tree(tree)
    keyed = [(line, folded(line.text)) for line in candidates]
    shares = linked_paragraphs(page, config, {key for _, key in keyed})
    found = [(line, key, share) for line, key in keyed if (share := shares.get(key, 0.0)) >= config.min_share]
    headings = unlinked_headings(page, {key for _, key, _ in found}) if found else set()
    for line, key, share in found:
        if key not in headings:
            line.removed_by = LINK_PARAGRAPH
            line.note = f"a paragraph that is a link ({share:.0%} of its text)"
    return lines
