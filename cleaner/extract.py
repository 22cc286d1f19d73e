"""Turn decoded input into a title, a body and page metadata.

HTML goes through trafilatura, which finds the main text and the page's
title, canonical URL, date and site name. Text files have no markup: their
first line is the title when it reads as a headline. Nothing here knows
about rules or heuristics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import trafilatura
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from cleaner.errors import InputError

HEADLINE_MAX_WORDS = 30
HEADLINE_MAX_CHARS = 300
# A headline does not end like a sentence fragment or a list lead-in.
NOT_HEADLINE_END = re.compile(r"[.,;:\u3002\u060c]$")
LETTER = re.compile(r"[^\W\d_]")
# Page metadata from the markup the page declares, cheapest source first.
TITLE_XPATHS = (
    '//meta[@property="og:title"]/@content',
    '//meta[@name="twitter:title"]/@content',
    "(//h1)[1]//text()",
    "//head/title/text()",
)
URL_XPATHS = ('//link[@rel="canonical"]/@href', '//meta[@property="og:url"]/@content')
DATE_XPATHS = (
    '//meta[@property="article:published_time"]/@content',
    '//meta[@itemprop="datePublished"]/@content',
    '//*[@itemprop="datePublished"]/@datetime',
    '//meta[@name="date"]/@content',
    "(//time[@datetime])[1]/@datetime",
)
SITENAME_XPATHS = ('//meta[@property="og:site_name"]/@content', '//meta[@name="application-name"]/@content')
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class Extracted:
    """What extraction found: the body text (lines, paragraphs apart) and metadata."""

    body: str
    title: str = ""
    url: str = ""
    date: str = ""
    sitename: str = ""


def extract_html(html: str, url: str = "", favor: str = "balanced") -> Extracted:
    """Main text of an HTML page with trafilatura, and the metadata the page declares.

    Raises `InputError("no_main_text")` when trafilatura finds no main text.
    The metadata comes from the page's own declarations (Open Graph, the
    canonical link, `<title>`, `<time>`): a few XPath look-ups on the tree
    trafilatura parses anyway, instead of trafilatura's metadata search,
    which would cost a third again of the extraction. trafilatura's own
    duplicate cache stays off: it depends on the order in which a process
    sees pages, which would make output depend on workers.
    """
    tree = load_html(html)
    if tree is None:
        raise InputError("no_main_text", "the page could not be parsed as HTML")
    title, page_url, date, sitename = (
        first_value(tree, TITLE_XPATHS),
        first_value(tree, URL_XPATHS),
        first_value(tree, DATE_XPATHS),
        first_value(tree, SITENAME_XPATHS),
    )
    try:
        result = trafilatura.bare_extraction(
            tree,
            url=url or None,
            include_comments=False,
            include_tables=True,
            deduplicate=False,
            favor_precision=favor == "precision",
            favor_recall=favor == "recall",
        )
    except (ValueError, TypeError, AttributeError, LookupError) as exc:
        raise InputError("no_main_text", f"trafilatura could not parse the page ({type(exc).__name__})") from None
    body = (result.text or "") if result is not None else ""
    if not body.strip():
        raise InputError("no_main_text", "trafilatura found no main text in the page")
    return Extracted(
        body=body,
        title=title,
        url=page_url if page_url.startswith(("http://", "https://")) else url,
        date=date[:10] if ISO_DATE.match(date) else "",
        sitename=sitename,
    )


def first_value(tree: HtmlElement, xpaths: tuple[str, ...]) -> str:
    """The first non-empty value any of `xpaths` finds, with white space collapsed."""
    for xpath in xpaths:
        for value in tree.xpath(xpath):
            text = " ".join(str(value).split())
            if text:
                return text
    return ""


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
