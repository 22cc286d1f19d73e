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

from cleaner.errors import InputError

HEADLINE_MAX_WORDS = 30
HEADLINE_MAX_CHARS = 300
# A headline does not end like a sentence fragment or a list lead-in.
NOT_HEADLINE_END = re.compile(r"[.,;:\u3002\u060c]$")
LETTER = re.compile(r"[^\W\d_]")
DATE_PARAMS = {"extensive_search": False, "original_date": True}


@dataclass(frozen=True, slots=True)
class Extracted:
    """What extraction found: the body text (lines, paragraphs apart) and metadata."""

    body: str
    title: str = ""
    url: str = ""
    date: str = ""
    sitename: str = ""


def extract_html(html: str, url: str = "", favor: str = "balanced") -> Extracted:
    """Main text and metadata of an HTML page with trafilatura.

    Raises `InputError("no_main_text")` when trafilatura finds no main text.
    trafilatura's own duplicate cache stays off: it depends on the order in
    which a process sees pages, which would make output depend on workers.
    """
    try:
        result = trafilatura.bare_extraction(
            html,
            url=url or None,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            deduplicate=False,
            favor_precision=favor == "precision",
            favor_recall=favor == "recall",
            date_extraction_params=DATE_PARAMS,
        )
    except (ValueError, TypeError, AttributeError, LookupError) as exc:
        raise InputError("no_main_text", f"trafilatura could not parse the page ({type(exc).__name__})") from None
    body = (result.text or "") if result is not None else ""
    if not body.strip():
        raise InputError("no_main_text", "trafilatura found no main text in the page")
    return Extracted(
        body=body,
        title=result.title or "",
        url=result.url or url,
        date=result.date or "",
        sitename=result.sitename or "",
    )


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
