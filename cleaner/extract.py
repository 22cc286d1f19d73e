"""Turn decoded input into a title, a body and page metadata.

HTML goes through trafilatura, which finds the main text and the page's
title, canonical URL, date and site name. Text files have no markup: their
first line is the title when it reads as a headline. Nothing here knows
about rules or heuristics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from cleaner.errors import ConfigError, InputError

if TYPE_CHECKING:
    from lxml.html import HtmlElement

HEADLINE_MAX_WORDS = 30
HEADLINE_MAX_CHARS = 300
# A headline does not end like a sentence fragment or a list lead-in.
NOT_HEADLINE_END = re.compile(r"[.,;:\u3002\u060c]$")
LETTER = re.compile(r"[^\W\d_]")
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
# A crawler's record wrapper (`<text id="URL" title="...">`, a TREC `<DOC>` header) puts the page this
# near the record's start; further in, an `<html` is in a script or a comment.
WRAPPER_MAX_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Extracted:
    """What extraction found: the body text (lines, paragraphs apart) and metadata."""

    body: str
    title: str = ""
    url: str = ""
    date: str = ""
    sitename: str = ""


class Extractor(Protocol):
    """The extractor seam: HTML in, body and metadata out; `name` is recorded in every document it makes.

    `extract` raises `InputError("no_main_text")` when the page has no main
    text. An extractor holds no state that depends on earlier pages, so its
    output does not depend on how pages are spread over workers.
    """

    name: str

    def extract(self, html: str, url: str = "", favor: str = "balanced", comments: bool = False) -> Extracted: ...


class Trafilatura:
    """trafilatura's main-text extraction (`extract_html`)."""

    name = "trafilatura"

    def extract(self, html: str, url: str = "", favor: str = "balanced", comments: bool = False) -> Extracted:
        return extract_html(html, url=url, favor=favor, comments=comments)


EXTRACTORS: dict[str, type] = {"trafilatura": Trafilatura}


def extractor_named(name: str) -> Extractor:
    """The extractor registered under `name`; an unknown name is a `ConfigError` listing the known ones."""
    try:
        return EXTRACTORS[name]()
    except KeyError:
        raise ConfigError(f"unknown extractor {name!r}; known extractors: {', '.join(EXTRACTORS)}") from None


def extract_html(html: str, url: str = "", favor: str = "balanced", comments: bool = False) -> Extracted:
    """Main text of an HTML page with trafilatura, and the metadata the page declares.

    With `comments`, the comments trafilatura finds follow the body;
    without, it leaves the comment sections it recognises out.

    Raises `InputError("no_main_text")` when trafilatura finds no main text.
    The metadata comes from the page's own declarations (Open Graph, the
    canonical link, `<title>`, `<time>`): a few XPath look-ups on the tree
    trafilatura parses anyway, instead of trafilatura's metadata search,
    which would cost a third again of the extraction. trafilatura's own
    duplicate cache stays off: it depends on the order in which a process
    sees pages, which would make output depend on workers.
    """
    import trafilatura  # here: importing it takes a third of a second, which only processes that extract should pay

    tree = parse_page(html)
    if tree is None:
        raise InputError("no_main_text", "the page could not be parsed as HTML")
    title, page_url, date, sitename = declared_metadata(tree, html)
    try:
        result = trafilatura.bare_extraction(
            tree,
            url=url or None,
            include_comments=comments,
            include_tables=True,
            deduplicate=False,
            favor_precision=favor == "precision",
            favor_recall=favor == "recall",
        )
    except (ValueError, TypeError, AttributeError, LookupError) as exc:
        raise InputError("no_main_text", f"trafilatura could not parse the page ({type(exc).__name__})") from None
    body = (result.text or "") if result is not None else ""
    if comments and result is not None and result.comments:
        body = f"{body}\n{result.comments}"
    if not body.strip():
        raise InputError("no_main_text", "trafilatura found no main text in the page")
    return Extracted(
        body=body,
        title=title,
        url=page_url if page_url.startswith(("http://", "https://")) else url,
        date=date[:10] if ISO_DATE.match(date) else "",
        sitename=sitename,
    )


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
    from trafilatura.utils import load_html

    markup = page_markup(html)
    tree = load_html(markup)
    if tree is not None and tree.tag == "html":
        return tree
    return parse_document(markup)


def page_markup(html: str) -> str:
    """`html` from the page's doctype or `<html>` tag on, when a record wrapper or a header comes first.

    >>> page_markup('<text id="http://a.cn/1" title="t">\\n<html><p>x</p></html>\\n</text>')
    '<html><p>x</p></html>\\n</text>'
    >>> page_markup('<!DOCTYPE html>\\n<html><p>x</p></html>')
    '<!DOCTYPE html>\\n<html><p>x</p></html>'
    >>> page_markup('<div><p>a fragment</p></div>')
    '<div><p>a fragment</p></div>'
    """
    match = PAGE_START.search(html, 0, WRAPPER_MAX_CHARS)
    if match is None or not html[: match.start()].strip():
        return html
    return html[match.start():]


def parse_document(markup: str) -> HtmlElement | None:
    """`markup` parsed as a whole document with trafilatura's parser settings; None when lxml finds nothing in it."""
    from lxml.etree import ParserError
    from lxml.html import document_fromstring
    from trafilatura.utils import HTML_PARSER

    try:
        try:
            return document_fromstring(markup, parser=HTML_PARSER)
        except ValueError:  # a str that declares its encoding (<?xml ... encoding=...?>): lxml wants bytes
            return document_fromstring(markup.encode("utf-8", "surrogatepass"), parser=HTML_PARSER)
    except ParserError:
        return None


def declared_metadata(tree: HtmlElement, html: str | None = None) -> tuple[str, str, str, str]:
    """Title, canonical URL, date and site name as the page declares them (`META_SOURCES`), "" where it does not.

    A field's value is the first non-blank one of its most trusted source
    that has one, white space collapsed. The one source that needs a search
    of the whole tree is skipped when the page's `html` does not say
    "datePublished".
    """
    values = declared_values(tree)

    def field(name: str) -> str:
        for source in META_SOURCES[name]:
            if source == "itemprop datetime":
                found = tree.xpath(ITEMPROP_DATETIME) if html is None or "datePublished" in html else ()
            else:
                found = values.get(source, ())
            for value in found:
                text = " ".join(str(value).split())
                if text:
                    return text
        return ""

    return field("title"), field("url"), field("date"), field("sitename")


def declared_values(tree: HtmlElement) -> dict[object, list[str]]:
    """The values of every source in `META_SOURCES` but the itemprop search, in document order.

    One walk over the few tags that declare them (<meta>, <link>, <h1>,
    <title>, <time>) instead of an XPath search of the whole tree per source.
    """
    values: dict[object, list[str]] = {}
    first_h1 = first_time = None
    for element in tree.iter("meta", "link", "h1", "title", "time"):
        tag = element.tag
        if tag == "meta":
            content = element.get("content")
            if content is not None:
                for attribute in ("property", "name", "itemprop"):
                    values.setdefault((attribute, element.get(attribute)), []).append(content)
        elif tag == "link":
            if element.get("rel") == "canonical" and element.get("href") is not None:
                values.setdefault("<link rel=canonical>", []).append(element.get("href"))
        elif tag == "h1":
            first_h1 = element if first_h1 is None else first_h1
        elif tag == "title":
            parent = element.getparent()
            if parent is not None and parent.tag == "head":
                values.setdefault("<head><title>", []).extend(element.xpath("text()"))
        elif first_time is None and element.get("datetime") is not None:
            first_time = element
    if first_h1 is not None:
        values["first <h1>"] = first_h1.xpath(".//text()")
    if first_time is not None:
        values["first <time datetime>"] = [first_time.get("datetime")]
    return values


def reads_as_headline(line: str) -> bool:
    """A short line with letters that does not end like a sentence or a lead-in.

    >>> reads_as_headline("Putin’s troops help secure Kazakhstan in wake of massive protests")
    True
    >>> reads_as_headline("Kazakh forces are pressing ahead with operations.")
    False
    """
    stripped = line.strip()
    return (
        0 < len(stripped) <= HEADLINE_MAX_CHARS
        and len(stripped.split()) <= HEADLINE_MAX_WORDS
        and LETTER.search(stripped) is not None
        and NOT_HEADLINE_END.search(stripped) is None
    )


def split_title(text: str) -> Extracted:
    """Title and body of a normalised text file.

    The first line becomes the title when it reads as a headline and a blank
    line (or nothing) follows it, as in scraped articles and page dumps whose
    first line is the page title.

    >>> split_title("A headline\\n\\nBody text.").title
    'A headline'
    >>> split_title("Just one paragraph of text.\\nAnd more.").title
    ''
    """
    first, sep, rest = text.partition("\n")
    followed_by_break = not sep or rest.startswith("\n") or not rest.strip()
    if followed_by_break and reads_as_headline(first):
        return Extracted(body=rest.lstrip("\n"), title=first.strip())
    return Extracted(body=text)
