import pytest

from cleaner.errors import InputError
from cleaner.extract import extract_html, reads_as_headline, split_title

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
