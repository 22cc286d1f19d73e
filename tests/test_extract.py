import pytest

from cleaner.errors import InputError
from lxml.html import fromstring

from cleaner.extract import declared_metadata, extract_html, parse_page, reads_as_headline, split_title

PAGE = """<html><head><title>Harbour reopens | Coast News</title>
<link rel="canonical" href="https://coast.example.com/harbour"></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Harbour reopens</h1>
<p>The harbour reopened on Monday after three months of repairs to the sea wall, which was damaged in the winter storms.</p>
<p>Fishing boats were the first to return, followed in the afternoon by the ferry to the islands, which had been running from a temporary pier.</p>
</article><footer>Copyright Coast News</footer></body></html>"""


def test_extract_html_main_text_and_metadata() -> None:
    found = extract_html(PAGE)
    assert "sea wall" in found.body and "ferry to the islands" in found.body
    assert "Copyright" not in found.body
    assert found.url == "https://coast.example.com/harbour"
    assert found.title.startswith("Harbour reopens")


def test_extract_html_without_main_text() -> None:
    with pytest.raises(InputError) as caught:
        extract_html("<html><head><script>go()</script></head><body><div id=app></div></body></html>")
    assert caught.value.reason == "no_main_text"


POST = """<div id="post"><h2>Harbour reopens</h2>
<p>The harbour reopened on Monday after three months of repairs to the sea wall, which was damaged in the winter storms.</p>
<p>Fishing boats were the first to return, followed in the afternoon by the ferry to the islands, which had been running from a temporary pier.</p>
</div>"""
WRAPPER = '<text id="http://coast.example.com/2005/harbour.aspx" title="Harbour reopens" encoding="unset">\n'
# Pages that do not open like a page, each with why trafilatura's loader alone would not give the page.
ODD_PAGES = [
    # a crawler's record wrapper around a whole page: the page's <head> ends up inside the wrapper
    WRAPPER + f"<html><head><title>Harbour reopens</title></head><body>{POST}</body></html>\n</text>",
    # a wrapper around a fragment of one element: "html" is not in its first 50 characters, so it is refused
    WRAPPER + f'<form name="Form1" method="post">{POST}</form>\n</text>',
    # a bare fragment: lxml gives its only element instead of a document
    POST,
    # a fragment of several elements: lxml gives its body renamed <div>
    f"<h1>Harbour reopens</h1>{POST}<p>Filed from the quay.</p>",
    # a wrapper that is a record header with text, before the page's doctype
    "<DOC><DOCNO>clueweb-0001</DOCNO><DOCHDR>http://coast.example.com/ HTTP/1.1 200 OK</DOCHDR>\n"
    f"<!DOCTYPE html><html><head><title>Harbour reopens</title></head><body>{POST}</body></html></DOC>",
]


@pytest.mark.parametrize("html", ODD_PAGES)
def test_a_wrapped_page_or_a_fragment_is_extracted_like_any_page(html: str) -> None:
    assert parse_page(html).tag == "html"
    found = extract_html(html)
    assert "sea wall" in found.body and "ferry to the islands" in found.body
    assert "clueweb" not in found.body and "HTTP/1.1" not in found.body


def test_the_head_of_a_wrapped_page_is_its_head() -> None:
    found = extract_html(ODD_PAGES[0])
    assert found.title == "Harbour reopens"
    assert parse_page(ODD_PAGES[0]).find("head/title") is not None


@pytest.mark.parametrize(
    "line, headline",
    [
        ("Putin’s troops help secure Kazakhstan in wake of massive protests", True),
        ("Why are prices rising?", True),
        ("Agriculture: Berne interdit désormais le chlorothalonil - Suisse - tdg.ch", True),
        ("This is a full sentence that ends with a period.", False),
        ("Read more:", False),
        ("2024", False),
        ("word " * 40, False),
    ],
)
def test_reads_as_headline(line: str, headline: bool) -> None:
    assert reads_as_headline(line) is headline


def test_split_title_needs_a_paragraph_break_after_the_headline() -> None:
    assert split_title("Headline\n\nBody.").title == "Headline"
    assert split_title("Headline\nBody continues.").title == ""
    assert split_title("Headline only").body == ""


DECLARED = """<html><head><title>Head  title</title>
<meta name="twitter:title" content="Twitter title"><meta property="og:title" content="  ">
<meta property="og:title" content="OG   title"><link rel="canonical" href="https://example.com/a">
<meta name="date" content="2020-01-01"><meta property="og:site_name" content="Example News">
</head><body><h1><span>First</span> heading</h1><time datetime="2019-05-05">May</time>
<span itemprop="datePublished" datetime="2021-02-03">Feb</span><h1>Second heading</h1></body></html>"""


def _declared(html: str) -> tuple[str, str, str, str]:
    return declared_metadata(fromstring(html), html)


def test_declared_metadata_takes_each_fields_most_trusted_source() -> None:
    # og:title beats twitter:title (a blank og:title is skipped), the canonical link gives the URL,
    # an itemprop datetime beats <meta name=date> and <time>.
    assert _declared(DECLARED) == ("OG title", "https://example.com/a", "2021-02-03", "Example News")


def test_declared_metadata_falls_back_in_order() -> None:
    no_meta = DECLARED.replace("og:title", "x").replace("twitter:title", "x").replace("datePublished", "x")
    title, _url, date, _site = _declared(no_meta)
    assert (title, date) == ("First", "2020-01-01")  # the first text of the first <h1>; <meta name=date>
    bare = "<html><head><title>Only  the title</title></head><body><p>Text</p><time datetime='2018-01-01'></time></body></html>"
    assert _declared(bare) == ("Only the title", "", "2018-01-01", "")
    assert _declared("<html><body><p>Nothing declared</p></body></html>") == ("", "", "", "")
