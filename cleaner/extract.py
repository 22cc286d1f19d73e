"""Turn decoded input into a title, a body and page metadata.

HTML goes through trafilatura (or resiliparse, `--extractor resiliparse`),
which finds the main text; the page's title, canonical URL, date and site
name come from what the page declares. Text files have no markup: their
first line is the title when it reads as a headline. Nothing here knows
about rules or heuristics.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import compress, count, islice
from typing import TYPE_CHECKING, Protocol

from cleaner.errors import ConfigError, InputError
from cleaner.features import word_count
from cleaner.lazyre import LazyPattern
from cleaner.tables import unwrap_layout_tables

if TYPE_CHECKING:
    from lxml.html import HtmlElement
    from resiliparse.parse.html import HTMLTree

# A headline does not end like a sentence fragment or a list lead-in.
NOT_HEADLINE_END = re.compile(r"[.,;:\u3002\u060c]$")
LETTER = re.compile(r"[^\W\d_]")
# Where a page title joins its headline and the site's name: "Headline | Site", "Site - Headline".
TITLE_SEPARATOR = re.compile(r"\s+[|\-\u2013\u2014:\u00b7\u2022\u00ab\u00bb/]+\s+|\s*(?:[|\u00ab\u00bb_]|--+)\s*")
# Between the items of a menu or a breadcrumb.
MENU_SEPARATOR = re.compile(r"[|\u203a\u00bb\u2022\u00b7>/]")
# A line that opens like a byline, in a few languages.
BYLINE = re.compile(
    r"(?:by|von|par|por|door|av|af|przez|di|autor|author|posted|published|updated|written|publi\u00e9|"
    r"ver\u00f6ffentlicht|aktualisiert|publicado|pubblicato)\b|\u4f5c\u8005|\u6765\u6e90|\u53d1\u5e03",
    re.IGNORECASE,
)
# A date or a time: 12.03.2024, 2024-03-12, 12 March 2024, March 12, 2024, 10:42, 2024年3月.
DATELINE = re.compile(
    r"\b\d{1,4}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{1,2}:\d{2}\b|\b\d{1,2}\.?\s+[^\W\d_]+\.?,?\s+\d{4}\b"
    r"|\b[^\W\d_]+\.?\s+\d{1,2},?\s+\d{4}\b|\d{4}\s*\u5e74\s*\d{1,2}\s*\u6708"
)
CJK_CHAR = LazyPattern("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")  # compiled when first used (`lazyre`)
CLOSERS = "\"'\u201d\u2019\u00bb)]"
SENTENCE_ENDS = frozenset(".!?\u2026\u3002\uff01\uff1f\u061f\u0964")
# Page metadata from the markup the page declares. Each field's sources, most trusted first:
# a <meta> attribute and value (the field is in its `content`), or a source named below.
META_SOURCES = {
    "title": (("property", "og:title"), ("name", "twitter:title"), "first <h1>", "<head><title>"),
    "url": ("<link rel=canonical>", ("property", "og:url")),
    "date": (
        ("property", "article:published_time"), ("itemprop", "datePublished"), "itemprop datetime",
        ("name", "date"), "first <time datetime>",
    ),
    "sitename": (("property", "og:site_name"), ("name", "application-name")),
}
# Any element's `datetime` with itemprop="datePublished": a search of the whole tree, made only when needed.
ITEMPROP_DATETIME = '//*[@itemprop="datePublished"]/@datetime'
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
# Where a page's own markup starts: its doctype or its <html> tag.
PAGE_START = re.compile(r"<!doctype\s|<html[\s>]", re.I)
# The C0 control characters trafilatura removes before parsing (its INVALID_XML_CHARS less U+FFFE and U+FFFF), as bytes.
XML_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


@dataclass(frozen=True, slots=True)
class Headline:
    """What `reads_as_headline` takes for a headline: a line of at most `max_chars` characters and `max_words` words."""

    max_words: int = 30
    max_chars: int = 300


HEADLINE = Headline()


@dataclass(frozen=True, slots=True)
class RecordWrapper:
    """Where `page_markup` looks for a page's own markup behind a crawler's record wrapper."""

    # A crawler's record wrapper (`<text id="URL" title="...">`, a TREC `<DOC>` header) puts the page this
    # near the record's start; further in, an `<html` is in a script or a comment.
    max_chars: int = 2000


RECORD_WRAPPER = RecordWrapper()


@dataclass(frozen=True, slots=True)
class TitleSearch:
    """Where `split_title` looks for a text dump's headline, and what it takes for the first paragraph."""

    head_lines: int = 400  # the headline stands among the dump's first non-blank lines
    reach: int = 6  # and at most this many lines before the first paragraph
    min_words: int = 3  # a headline found by its position has this many words (`size`), at least
    prose_words: int = 10  # the first paragraph: a sentence of this many words
    long_words: int = 25  # or any line of this many
    body_words: int = 30  # the text begins with a paragraph that has this many words of prose within `reach` lines
    part_min_words: int = 2  # a part of the first line repeated further down is its headline from this many words (one is a brand, a section)
    site_max_words: int = 6  # a site name cut from the first line has at most this many words


TITLE_SEARCH = TitleSearch()


@dataclass(frozen=True, slots=True)
class FastFirst:
    """When trafilatura's fast mode (its main extractor alone) gives a page's text, without its fallback chain (`trafilatura_result`).

    trafilatura's full mode runs readability and jusText beside its main
    extractor and takes readability's text when it is over twice as long
    (or the main extractor's has no paragraph text), jusText's when the
    main text is short or holds leftover markup: a third of its time, on
    every page. On trafilatura-eval the fast and the full text are the same
    on 917 of 990 pages, on cleanportaleval 68 of 71, on zh-news 44 of 46.
    The fast text stands when it shows none of the signs that make the full
    mode differ:

    second_share
        It has at least this share of the second extractor's words
        (`second.words_of`): below, the main extractor lost much of what the
        page holds (the second opinion's own `short_share`). Catches 29 of
        trafilatura-eval's 73 differing pages.
    paragraph_ratio
        The page's `<p>` elements hold at most this many times the fast
        text's characters: readability builds its text from a page's
        paragraphs and wins at twice the main text (trafilatura's own
        ratio), so with less paragraph text it cannot. Catches
        cleanportaleval's 3 differing pages (at 2.5 none) and 34 of
        trafilatura-eval's.
    Both together send 129 of trafilatura-eval's 990 pages (catching 40 of
    the 73), 9 of cleanportaleval's 71 and 3 of zh-news's 46 to the full
    mode; HTML F1 in the README ("The second opinion").
    """

    second_share: float = 0.5
    paragraph_ratio: float = 2.0

    def enough_words(self, second_words: int) -> int:
        """The fewest words a fast body needs beside a second extractor's text of `second_words` words."""
        return math.ceil(self.second_share * second_words)


FAST_FIRST = FastFirst()


@dataclass(frozen=True, slots=True)
class Extracted:
    """What extraction found: the body text (lines, paragraphs apart) and metadata.

    `comments` holds the readers' comments the extractor found apart from the
    body (only when asked for them separately: `comments_field`). `page` is
    the page's parsed tree as the extractor was given it (lxml's, unchanged;
    resiliparse's, pruned, on the fast path; None when the extractor does
    not give it): `layout.py` looks lines up in it.
    `extractor` names the extractor that made the body when it is not the
    one that was asked (the fast path's fallback to trafilatura);
    `second_text` is then resiliparse's pruned main text of the page, read
    before it fell back, which the second opinion takes instead of reading
    resiliparse's text of the page again.
    """

    body: str
    title: str = ""
    url: str = ""
    date: str = ""
    sitename: str = ""
    comments: str = ""
    page: HtmlElement | HTMLTree | None = field(default=None, repr=False, compare=False)
    extractor: str = ""  # the extractor that made `body` when not the one asked ("" when it is): a fast path's fallback
    second_text: str | None = field(default=None, repr=False, compare=False)  # a fallback's resiliparse text, for the second opinion


class Extractor(Protocol):
    """The extractor seam: HTML in, body and metadata out; `name` is recorded in every document it makes.

    `extract` raises `InputError("no_main_text")` when the page has no main
    text. An extractor holds no state that depends on earlier pages, so its
    output does not depend on how pages are spread over workers.

    `comments_field` asks for the body as without `comments` and the
    comments apart, in `Extracted.comments`; the pipeline passes it only
    when `--comments field` is set.
    """

    name: str

    def extract(self, html: str, url: str = "", favor: str = "balanced", comments: bool = False,
                comments_field: bool = False) -> Extracted: ...


class Trafilatura:
    """trafilatura's main-text extraction (`extract_html`)."""

    name = "trafilatura"

    def extract(self, html: str, url: str = "", favor: str = "balanced", comments: bool = False,
                comments_field: bool = False, enough_words: int | None = None) -> Extracted:
        """`extract_html`; with `enough_words`, trafilatura's fast mode first (`trafilatura_result`)."""
        return extract_html(html, url=url, favor=favor, comments=comments, comments_field=comments_field,
                            enough_words=enough_words)


class Resiliparse:
    """resiliparse's main-content text (`second.resiliparse_text`), with the metadata the page declares.

    A differently built extractor (DOM heuristics, no fallback chain), about
    six times faster than trafilatura here and less exact on article pages
    (trafilatura-eval html F1 in README). It has no precision or recall
    mode, so `favor` is only the heuristics' business; with `comments` it
    keeps the comment sections it recognises.
    """

    name = "resiliparse"

    def extract(self, html: str, url: str = "", favor: str = "balanced", comments: bool = False,
                comments_field: bool = False) -> Extracted:
        """`comments_field` gives no comments apart: resiliparse has no separate comment text (the thread detector's lines still go to the field).

        A page where resiliparse finds less than `second.FAST_PATH.min_words`
        words is extracted by trafilatura instead (`extract_with_resiliparse`),
        with the comments as `comments` and `comments_field` ask.
        """
        return extract_with_resiliparse(html, url=url, favor=favor, comments=comments, comments_field=comments_field)


EXTRACTORS: dict[str, type] = {"trafilatura": Trafilatura, "resiliparse": Resiliparse}


def extractor_named(name: str) -> Extractor:
    """The extractor registered under `name`; an unknown name is a `ConfigError` listing the known ones."""
    try:
        return EXTRACTORS[name]()
    except KeyError:
        raise ConfigError(f"unknown extractor {name!r}; known extractors: {', '.join(EXTRACTORS)}") from None


def extract_html(html: str, url: str = "", favor: str = "balanced", comments: bool = False,
                 comments_field: bool = False, enough_words: int | None = None) -> Extracted:
    """Main text of an HTML page with trafilatura, and the metadata the page declares.

    With `comments`, the comments trafilatura finds follow the body;
    without, it leaves the comment sections it recognises out. With
    `comments_field` (and not `comments`), the body is the one without
    comments and trafilatura's comments come apart in `Extracted.comments`:
    trafilatura prunes the page differently when it looks for comments (the
    comment containers and, with comments found, some lists go from the
    fallback extractors' input), so the body of an extraction with comments
    is not the body without them, and a second extraction of a fresh tree
    (the first may change its tree) gives the comments.

    Raises `InputError("no_main_text")` when trafilatura finds no main text.
    The metadata comes from the page's own declarations (Open Graph, the
    canonical link, `<title>`, `<time>`): a few XPath look-ups on the tree
    trafilatura parses anyway, instead of trafilatura's metadata search,
    which would cost a third again of the extraction. trafilatura's own
    duplicate cache stays off: it depends on the order in which a process
    sees pages, which would make output depend on workers.

    With `enough_words`, trafilatura runs in its fast mode first and its
    fallback chain only when the fast body is shorter (`trafilatura_result`).
    """
    tree = parse_page(html)
    if tree is None:
        raise InputError("no_main_text", "the page could not be parsed as HTML")
    return extract_tree(tree, html, url, favor, comments, comments_field, enough_words=enough_words)


def extract_tree(tree: HtmlElement, html: str, url: str = "", favor: str = "balanced", comments: bool = False,
                 comments_field: bool = False, fast: bool = False, enough_words: int | None = None,
                 declared: tuple[str, str, str, str] | None = None) -> Extracted:
    """`extract_html` of a page already parsed (`parse_page`) into `tree`; its layout tables become blocks (`tables.py`), else it stays as it was.

    `fast` is trafilatura's: its main extractor alone, without the
    comparison with its fallback extractors. `enough_words` (without
    `fast`): see `trafilatura_result`. `declared` is the page's
    `declared_metadata` when the caller has read it already (the fast
    path's fallback, from resiliparse's tree), so that it is not read again.
    """
    if declared is None:
        declared = declared_metadata(tree, html)
    unwrap_layout_tables(tree)
    try:
        result = trafilatura_result(tree, url, favor, comments, fast, enough_words)
    except (ValueError, TypeError, AttributeError, LookupError) as exc:
        raise InputError("no_main_text", f"trafilatura could not parse the page ({type(exc).__name__})") from None
    body = (result.text or "") if result is not None else ""
    if comments and result is not None and result.comments:
        body = f"{body}\n{result.comments}"
    if not body.strip():
        raise InputError("no_main_text", "trafilatura found no main text in the page")
    comments_apart = separate_comments(html, url, favor) if comments_field and not comments else ""
    return with_declared_metadata(body, declared, url, comments_apart, page=tree)


def with_declared_metadata(body: str, declared: tuple[str, str, str, str], url: str, comments: str = "",
                           page: HtmlElement | HTMLTree | None = None) -> Extracted:
    """An extractor's body with the page's declared title, URL (when absolute, else `url`), ISO date and site name."""
    title, page_url, date, sitename = declared
    return Extracted(
        body=body,
        title=title,
        url=page_url if page_url.startswith(("http://", "https://")) else url,
        date=date[:10] if ISO_DATE.match(date) else "",
        sitename=sitename,
        comments=comments,
        page=page,
    )


def trafilatura_result(tree: HtmlElement, url: str, favor: str, comments: bool, fast: bool = False,
                       enough_words: int | None = None):  # -> trafilatura's Document | None
    """trafilatura's extraction of `tree`: in its fast mode first when `enough_words` is given, in full when that is short.

    trafilatura's full mode compares its main extractor's text with
    readability's and jusText's and takes theirs when its own looks short
    or unclean: a third of its time, spent on every page. The fast mode is
    the main extractor alone. On most pages the two give the same text
    (917 of trafilatura-eval's 990); where they do not, the main extractor
    found much less than the page holds, and so much less than the second
    extractor's text, or the page's paragraphs hold over twice its text
    (`FastFirst`). So when the fast body has at least `enough_words` words
    (`features.word_count`; the caller derives them from the second
    extractor's text, `FastFirst.enough_words`) and the paragraphs do not
    outweigh it, it is the result; otherwise, or when the fast mode finds
    nothing or fails, the page is extracted again in full (trafilatura works on a copy of `tree`,
    so the tree is as it was). Without `enough_words`, or with `fast`, one
    extraction in the mode `fast` names.
    """
    if enough_words is None or fast:
        return trafilatura_extraction(tree, url, favor, comments, fast)
    try:
        quick = trafilatura_extraction(tree, url, favor, comments, True)
    except (ValueError, TypeError, AttributeError, LookupError):
        quick = None
    text = (quick.text or "") if quick is not None else ""
    if text and word_count(text) >= enough_words and paragraph_chars(tree) <= FAST_FIRST.paragraph_ratio * len(text):
        return quick
    return trafilatura_extraction(tree, url, favor, comments, False)


def paragraph_chars(tree: HtmlElement) -> int:
    """Characters of the text of the page's `<p>` elements, white space collapsed (`FastFirst.paragraph_ratio`).

    >>> from lxml.html import fromstring
    >>> paragraph_chars(fromstring("<div><p>Tide  tables</p><p> Ferry <b>news</b></p></div>"))
    21
    """
    return sum(len(" ".join(paragraph.text_content().split())) for paragraph in tree.iter("p"))


def dom_paragraphs_within(tree, limit: float) -> bool:
    """Whether `paragraph_chars` of a page parsed by resiliparse (its `HTMLTree`) is at most `limit`, the white space collapsed only when the texts as they stand exceed it.

    Collapsing white space never lengthens a text, so texts within `limit`
    as they stand are within it collapsed: on trafilatura-eval the raw
    lengths decide 909 of the 912 pages that pass (0.26 -> 0.20 ms a page).

    >>> from resiliparse.parse.html import HTMLTree
    >>> tree = HTMLTree.parse("<div><p>Tide  tables</p><p> Ferry <b>news</b></p></div>")
    >>> dom_paragraphs_within(tree, 21), dom_paragraphs_within(tree, 20)
    (True, False)
    """
    texts = [paragraph.text or "" for paragraph in tree.document.query_selector_all("p").values()]
    return sum(map(len, texts)) <= limit or sum(len(" ".join(text.split())) for text in texts) <= limit


def trafilatura_extraction(tree: HtmlElement, url: str, favor: str, comments: bool, fast: bool = False):  # -> trafilatura's Document | None
    """trafilatura's `bare_extraction` of a parsed page, with the options every extraction here uses."""
    import trafilatura  # here: importing it takes a third of a second, which only processes that extract should pay

    return trafilatura.bare_extraction(
        tree,
        url=url or None,
        include_comments=comments,
        include_tables=True,
        deduplicate=False,
        favor_precision=favor == "precision",
        favor_recall=favor == "recall",
        fast=fast,
    )


def separate_comments(html: str, url: str, favor: str) -> str:
    """The comments trafilatura finds in a page ("" when none, or when it cannot parse the page).

    A forum's posts are its content: trafilatura routes them into the body
    and leaves `comments` empty, and so does this.
    """
    tree = parse_page(html)
    if tree is None:
        return ""
    unwrap_layout_tables(tree)
    try:
        result = trafilatura_extraction(tree, url, favor, True)
    except (ValueError, TypeError, AttributeError, LookupError):
        return ""
    return (result.comments or "") if result is not None else ""


def extract_with_resiliparse(html: str, url: str = "", favor: str = "balanced", comments: bool = False,
                             comments_field: bool = False) -> Extracted:
    """Main text of an HTML page with resiliparse, and the metadata the page declares (`dom_declared_metadata`).

    The page's record wrapper, if any, is cut off first (`page_markup`), as
    for trafilatura. The metadata is read from resiliparse's tree, then the
    tree is pruned of chrome (`second.FAST_PATH`) before resiliparse reads
    the main text. The page is not parsed by lxml: `Extracted.page` is
    resiliparse's pruned tree, in which `layout.py` looks for link
    paragraphs as it does in lxml's (lxml's parse took 5 ms a page, a fifth
    of the fast path).

    When resiliparse finds fewer than `FAST_PATH.min_words` words (none at
    all, or a box of chrome it took for the main content), or the pruned
    page's paragraphs hold over `FAST_PATH.paragraph_ratio` times its text
    (its main content is part of the article), the page goes to
    trafilatura (in its fast mode: `FAST_PATH.fallback_fast`, favouring
    recall in a balanced run: `FAST_PATH.fallback_favor`) like a page
    of the default path (`extract_html`), its metadata still the one read
    from resiliparse's tree, and the result names it in
    `Extracted.extractor` and keeps resiliparse's text in
    `Extracted.second_text` for the second opinion. Raises `InputError("no_main_text")` when neither
    extractor finds main text.
    """
    from cleaner.second import FAST_PATH, parse_with_resiliparse, resiliparse_text, take_out  # here: second imports the document model

    tree = parse_with_resiliparse(page_markup(html))
    declared = dom_declared_metadata(tree, html) if tree is not None else ("", "", "", "")
    if tree is not None:
        # The containers taken out are not destroyed one by one (`decompose`, 0.06 ms a page): lexbor frees every
        # node of a document with it, detached ones too (a process's peak RSS is the same over 4 x 990 pages).
        take_out(tree, FAST_PATH)
    body = resiliparse_text(tree, comments=comments) if tree is not None else ""
    if word_count(body) >= FAST_PATH.min_words and dom_paragraphs_within(tree, FAST_PATH.paragraph_ratio * len(body)):
        return with_declared_metadata(body, declared, url, page=tree)
    page = parse_page(html)
    if page is None:
        raise InputError("no_main_text", "resiliparse found no main text and lxml could not parse the page")
    # The metadata stays the one read from resiliparse's tree (the fast path's on every page it reads): lxml's look-ups
    # gave the same fields on all 128 fallback pages of trafilatura-eval, for 0.5 ms a page.
    found = extract_tree(page, html, url, FAST_PATH.fallback_favoring(favor), comments, comments_field,
                         fast=FAST_PATH.fallback_fast, declared=declared if tree is not None else None)
    return replace(found, extractor=Trafilatura.name, second_text=body)


def parse_page(html: str) -> HtmlElement | None:
    """The page's tree, rooted at `<html>`: a page in a record wrapper, or a fragment, like any page.

    trafilatura's loader returns None for text that does not say "html" in
    its first 50 characters and parses to fewer than two elements (a
    fragment holding one `<form>`), and lxml gives a fragment's only element,
    or its body renamed `<div>`, instead of a document. A wrapper before the
    page's own markup (`page_markup`) puts the page's `<head>` inside the
    wrapper's element. So the wrapper is cut off, and when the loader still
    does not give a document, the text is parsed as one.
    """
    markup = page_markup(html)
    tree = load_page(markup)
    if tree is not None and tree.tag == "html":
        return tree
    return parse_document(markup)


def load_page(markup: str) -> HtmlElement | None:
    """trafilatura's `load_html` of a decoded page, with `page_parser`: the same repairs, fallback and rejection.

    `load_html` always parses with trafilatura's own parser, so its steps for
    a string are taken here in its order, with its helpers.
    """
    from lxml.html import fromstring

    beginning = markup[:50].lower()
    markup = repaired(markup, beginning)
    tree, as_bytes = None, False
    try:
        tree = fromstring(markup, parser=page_parser())
    except ValueError:  # a str that declares its encoding (<?xml ... encoding=...?>): lxml wants bytes
        tree, as_bytes = parsed_bytes(markup), True
    except Exception:  # noqa: BLE001 -- lxml's own errors, as `load_html` takes them: the bytes are tried
        tree = None
    if (tree is None or len(tree) < 1) and not as_bytes:
        tree = parsed_bytes(markup)
    if tree is not None and "html" not in beginning and len(tree) < 2:  # trafilatura's `is_dubious_html`
        return None
    return tree


def repaired(markup: str, beginning: str) -> str:
    """trafilatura's `repair_faulty_html`: no XML control characters, no slash in the doctype, no self-closed `<html/>`.

    The search for control characters is the costly step (a regular
    expression over the whole page, 0.7 ms a page on trafilatura-eval, 3 of
    whose 990 pages have any): here a page is searched for the two
    noncharacters with `in` and for the control bytes in its UTF-8 (where
    they stand for themselves) with `bytes.translate`, 0.25 ms, and the
    expression runs only on a page that has one.
    """
    from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML, INVALID_XML_CHARS

    if has_xml_control_characters(markup):
        markup = INVALID_XML_CHARS.sub("", markup)
    if "doctype" in beginning:
        markup = without_doctype_slash(markup, DOCTYPE_TAG)
    for line in markup[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            return FAULTY_HTML.sub(r"\1>", markup, count=1)
    return markup


def without_doctype_slash(markup: str, doctype_tag: re.Pattern) -> str:
    """trafilatura's doctype repair: the first line without a doctype holding a slash (libxml2 chokes on it), a line end after it.

    The page is copied only when the line has such a doctype (or is the
    page's only line, to which trafilatura adds a line end).
    """
    end = markup.find("\n")
    if end < 0:
        return doctype_tag.sub("", markup, count=1) + "\n"
    first_line = markup[:end]
    if doctype_tag.search(first_line) is None:
        return markup
    return doctype_tag.sub("", first_line, count=1) + markup[end:]


def has_xml_control_characters(text: str) -> bool:
    """Whether `text` holds a character trafilatura's `INVALID_XML_CHARS` removes (C0 controls but tab and line ends, U+FFFE, U+FFFF).

    >>> [has_xml_control_characters(text) for text in ("a\\tb\\nc", "a\\x0bb", "a\\uffffb")]
    [False, True, True]
    """
    if "\ufffe" in text or "\uffff" in text:
        return True
    data = text.encode("utf-8", "surrogatepass")
    return len(data.translate(None, XML_CONTROL_BYTES)) < len(data)


def parsed_bytes(markup: str) -> HtmlElement | None:
    """`markup` parsed from its UTF-8 bytes with `page_parser`; None when lxml fails on them (trafilatura's `fromstring_bytes`)."""
    from lxml.html import fromstring

    try:
        return fromstring(markup.encode("utf-8", "surrogatepass"), parser=page_parser())
    except Exception:  # noqa: BLE001 -- as trafilatura's loader: any lxml failure is no tree
        return None


@cache
def page_parser():  # -> lxml.html.HTMLParser
    """trafilatura's parser settings (`trafilatura.utils.HTML_PARSER`), with every element's class found in C.

    lxml.html's own parser finds the class of each element it hands to Python
    by calling `HtmlElementClassLookup.lookup`, a Python method, and
    trafilatura's pruning and tree walks hand it hundreds of thousands of
    elements per page. Here every element is an `HtmlElement` (the form
    classes lxml.html gives `<form>`, `<input>` and the like are used neither
    by trafilatura nor here): trafilatura's fast extraction with the parse
    took 0.955x the time on a third of trafilatura-eval's pages, the text
    the same on all of them.
    """
    from lxml.etree import ElementDefaultClassLookup
    from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HTMLParser, HtmlProcessingInstruction

    parser = HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True)
    parser.set_element_class_lookup(
        ElementDefaultClassLookup(element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity)
    )
    return parser


def page_markup(html: str, *, wrapper: RecordWrapper = RECORD_WRAPPER) -> str:
    """`html` from the page's doctype or `<html>` tag on, when a record wrapper or a header comes first.

    >>> page_markup('<text id="http://a.cn/1" title="t">\\n<html><p>x</p></html>\\n</text>')
    '<html><p>x</p></html>\\n</text>'
    >>> page_markup('<!DOCTYPE html>\\n<html><p>x</p></html>')
    '<!DOCTYPE html>\\n<html><p>x</p></html>'
    >>> page_markup('<div><p>a fragment</p></div>')
    '<div><p>a fragment</p></div>'
    """
    match = PAGE_START.search(html, 0, wrapper.max_chars)
    if match is None or not html[: match.start()].strip():
        return html
    return html[match.start():]


def parse_document(markup: str) -> HtmlElement | None:
    """`markup` parsed as a whole document with `page_parser`; None when lxml finds nothing in it."""
    from lxml.etree import ParserError
    from lxml.html import document_fromstring

    try:
        try:
            return document_fromstring(markup, parser=page_parser())
        except ValueError:  # a str that declares its encoding (<?xml ... encoding=...?>): lxml wants bytes
            return document_fromstring(markup.encode("utf-8", "surrogatepass"), parser=page_parser())
    except ParserError:
        return None


def declared_metadata(tree: HtmlElement, html: str | None = None) -> tuple[str, str, str, str]:
    """Title, canonical URL, date and site name as the page declares them (`META_SOURCES`), "" where it does not.

    A field's value is the first non-blank one of its most trusted source
    that has one, white space collapsed. The one source that needs a search
    of the whole tree is skipped when the page's `html` does not say
    "datePublished".
    """
    searched = html is None or "datePublished" in html
    return metadata_fields(declared_values(tree), lambda: tree.xpath(ITEMPROP_DATETIME) if searched else [])


def dom_declared_metadata(tree, html: str | None = None) -> tuple[str, str, str, str]:
    """`declared_metadata` of a page parsed by resiliparse (its `HTMLTree`): the same fields from the same sources.

    The fast path reads them here instead of parsing the page again with
    lxml (the parse was most of the cost of its metadata: 5 ms a page
    against 0.7 ms for these look-ups on trafilatura-eval).
    """
    searched = html is None or "datePublished" in html

    def itemprop_datetimes() -> list[str]:
        found = tree.document.query_selector_all('[itemprop="datePublished"]').values() if searched else ()
        return [value for element in found if (value := element.getattr("datetime")) is not None]

    return metadata_fields(DomDeclaredValues(tree), itemprop_datetimes)


def metadata_fields(values: dict[object, list[str]] | DomDeclaredValues, itemprop_datetimes: Callable[[], list[str]]) -> tuple[str, str, str, str]:
    """Each field of `META_SOURCES` from the `values` of its sources, most trusted first (`declared_metadata`)."""

    def field(name: str) -> str:
        for source in META_SOURCES[name]:
            found = itemprop_datetimes() if source == "itemprop datetime" else values.get(source, ())
            for value in found:
                text = " ".join(str(value).split())
                if text:
                    return text
        return ""

    return field("title"), field("url"), field("date"), field("sitename")


@dataclass(frozen=True, slots=True)
class TreeAccess:
    """How `declared_values` reads an element of lxml's tree: an attribute, the parent, the text nodes (resiliparse's: `DomDeclaredValues`).

    `texts(element, deep)` gives XPath's `.//text()` (deep) or `text()`.
    """

    attribute: Callable[[object, str], str | None]
    parent: Callable[[object], object | None]
    texts: Callable[[object, bool], list[str]]


def dom_texts(element, deep: bool = True) -> list[str]:
    """The text nodes of a resiliparse element in document order (its children's only, unless `deep`)."""
    from resiliparse.parse.html import NodeType

    texts: list[str] = []
    for node in element.child_nodes:
        if node.type == NodeType.TEXT:
            texts.append(node.text)
        elif deep and node.type == NodeType.ELEMENT:
            texts.extend(dom_texts(node))
    return texts


LXML_ACCESS = TreeAccess(
    attribute=lambda element, name: element.get(name),
    parent=lambda element: element.getparent(),
    texts=lambda element, deep: element.xpath(".//text()" if deep else "text()"),
)


def declared_values(tree: HtmlElement) -> dict[object, list[str]]:
    """The values of every source in `META_SOURCES` but the itemprop search, in document order.

    One walk over the few tags that declare them (<meta>, <link>, <h1>,
    <title>, <time>) instead of an XPath search of the whole tree per source.
    """
    return values_of(tree.iter("meta", "link", "h1", "title", "time"), LXML_ACCESS)


class DomDeclaredValues:
    """`declared_values` of a resiliparse `HTMLTree`, each source read when `metadata_fields` first asks for it.

    `metadata_fields` stops at a field's first source with a value, so the
    `<h1>`, `<title>` and `<time>` are looked for only on a page whose
    `<meta>` declare no title or date. Each source is a CSS query for
    just the elements it reads (`meta[content]` and `link[rel=canonical]`,
    which every page reads, in one; the first `h1`, the first
    `time[datetime]`): resiliparse makes a Python node
    for each element a query returns, and a page's many `<link>` (style
    sheets, preloads) were most of the nodes of the one query for all five
    tags. The query for a source may return more than the source reads
    (CSS may match `rel` without regard to case): each element is checked
    as `values_of` checks it. The values are those `values_of` read from
    one query for all five tags, source by source (checked on the 1,107
    HTML dev pages), for 0.29 ms a page instead of 0.43 on trafilatura-eval.
    """

    __slots__ = ("document", "found")

    def __init__(self, tree) -> None:
        self.document = tree.document
        self.found: dict[object, list[str]] | None = None

    def get(self, source: object, default: Iterable[str] = ()) -> Iterable[str]:
        """The values of `source` (a key of `declared_values`' dict), `default` when it has none."""
        if self.found is None:
            self.found = self.meta_values()
        if source not in self.found and isinstance(source, str):
            self.found[source] = self.read(source)
        return self.found.get(source) or default

    def meta_values(self) -> dict[object, list[str]]:
        """The `content` of every `<meta>`, under each of its `property`, `name` and `itemprop` (`values_of`), and the canonical links.

        Every page's URL field reads the canonical link, so the two are found
        in one query: one walk of the tree instead of two (each about 0.07 ms
        a page on trafilatura-eval), the elements of each in document order.
        """
        values: dict[object, list[str]] = {}
        canonical: list[str] = []
        for element in self.document.query_selector_all("meta[content], link[rel=canonical]").values():
            if element.tag == "link":
                if element.getattr("rel") == "canonical" and (href := element.getattr("href")) is not None:
                    canonical.append(href)
                continue
            content = element.getattr("content")
            if content is not None:
                for name in ("property", "name", "itemprop"):
                    values.setdefault((name, element.getattr(name)), []).append(content)
        values["<link rel=canonical>"] = canonical
        return values

    def read(self, source: str) -> list[str]:
        """The values of one of the sources that are not a `<meta>` attribute or the canonical link ("first <h1>", "<head><title>", ...)."""
        document = self.document
        if source == "first <h1>":
            heading = document.query_selector("h1")
            return dom_texts(heading) if heading is not None else []
        if source == "<head><title>":
            titles = []
            for element in document.query_selector_all("title").values():
                parent = element.parent
                if parent is not None and parent.tag == "head":
                    titles.extend(dom_texts(element, False))
            return titles
        if source == "first <time datetime>":
            element = document.query_selector("time[datetime]")
            return [element.getattr("datetime")] if element is not None else []
        return []


def values_of(elements: Iterable, access: TreeAccess) -> dict[object, list[str]]:
    """`declared_values` from the page's <meta>, <link>, <h1>, <title> and <time> elements, in document order."""
    values: dict[object, list[str]] = {}
    first_h1 = first_time = None
    for element in elements:
        tag = element.tag
        if tag == "meta":
            content = access.attribute(element, "content")
            if content is not None:
                for name in ("property", "name", "itemprop"):
                    values.setdefault((name, access.attribute(element, name)), []).append(content)
        elif tag == "link":
            href = access.attribute(element, "href")
            if access.attribute(element, "rel") == "canonical" and href is not None:
                values.setdefault("<link rel=canonical>", []).append(href)
        elif tag == "h1":
            first_h1 = element if first_h1 is None else first_h1
        elif tag == "title":
            parent = access.parent(element)
            if parent is not None and parent.tag == "head":
                values.setdefault("<head><title>", []).extend(access.texts(element, False))
        elif first_time is None and access.attribute(element, "datetime") is not None:
            first_time = element
    if first_h1 is not None:
        values["first <h1>"] = access.texts(first_h1, True)
    if first_time is not None:
        values["first <time datetime>"] = [access.attribute(first_time, "datetime")]
    return values


def reads_as_headline(line: str, *, headline: Headline = HEADLINE) -> bool:
    """A short line with letters that does not end like a sentence or a lead-in.

    >>> reads_as_headline("Putin’s troops help secure Kazakhstan in wake of massive protests")
    True
    >>> reads_as_headline("Kazakh forces are pressing ahead with operations.")
    False
    """
    stripped = line.strip()
    return (
        0 < len(stripped) <= headline.max_chars
        and len(stripped.split()) <= headline.max_words
        and LETTER.search(stripped) is not None
        and NOT_HEADLINE_END.search(stripped) is None
    )


def split_title(text: str, search: TitleSearch = TITLE_SEARCH) -> Extracted:
    """Title and body of a normalised text file: the headline, found where it stands.

    A dump made from a page opens with the page's title ("Headline | Site")
    or with its toolbar ("Skip to content", "Menu", "Home » News"); the
    headline itself stands after the toolbar, just before the byline or the
    first paragraph. In order:

    1. a later line of the head that repeats the first line or its headline
       part ("Headline | Site", then "Headline") just before a paragraph:
       the bare headline;
    2. the first line, when it reads as a headline and a blank line follows,
       its site name cut when the dump names the site again elsewhere; but
       when the first line is not surely a page title (no site name after a
       separator, not repeated: "Skip to content") and a headline at least
       as long stands just before the first paragraph, that headline;
    3. else the headline that stands just before the first paragraph.

    The first line, taken as the title, leaves the body (it is the page's
    title, not its text, as in scraped articles whose first line is the
    headline); a headline found further down stays in the body, where the
    heuristics weigh it with the run of prose under it.

    >>> split_title("A headline\\n\\nBody text.").title
    'A headline'
    >>> split_title("Just one paragraph of text.\\nAnd more.").title
    ''
    >>> split_title("Harbour reopens | Coast News\\n\\nMenu\\n\\nHarbour reopens\\n\\n"
    ...     "The harbour reopened on Monday after three months of repairs to the sea wall.").title
    'Harbour reopens'
    """
    lines = text.split("\n")
    first = lines[0]
    head = non_blank_head(lines, search.head_lines)
    after_first = text[len(first) + 1 :].lstrip("\n")  # "\n".join(lines[1:]), without joining them again
    if reads_as_headline(first) and not is_menu_row(first) and (len(lines) < 2 or not lines[1].strip() or not after_first.strip()):
        repeated = repeated_headline(first, head[1:], search)
        if repeated is not None:
            return Extracted(body=after_first, title=lines[repeated].strip())
        found = None if is_page_title(first, head[1:]) else headline_before_prose(head[1:], search)
        if found is None or size(lines[found]) < size(first):
            return Extracted(body=after_first, title=without_site_name(first, after_first, search))
    else:
        found = headline_before_prose(head, search)
    return Extracted(body=text, title=lines[found].strip() if found is not None else "")


def non_blank_head(lines: list[str], limit: int) -> list[tuple[int, str]]:
    """The first `limit` lines that are not blank, with their indexes, read no further than they stand (a dump may have thousands).

    Picked by C iterators (`compress` over the stripped lines) rather than a
    generator's step a line: 0.22 -> 0.19 s for `split_title` over the 990
    dev dumps, with the first-character test of `repeated_headline`.

    >>> non_blank_head(["Menu", "", "  ", "Harbour reopens", "Text"], 2)
    [(0, 'Menu'), (3, 'Harbour reopens')]
    """
    return [(i, lines[i]) for i in islice(compress(count(), map(str.strip, lines)), limit)]


def is_page_title(first: str, head: list[tuple[int, str]]) -> bool:
    """Whether a first line that reads as a headline is surely the page's title, not a toolbar's first item.

    It is when it names a site after a separator ("Headline | Site") or when
    the dump repeats it.

    >>> [is_page_title(line, [(2, "Menu")]) for line in ("Skip to content", "Harbour reopens | Coast News")]
    [False, True]
    """
    key = folded(first)
    return TITLE_SEPARATOR.search(first) is not None or any(len(line) == len(first) and folded(line) == key for _i, line in head)


def is_menu_row(line: str) -> bool:
    """Four items or more, none of more than two words: a menu, not a page title or a headline.

    Items stand between separators; in a line of CJK characters, where
    sentences have no spaces, between spaces too.

    >>> is_menu_row("首页 | 新闻 | 体育 | 财经"), is_menu_row("最新军情 军事评论 军事书籍 军事装备")
    (True, True)
    >>> is_menu_row("Winda w chmurach | Obyczaje | Dwutygodnik"), is_menu_row("播客热潮迅速蔓延 挑逗传统传媒业")
    (False, False)
    """
    items = TITLE_SEPARATOR.split(line)
    if len(items) < 4 and 2 * len(CJK_CHAR.findall(line)) > len(line):
        items = line.split()
    return len(items) >= 4 and all(size(item) <= 2 for item in items)


def repeated_headline(first: str, head: list[tuple[int, str]], search: TitleSearch) -> int | None:
    """Index of a line of `head` that repeats the first line or a part of it, just before a paragraph.

    A site's name is repeated too (its logo, a tagline under it), but it is
    the shorter part: of the lines that stand just before a paragraph, the
    one with the most words wins, the later one of equals.

    >>> head = list(enumerate(["Coast News", "The news of the coast, from the harbour to the hills, every day.",
    ...     "Harbour reopens", "The harbour reopened on Monday after three months of repairs to the sea wall."], start=1))
    >>> repeated_headline("Harbour reopens - Coast News", head, TITLE_SEARCH)
    3
    """
    parts = set(title_parts(first))
    longest = len(first)  # a part is never longer than the line it is part of: most lines need no folding
    # Nor does a line whose first character folds to no part's first: case folding maps each character
    # apart from its neighbours, so a line's folded form begins with its first non-space character's.
    starts = {part[0] for part in parts}
    best: tuple[int, int] | None = None
    for k, (i, line) in enumerate(head):
        if len(line) > longest or line.lstrip()[:1].casefold()[:1] not in starts:
            continue
        if folded(line) not in parts or size(line) < search.part_min_words:
            continue
        if any(is_prose(after, search) for _j, after in head[k + 1 : k + 1 + search.reach]):
            best = max(best or (0, 0), (size(line), i))
    return best[1] if best is not None else None


def without_site_name(title: str, others: str, search: TitleSearch) -> str:
    """`title` without the site name after its last separator, when another line of the dump (`others`, the lines after it) names the site too.

    A site name is shorter than the headline it follows.

    >>> without_site_name("Harbour reopens after repairs | Coast News", "Menu\\n© 2024  coast NEWS", TITLE_SEARCH)
    'Harbour reopens after repairs'
    >>> without_site_name("Harbour reopens after repairs | Coast News", "Weather", TITLE_SEARCH)
    'Harbour reopens after repairs | Coast News'
    """
    title = title.strip()
    cuts = list(TITLE_SEPARATOR.finditer(title))
    if not cuts:
        return title
    headline, site = title[: cuts[-1].start()], title[cuts[-1].end() :]
    site_words = len(site.split())
    if 0 < site_words <= search.site_max_words and size(headline) > site_words and folded_in(folded(site), others):
        return headline.strip()
    return title


def headline_before_prose(head: list[tuple[int, str]], search: TitleSearch) -> int | None:
    """Index of the headline that stands just before the text of `head` begins (the longest candidate in reach).

    The text begins at the first paragraph followed by more: `body_words`
    words of prose within `reach` lines (a cookie notice or a newsletter
    pitch is one paragraph among buttons).

    >>> head = list(enumerate(["Menu", "Home", "Harbour reopens after repairs", "By Ann Lee",
    ...     "The harbour reopened on Monday after three months of repairs to the sea wall, which the winter storms broke.",
    ...     "Fishing boats were the first to return, followed in the afternoon by the ferry to the islands."]))
    >>> headline_before_prose(head, TITLE_SEARCH)
    2
    """
    words = [size(line) if is_prose(line, search) else 0 for _i, line in head[: search.reach]]
    for k in range(len(head)):
        if k + search.reach < len(head):
            line = head[k + search.reach][1]
            words.append(size(line) if is_prose(line, search) else 0)
        if words[k] and sum(words[k : k + search.reach]) >= search.body_words:
            reach = head[max(0, k - search.reach) : k]
            candidates = [(size(line), i) for i, line in reach if is_headline_candidate(line, search)]
            return max(candidates)[1] if candidates else None
    return None


def is_prose(line: str, search: TitleSearch) -> bool:
    """A sentence of `prose_words` words or more, or any line of `long_words` words or more.

    >>> is_prose("The harbour reopened on Monday after three months of repairs.", TITLE_SEARCH)
    True
    >>> is_prose("港口在修复了三个月的海堤之后于周一重新开放，渔船最先返回港口。", TITLE_SEARCH)
    True
    """
    n = size(line)
    return n >= search.long_words or (n >= search.prose_words and line.rstrip(CLOSERS)[-1:] in SENTENCE_ENDS)


def is_headline_candidate(line: str, search: TitleSearch) -> bool:
    """A line that reads as a headline, long enough, and not a menu row, a byline, a dateline or a URL.

    >>> [is_headline_candidate(t, TITLE_SEARCH) for t in ("Harbour reopens after repairs", "Home » News » Local",
    ...     "By Ann Lee and Tom Hart", "Updated 12 March 2024, 10:42", "港口修复后重新开放")]
    [True, False, False, False, True]
    """
    stripped = line.strip()
    return (
        reads_as_headline(stripped)
        and size(stripped) >= search.min_words
        and len(MENU_SEPARATOR.findall(stripped)) < 2
        and not is_menu_row(stripped)
        and BYLINE.match(stripped) is None
        and DATELINE.search(stripped) is None
        and "://" not in stripped
        and "www." not in stripped
    )


def size(line: str) -> int:
    """Words of a line, with a word for every two CJK characters (unspaced scripts have few spaces).

    >>> size("Harbour reopens after repairs"), size("港口修复后重新开放")
    (4, 4)
    """
    words = len(line.split())
    return words if line.isascii() else max(words, len(CJK_CHAR.findall(line)) // 2)


def title_parts(title: str) -> list[str]:
    """A page title, folded, and what is left of it on either side of each separator.

    >>> title_parts("Harbour reopens | Coast News")
    ['harbour reopens | coast news', 'harbour reopens', 'coast news']
    """
    title = folded(title)
    parts = [title]
    for cut in TITLE_SEPARATOR.finditer(title):
        parts += [title[: cut.start()].strip(), title[cut.end() :].strip()]
    return [part for part in parts if part]


def folded(text: str) -> str:
    """White space collapsed, case folded: how lines are compared with a title."""
    return " ".join(text.split()).casefold()


def folded_in(needle: str, text: str) -> bool:
    """Whether `needle` (`folded` already) occurs in `folded(text)`, mostly without collapsing the white space of all of `text`.

    Case folding maps each character apart, white space to itself and
    nothing else to white space, so `text` case folded holds the needle
    wherever its folded form does (a single space stays one), and lacks
    one of the needle's words wherever the folded form lacks the needle
    (a word stands inside one of its words); only between the two is `text`
    split and joined. A dump's whole text is searched for its title's site
    name: 50 -> 25 ms over the 990 dev dumps.

    >>> folded_in("coast news", "© 2024  Coast\\nNews"), folded_in("coast news", "Coast Guard"), folded_in("a b", "A  B")
    (True, False, True)
    """
    haystack = text.casefold()
    if needle in haystack:
        return True
    if not all(word in haystack for word in needle.split(" ")):
        return False
    return needle in " ".join(haystack.split())
