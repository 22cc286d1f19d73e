import json
from pathlib import Path

import pytest

from cleaner.cli import main
from cleaner.errors import ConfigError, InputError
from lxml.html import fromstring

from lxml.html import tostring

from hypothesis import example, given
from hypothesis import strategies as st

from cleaner.extract import (
    TITLE_SEARCH, declared_metadata, dom_declared_metadata, extract_html, extractor_named, folded, folded_in, is_prose, load_page,
    non_blank_head, parse_page, reads_as_headline, repeated_headline, size, split_title, title_parts,
)

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



@pytest.mark.parametrize("markup", [
    PAGE,
    *ODD_PAGES,
    '<?xml version="1.0" encoding="utf-8"?><html><body><p>Declared encoding: lxml wants bytes.</p></body></html>',
    "<!DOCTYPE html>\n<html xmlns='http://www.w3.org/1999/xhtml'/>\n<body><p>A self-closed html tag.</p></body>",
    "<p>One paragraph alone, no html in its first characters.</p>",
    "plain text, no markup at all",
    "<html><body><p>A control character \x0b in the text.</p></body></html>",
    "<html><body><p>Noncharacters \ufffe and \uffff, and \x01 beside é and 港.</p></body></html>",
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1.dtd"/>\n'
    "<html><body><p>A doctype closed with a slash.</p></body></html>",
    "<html lang='en'/>\n<head><title>Self-closed</title></head><body><p>An html tag closed early.</p></body>",
    "<html><body><p>Ça va, 日本語 and emoji \U0001F600 with no control character.</p></body></html>",
])
def test_load_page_loads_as_trafilaturas_loader_does(markup: str) -> None:
    from trafilatura.utils import load_html

    theirs, ours = load_html(markup), load_page(markup)
    assert (ours is None) == (theirs is None)
    if ours is not None:
        assert tostring(ours, encoding="unicode") == tostring(theirs, encoding="unicode")


def test_page_elements_are_html_elements_whatever_their_tag() -> None:
    tree = parse_page("<html><body><form><input name='q'><p>Search the harbour news.</p></form></body></html>")
    assert {type(element).__name__ for element in tree.iter()} == {"HtmlElement"}
    assert tree.find(".//p").text_content() == "Search the harbour news."

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


EN_BODY = (
    "The harbour reopened on Monday after three months of repairs to the sea wall, which the winter storms had broken.\n\n"
    "Fishing boats were the first to return, followed in the afternoon by the ferry to the islands."
)
DE_BODY = (
    "Der Hafen ist am Montag nach drei Monaten Reparaturarbeiten an der Kaimauer wieder geöffnet worden, die im Winter beschädigt wurde.\n\n"
    "Als Erste kehrten die Fischerboote zurück, am Nachmittag folgte die Fähre zu den Inseln."
)
FR_BODY = (
    "Le port a rouvert lundi après trois mois de travaux sur la digue, endommagée par les tempêtes de l'hiver dernier.\n\n"
    "Les bateaux de pêche sont revenus les premiers, suivis l'après-midi par le bac vers les îles."
)
ES_BODY = (
    "El puerto reabrió el lunes después de tres meses de obras en el dique, dañado por los temporales del invierno pasado.\n\n"
    "Los barcos de pesca fueron los primeros en volver, y por la tarde llegó el transbordador a las islas."
)
RU_BODY = (
    "Порт вновь открылся в понедельник после трёх месяцев ремонта волнолома, который был разрушен зимними штормами.\n\n"
    "Первыми вернулись рыболовные суда, а после обеда пришёл паром с островов, который ходил от временного причала."
)
ZH_BODY = (
    "港口在修复了三个月的海堤之后于周一重新开放，海堤在去年冬天的风暴中严重受损，修复工程耗资巨大。\n\n"
    "渔船最先返回港口，下午开往各个岛屿的渡轮也恢复了正常运行，此前渡轮一直使用临时码头。"
)

# (dump, expected title, whether the headline line stays in the body, what the layout is)
TITLE_CASES = [
    (f"Putin’s troops help secure Kazakhstan\n\n{EN_BODY}", "Putin’s troops help secure Kazakhstan", False,
     "the first line, the text right under it (scraped article)"),
    (f"Harbour reopens after repairs | Coast News\n\nSkip to content\nMenu\nCoast News\n\nHarbour reopens after repairs\n\n{EN_BODY}",
     "Harbour reopens after repairs", True, "page title first, bare headline repeated before the text"),
    (f"Skip to content\n\nMenu\nHome » News » Local\n\nHarbour reopens after repairs\n\nBy Ann Lee\nUpdated 12 March 2024, 10:42\n\n{EN_BODY}",
     "Harbour reopens after repairs", True, "toolbar first, byline and dateline under the headline"),
    (f"Menu\nHome\nNews\nSport\n\nHarbour reopens after repairs\n\n{EN_BODY}", "Harbour reopens after repairs", True,
     "a menu first (its lines do not read as a headline and a blank line)"),
    (f"Zum Inhalt springen\n\nStartseite › Nachrichten › Region\n\nHafen nach Reparatur wieder geöffnet\n\nVon Anna Berg | 12.03.2024\n\n{DE_BODY}",
     "Hafen nach Reparatur wieder geöffnet", True, "German toolbar, breadcrumb, byline with a date"),
    (f"Aller au contenu\nAller à la navigation\n\nAccueil | Par Loïc Martin | 30 septembre 2018\n\nLe port rouvre après les travaux\n\n{FR_BODY}",
     "Le port rouvre après les travaux", True, "French: headline after a line of menu items and the byline"),
    (f"Ir al contenido\n\nPortada / Sociedad\n\nEl puerto reabre tras las obras del dique\n\nPor Ana López\n12/03/2024 10:42\n\n{ES_BODY}",
     "El puerto reabre tras las obras del dique", True, "Spanish: byline and numeric dateline"),
    (f"Перейти к содержанию\n\nГлавная » Новости\n\nПорт вновь открылся после ремонта\n\n{RU_BODY}",
     "Порт вновь открылся после ремонта", True, "Russian"),
    (f"首页 | 新闻 | 体育 | 财经\n\n您的位置：首页 > 新闻\n\n港口修复后重新开放\n\n2024年3月12日 来源：海岸日报\n\n{ZH_BODY}",
     "港口修复后重新开放", True, "Chinese: menu row, breadcrumb, dateline with its source"),
    (f"港口修复后重新开放_海岸日报\n\n首页\n新闻\n\n港口修复后重新开放\n\n{ZH_BODY}", "港口修复后重新开放", True,
     "Chinese page title, bare headline repeated (the _ joins no separator: the repeat is a whole part or nothing)"),
    (f"Harbour reopens after repairs | Coast News\n\nMenu\nHome\n\n{EN_BODY}\n\n© 2024 Coast News", "Harbour reopens after repairs", False,
     "page title first, not repeated: the site name the dump names again is cut"),
    (f"Harbour reopens after repairs | Coast News\n\nMenu\nHome\n\n{EN_BODY}", "Harbour reopens after repairs | Coast News", False,
     "page title first, the site named nowhere else: kept whole"),
    (f"Menu\nHome\nNews\n\n{EN_BODY}", "", True, "no headline before the text"),
]


@pytest.mark.parametrize("dump, title, in_body, layout", TITLE_CASES, ids=[case[3] for case in TITLE_CASES])
def test_split_title_finds_the_headline_where_it_stands(dump: str, title: str, in_body: bool, layout: str) -> None:
    found = split_title(dump)
    assert found.title == title
    if title:
        assert (title in found.body.split("\n")) is in_body
    assert EN_BODY in found.body or DE_BODY in found.body or FR_BODY in found.body or ES_BODY in found.body \
        or RU_BODY in found.body or ZH_BODY in found.body


def test_split_title_prefers_the_bare_headline_to_the_site_name_repeated_by_the_logo() -> None:
    dump = f"Ins neue Jahr | Literaturgefluester\n\nLiteraturgefluester\n2019-01-01\nIns neue Jahr\nTags: Neujahr\n\n{DE_BODY}"
    assert split_title(dump).title == "Ins neue Jahr"


@pytest.mark.xfail(strict=True, reason="a caption longer than the headline, between it and the text, is taken for it")
def test_split_title_passes_over_a_long_caption() -> None:
    dump = f"Menu\nHome\n\nHarbour reopens\n\nThe sea wall seen from the ferry pier on Sunday afternoon\n\n{EN_BODY}"
    assert split_title(dump).title == "Harbour reopens"


@pytest.mark.xfail(strict=True, reason="a short first-line headline loses to a longer chrome line before the text (the first line may be a toolbar's)")
def test_split_title_keeps_a_short_first_line_headline() -> None:
    dump = f"Harbour reopens\n\nHome | World | Sport\n\nSign in to your account\n\n{EN_BODY}"
    assert split_title(dump).title == "Harbour reopens"


def test_split_title_needs_a_paragraph_break_after_the_headline() -> None:
    assert split_title("Headline\n\nBody.").title == "Headline"
    assert split_title("Headline\nBody continues.").title == ""
    assert split_title("Headline only").body == ""


def repeated_headline_folding_every_line(first: str, head: list[tuple[int, str]]) -> int | None:
    """`repeated_headline` as it was before its first-character test: every line short enough is folded."""
    search = TITLE_SEARCH
    parts = set(title_parts(first))
    best = None
    for k, (i, line) in enumerate(head):
        if len(line) > len(first) or folded(line) not in parts or size(line) < search.part_min_words:
            continue
        if any(is_prose(after, search) for _j, after in head[k + 1 : k + 1 + search.reach]):
            best = max(best or (0, 0), (size(line), i))
    return best[1] if best is not None else None


HEAD_WORDS = ["Harbour", "harbour", "HARBOUR", "reopens", "Straße", "STRASSE", "strasse", "İstanbul", "istanbul",
              "Σοφία", "ΣΟΦΊΑ", "ﬁsh", "fish", "News", "|", "-", "  ", "\u00a0", "\u2003"]
PROSE = "The harbour reopened on Monday after three months of repairs to the sea wall, which the storms broke."


@given(st.lists(st.lists(st.sampled_from(HEAD_WORDS), min_size=1, max_size=6).map(" ".join), min_size=1, max_size=8),
       st.lists(st.integers(0, 7), max_size=8))
@example(["Straße news | Coast", "STRASSE NEWS"], [])
@example(["İstanbul today | Coast", " istanbul  today"], [])
def test_repeated_headline_folds_only_lines_that_can_match(lines: list[str], prose_after: list[int]) -> None:
    # Lines that begin with a space, a Unicode space, a character whose case folding differs from its lower
    # case or grows (ß, İ, ﬁ), or a final sigma: the first-character test never drops a line that folds to a part.
    first, rest = lines[0], lines[1:]
    for at in sorted(set(prose_after), reverse=True):
        rest.insert(min(at, len(rest)), PROSE)
    head = list(enumerate(rest, start=2))
    assert repeated_headline(first, head, TITLE_SEARCH) == repeated_headline_folding_every_line(first, head)


@given(st.lists(st.sampled_from(["", " ", "\t", "\u00a0", "\u2003", "Menu", " Home ", "Harbour reopens"]), max_size=30),
       st.integers(0, 5))
def test_non_blank_head_is_the_first_non_blank_lines(lines: list[str], limit: int) -> None:
    expected = [(i, line) for i, line in enumerate(lines) if line.strip()][:limit]
    assert non_blank_head(lines, limit) == expected


DECLARED = """<html><head><title>Head  title</title>
<meta name="twitter:title" content="Twitter title"><meta property="og:title" content="  ">
<meta property="og:title" content="OG   title"><link rel="canonical" href="https://example.com/a">
<meta name="date" content="2020-01-01"><meta property="og:site_name" content="Example News">
</head><body><h1><span>First</span> heading</h1><time datetime="2019-05-05">May</time>
<span itemprop="datePublished" datetime="2021-02-03">Feb</span><h1>Second heading</h1></body></html>"""


@pytest.fixture(params=["lxml", "resiliparse"])
def _declared(request):
    """`declared_metadata` of lxml's tree, or `dom_declared_metadata` of resiliparse's: the same fields."""
    if request.param == "lxml":
        return lambda html: declared_metadata(fromstring(html), html)
    from cleaner.second import parse_with_resiliparse

    return lambda html: dom_declared_metadata(parse_with_resiliparse(html), html)


def test_declared_metadata_takes_each_fields_most_trusted_source(_declared) -> None:
    # og:title beats twitter:title (a blank og:title is skipped), the canonical link gives the URL,
    # an itemprop datetime beats <meta name=date> and <time>.
    assert _declared(DECLARED) == ("OG title", "https://example.com/a", "2021-02-03", "Example News")


def test_declared_metadata_falls_back_in_order(_declared) -> None:
    no_meta = DECLARED.replace("og:title", "x").replace("twitter:title", "x").replace("datePublished", "x")
    title, _url, date, _site = _declared(no_meta)
    assert (title, date) == ("First", "2020-01-01")  # the first text of the first <h1>; <meta name=date>
    bare = "<html><head><title>Only  the title</title></head><body><p>Text</p><time datetime='2018-01-01'></time></body></html>"
    assert _declared(bare) == ("Only the title", "", "2018-01-01", "")
    assert _declared("<html><body><p>Nothing declared</p></body></html>") == ("", "", "", "")


@pytest.mark.parametrize("page, expected", [
    # rel is compared as written (a CSS query may match "Canonical" too); a <meta> without content gives nothing
    ('<html><head><link rel="Canonical" href="https://a.example.com/x"><meta property="og:title">'
     '<title>Page</title></head><body></body></html>', ("Page", "", "", "")),
    # only a <title> in the <head> is the page's title (not an SVG's); the first text of the first <h1>; the first <time> with a datetime
    ('<html><head></head><body><svg><title>Icon</title></svg><time>May</time><time datetime="2017-03-04">x</time>'
     '<h1>  Heading <b>in</b> parts </h1></body></html>', ("Heading", "", "2017-03-04", "")),
    # the <meta> are read wherever they stand, in document order; og:url when there is no canonical link
    ('<html><head><meta name="application-name" content="App"></head><body><meta property="og:url" content="https://b.example.com/y">'
     '<meta name="twitter:title" content="Second"><meta property="og:title" content=" "><meta property="og:title" content="First">'
     '</body></html>', ("First", "https://b.example.com/y", "", "App")),
])
def test_declared_metadata_reads_each_source_as_the_page_writes_it(_declared, page: str, expected: tuple) -> None:
    assert _declared(page) == expected


# PAGE with enough text for the fast path to keep resiliparse's (`second.FAST_PATH.min_words`).
LONG_PAGE = PAGE.replace("</article>", "<p>The harbour master said the new wall was built to withstand storms twice as strong "
                         "as those of last winter, and that the work had come in under budget despite the delays.</p>"
                         "<p>Traders on the quay said the months without the ferry had cost them most of the spring's visitors, "
                         "and that they hoped the summer would make up for it.</p></article>")


def test_resiliparse_extractor_main_text_and_declared_metadata() -> None:
    found = extractor_named("resiliparse").extract(LONG_PAGE, url="https://given.example.com/x")
    assert "sea wall" in found.body and "ferry to the islands" in found.body
    assert "Copyright" not in found.body and "Home" not in found.body
    assert found.url == "https://coast.example.com/harbour"  # the canonical link the page declares
    assert found.title == "Harbour reopens"  # the first <h1>, trusted before <title>
    from resiliparse.parse.html import HTMLTree

    assert found.extractor == ""  # made by the extractor asked
    assert isinstance(found.page, HTMLTree) and "Copyright" not in found.page.body.text  # its pruned tree, for layout.py


def test_resiliparse_extractor_falls_back_to_trafilatura_where_it_finds_too_little() -> None:
    from cleaner.features import word_count
    from cleaner.second import FAST_PATH, resiliparse_text

    assert word_count(resiliparse_text(PAGE)) < FAST_PATH.min_words
    found = extractor_named("resiliparse").extract(PAGE, url="https://given.example.com/x")
    assert found.extractor == "trafilatura"
    assert found.body == extract_html(PAGE).body
    assert found.url == "https://coast.example.com/harbour" and found.page is not None  # lxml's, for `layout.py`


def test_resiliparse_fallback_keeps_the_metadata_read_from_resiliparses_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    import cleaner.extract
    from cleaner.extract import dom_declared_metadata
    from cleaner.second import parse_with_resiliparse

    expected = extract_html(PAGE)
    read = []
    monkeypatch.setattr(cleaner.extract, "declared_metadata", lambda tree, html=None: read.append(tree) or ("", "", "", ""))
    found = extractor_named("resiliparse").extract(PAGE, url="https://given.example.com/x")
    assert found.extractor == "trafilatura" and not read  # lxml's tree was not searched for it again
    assert found.body == expected.body
    assert (found.title, found.url, found.date, found.sitename) == (expected.title, expected.url, expected.date, expected.sitename)
    assert found.title == dom_declared_metadata(parse_with_resiliparse(PAGE), PAGE)[0] == "Harbour reopens"


@pytest.mark.parametrize("favor, asked", [("balanced", "recall"), ("precision", "precision"), ("recall", "recall")])
def test_resiliparse_fallback_favours_recall_unless_the_run_asks_otherwise(favor: str, asked: str,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import cleaner.extract

    real, favours = cleaner.extract.trafilatura_extraction, []
    monkeypatch.setattr(cleaner.extract, "trafilatura_extraction",
                        lambda tree, url, favor, *rest: favours.append(favor) or real(tree, url, favor, *rest))
    assert extractor_named("resiliparse").extract(PAGE, favor=favor).extractor == "trafilatura"
    assert favours == [asked]


def test_resiliparse_fallback_reads_lxmls_metadata_when_resiliparse_gives_no_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    import cleaner.second

    monkeypatch.setattr(cleaner.second, "parse_with_resiliparse", lambda html: None)
    found = extractor_named("resiliparse").extract(PAGE)
    assert found.extractor == "trafilatura" and found.title == extract_html(PAGE).title == "Harbour reopens"



@pytest.mark.parametrize("boxed, extractor", [(False, ""), (True, "trafilatura")])
def test_resiliparse_extractor_falls_back_where_the_pages_paragraphs_outweigh_its_text(boxed: bool, extractor: str) -> None:
    from cleaner.extract import dom_paragraphs_within
    from cleaner.second import FAST_PATH, parse_with_resiliparse, pruned_text

    story = "".join(f"<p>Paragraph {n} of the story goes on about the harbour, its boats and the sea wall.</p>"
                    for n in range(20))
    # Sixty paragraphs resiliparse leaves out of its main text (they are hidden), beside the article it reads.
    page = LONG_PAGE.replace("</body>", f"<div hidden>{story * 3 if boxed else ''}</div></body>")
    tree = parse_with_resiliparse(page)
    body = pruned_text(tree, FAST_PATH)
    assert (not dom_paragraphs_within(tree, FAST_PATH.paragraph_ratio * len(body))) is boxed
    assert extractor_named("resiliparse").extract(page).extractor == extractor


def test_resiliparse_extractor_without_main_text() -> None:
    with pytest.raises(InputError) as caught:
        extractor_named("resiliparse").extract("<html><head><script>go()</script></head><body><div id=app></div></body></html>")
    assert caught.value.reason == "no_main_text"


def test_resiliparse_extractor_keeps_comments_only_when_asked() -> None:
    comment = "I grew up by this harbour and I am so glad the ferries are finally running again this spring."
    page = LONG_PAGE.replace("</article>", f'</article><div class="comments"><p>{comment}</p></div>')
    assert "glad the ferries" not in extractor_named("resiliparse").extract(page).body
    assert "glad the ferries" in extractor_named("resiliparse").extract(page, comments=True).body


def test_an_unknown_extractor_names_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="trafilatura, resiliparse"):
        extractor_named("boilerpipe")


def test_cli_runs_resiliparse_as_the_extractor(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "harbour.html").write_text(LONG_PAGE, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(pages), "--output", str(out), "--extractor", "resiliparse", "--min-words", "0", "--quiet"]) == 0
    (record,) = [json.loads(line) for line in (out / "corpus-00000.jsonl").read_text(encoding="utf-8").splitlines()]
    assert record["metadata"]["extractor"] == "resiliparse"
    assert "sea wall" in record["text"] and "Copyright" not in record["text"]
    assert record["url"] == "https://coast.example.com/harbour"


def test_the_resiliparse_extractor_prunes_chrome_that_resiliparse_alone_keeps() -> None:
    box = '<div class="newsletter-box"><p>Sign up for the Coast News letter and get every story in your inbox each morning.</p></div>'
    page = LONG_PAGE.replace("</article>", f"</article>{box}")
    from cleaner.second import resiliparse_text

    assert "Coast News letter" in resiliparse_text(page)
    found = extractor_named("resiliparse").extract(page)
    assert "Coast News letter" not in found.body and "sea wall" in found.body


def modes_run(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The `fast` flag of every trafilatura extraction made while the test runs, in order."""
    import cleaner.extract

    modes: list[bool] = []
    extraction = cleaner.extract.trafilatura_extraction

    def recorded(tree, url, favor, comments, fast=False):
        modes.append(fast)
        return extraction(tree, url, favor, comments, fast)

    monkeypatch.setattr(cleaner.extract, "trafilatura_extraction", recorded)
    return modes


def test_fast_mode_text_stands_when_it_is_long_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    modes = modes_run(monkeypatch)
    found = extract_html(PAGE, enough_words=10)
    assert modes == [True]
    assert "Fishing boats were the first to return" in found.body


def test_full_mode_when_the_fast_text_is_short_of_the_second_extractors(monkeypatch: pytest.MonkeyPatch) -> None:
    modes = modes_run(monkeypatch)
    found = extract_html(PAGE, enough_words=500)
    assert modes == [True, False]
    assert found.body == extract_html(PAGE).body


def test_full_mode_when_the_pages_paragraphs_outweigh_the_fast_text(monkeypatch: pytest.MonkeyPatch) -> None:
    import cleaner.extract

    monkeypatch.setattr(cleaner.extract, "paragraph_chars", lambda tree: 10**6)
    modes = modes_run(monkeypatch)
    extract_html(PAGE, enough_words=1)
    assert modes == [True, False]


def test_one_extraction_without_enough_words(monkeypatch: pytest.MonkeyPatch) -> None:
    modes = modes_run(monkeypatch)
    extract_html(PAGE)
    assert modes == [False]


@given(st.lists(st.sampled_from(HEAD_WORDS), min_size=1, max_size=3).map(" ".join),
       st.lists(st.sampled_from([*HEAD_WORDS, "\n", "\n\n", "Coast", "coastal"]), max_size=12).map("".join))
@example("Coast News", "© 2024 coast\nNEWS")
@example("a b", "xa  bx")
def test_folded_in_is_a_search_of_the_folded_text(site: str, text: str) -> None:
    needle = folded(site)
    if needle:
        assert folded_in(needle, text) is (needle in folded(text))
