"""Lines looked up in the page they came from: a paragraph that is a link to another page is not the article's text."""

import pytest
from lxml.html import document_fromstring, fromstring
from resiliparse.parse.html import HTMLTree

from cleaner.api import clean_html
from cleaner.config import Config
from cleaner.document import Line
from cleaner.layout import LINK_PARAGRAPH, LxmlTree, linked_paragraphs, mark_link_paragraphs

PROSE = [
    "The harbour reopened on Monday after three months of repairs to the sea wall, which the winter storms broke.",
    "Fishing boats were the first to return, followed in the afternoon by the ferry to the islands and its passengers.",
    "The harbour master said the new wall should hold for fifty years, even against storms stronger than this winter's.",
]


def page(*blocks: str, head: str = "") -> str:
    body = "\n".join(blocks)
    return f"<html><head><title>Harbour reopens</title></head><body>{head}<article><h1>Harbour reopens</h1>{body}</article></body></html>"


# The default path gives layout.py lxml's tree of the page, the fast path resiliparse's: each test runs on both.
PARSERS = {"lxml": document_fromstring, "resiliparse": HTMLTree.parse}


@pytest.fixture(params=sorted(PARSERS))
def parse(request):
    return PARSERS[request.param]


def marked(html: str, texts: list[str], parse=document_fromstring) -> list[tuple[str, str | None]]:
    lines = mark_link_paragraphs([Line(text) for text in texts], parse(html))
    return [(line.text, line.removed_by) for line in lines]


CASES = [
    # (paragraph's markup, the line the extractor gave for it, removed?), comment
    ('<p>Read also: <a href="/ferry">Ferry company plans more boats to the islands</a></p>',
     "Read also: Ferry company plans more boats to the islands", True, "a lead-in and a link to another story"),
    ('<p><strong>Lea también: <a href="/x">El puerto reabre tras tres meses de obras</a></strong></p>',
     "Lea también: El puerto reabre tras tres meses de obras", True, "in any language: the markup tells, not the words"),
    ('<h3><a href="/other">Storm damage: what the insurers will pay</a></h3>',
     "Storm damage: what the insurers will pay", True, "a related story's headline"),
    ('<p>Ein Text mit <a href="/y">einem Link</a> in der Mitte eines Absatzes, der danach noch weiter geht</p>',
     "Ein Text mit einem Link in der Mitte eines Absatzes, der danach noch weiter geht", False, "a link inside running text"),
    ('<p><a href="/z">The harbour master explained why the wall had failed in the first storm of the year.</a></p>',
     "The harbour master explained why the wall had failed in the first storm of the year.", False, "a sentence that is a link"),
    ('<ul><li><a href="/a">Tide tables for the coming week</a></li></ul>',
     "- Tide tables for the coming week", False, "a list item: the article's own list of links"),
    ('<p><a href="https://coast.example.com/report">https://coast.example.com/report</a></p>',
     "https://coast.example.com/report", False, "a URL the article cites"),
    ('<h2>Tide tables for the coming week</h2>', "Tide tables for the coming week", False, "a heading with no link"),
    ('<div class="more"><a href="/n">More harbour news from the coast towns</a></div>',
     "More harbour news from the coast towns", True, "a link in a block of its own in an older layout"),
]


@pytest.mark.parametrize(("markup", "line", "removed", "comment"), CASES, ids=[c[-1] for c in CASES])
def test_link_paragraphs(markup, line, removed, comment, parse):
    html = page(f"<p>{PROSE[0]}</p>", markup, f"<p>{PROSE[1]}</p>")
    result = dict(marked(html, [PROSE[0], line, PROSE[1]], parse))
    assert result[line] == (LINK_PARAGRAPH if removed else None), comment
    assert result[PROSE[0]] is None and result[PROSE[1]] is None


def test_a_heading_that_the_table_of_contents_links_to_stays(parse):
    toc = '<div class="toc"><p><a href="#tides">Tide tables for the coming week</a></p></div>'
    html = page(toc, f"<p>{PROSE[0]}</p>", '<h2 id="tides">Tide tables for the coming week</h2>', f"<p>{PROSE[1]}</p>")
    assert dict(marked(html, [PROSE[0], "Tide tables for the coming week", PROSE[1]], parse))["Tide tables for the coming week"] is None


def test_a_line_inside_a_large_block_is_not_judged_by_its_links(parse):
    links = " ".join(f'<a href="/{n}">Another story number {n} about the coast</a>' for n in range(8))
    html = page(f"<div>Storm warnings for the weekend {links}</div>", f"<p>{PROSE[0]}</p>")
    assert dict(marked(html, ["Storm warnings for the weekend", PROSE[0]], parse))["Storm warnings for the weekend"] is None


def test_lines_already_removed_and_pages_without_a_tree_are_left_alone():
    lines = [Line("Read also: Ferry company plans more boats", removed_by="rule.read-also")]
    html = page('<p>Read also: <a href="/f">Ferry company plans more boats</a></p>')
    assert mark_link_paragraphs(lines, document_fromstring(html))[0].removed_by == "rule.read-also"
    assert mark_link_paragraphs([Line("Read also: x")], None)[0].removed_by is None


def test_linked_paragraphs_by_their_folded_text(parse):
    html = page('<p>Read <b>also</b>:  <a href="/f"><i>Ferry</i> news</a></p>', '<div><a href="/c"><h3>A card\'s headline</h3></a></div>',
                '<p>Plain text with no link at all.</p>')
    assert linked_paragraphs(parse(html)) == {"read also: ferry news": 10 / 21, "a card's headline": 1.0}



def test_linked_paragraphs_among_given_texts_measure_only_those_and_find_them_as_the_full_walk_does(parse):
    html = page('<p>Read <b>also</b>:  <a href="/f"><i>Ferry</i> news</a></p>', '<div><a href="/c"><h3>A card\'s headline</h3></a></div>',
                '<nav><a href="/m">Menu</a> <a href="/s">Sport</a></nav>', '<p>More: <a href="/t">Tide tables</a></p>')
    tree = parse(html)
    every = linked_paragraphs(tree)
    among = {"read also: ferry news", "a card's headline", "a line in no paragraph"}
    assert linked_paragraphs(tree, among=among) == {key: share for key, share in every.items() if key in among}
    assert len(every) > 2

def test_the_whole_pipeline_removes_the_link_paragraph_with_its_reason_and_no_heuristics_keeps_it():
    html = page(*(f"<p>{p}</p>" for p in PROSE[:2]),
                '<p><a href="/ferry">Ferry company plans more boats to the islands</a></p>',
                f"<p>{PROSE[2]}</p>")
    doc = clean_html(html)
    (line,) = [line for line in doc.lines if line.text.startswith("Ferry company")]
    assert line.removed_by == LINK_PARAGRAPH and "link" in line.note
    assert "Ferry company" not in doc.text and PROSE[2] in doc.text
    assert "Ferry company" in clean_html(html, config=Config(heuristics=False)).text


def test_the_fast_path_finds_link_paragraphs_in_resiliparse_s_tree_and_in_trafilatura_s_on_the_pages_it_gives_it():
    link = '<p><a href="/ferry">Ferry company plans more boats to the islands</a></p>'
    short = page(*(f"<p>{p}</p>" for p in PROSE[:2]), link, f"<p>{PROSE[2]}</p>")
    long = page(*(f"<p>{p}</p>" for p in PROSE * 2), link, f"<p>{PROSE[2]}</p>")
    fell_back, fast = (clean_html(html, config=Config(extractor="resiliparse")) for html in (short, long))
    assert (fell_back.extractor, fast.extractor) == ("trafilatura", "resiliparse")
    for doc in (fell_back, fast):
        (line,) = [line for line in doc.lines if line.text.startswith("Ferry company")]
        assert line.removed_by == LINK_PARAGRAPH, doc.extractor
    assert PROSE[2] in fast.text


@pytest.mark.parametrize("markup", [
    "<a href=/x>Tide tables</a>", "<a href=/x></a>", "<a href=/x>Tide <b>tables</b> today</a>",
    "<a href=/x>Tide <!-- a comment --> tables</a>", "<p>Read <a href=/x>more</a> here</p>", "<a href=/x>caf&eacute; &amp; bar</a>",
])
def test_lxml_text_is_text_content_with_or_without_children(markup: str) -> None:
    element = fromstring(f"<div>{markup}</div>")[0]
    assert LxmlTree(element).text(element) == element.text_content()


@pytest.mark.parametrize("words, candidate", [(25, True), (26, False)])
def test_a_linked_line_of_more_than_max_words_is_no_link_paragraph(words: int, candidate: bool, parse) -> None:
    from cleaner.layout import LINK_PARAGRAPHS, may_be_link

    text = " ".join(["harbour"] * words)
    assert may_be_link(text, LINK_PARAGRAPHS) is candidate and LINK_PARAGRAPHS.max_words == 25
    html = page(f"<p>{PROSE[0]}</p>", f'<p><a href="/x">{text}</a></p>')
    assert dict(marked(html, [PROSE[0], text], parse))[text] == (LINK_PARAGRAPH if candidate else None)


def test_resiliparse_s_block_and_link_ancestors_are_those_its_selectors_find() -> None:
    """`DomTree` walks up by tag where lexbor's `closest` matched selectors: the same element, in HTML and in SVG."""
    from cleaner.layout import BLOCK_SELECTOR, DomTree

    tree = HTMLTree.parse('<DIV><P>Read <b><a id=l href=/x>more</a></b></P></DIV><h2>Ferry <svg><a><text id=s>news</text></a></svg></h2>'
                          '<h3>Tides</h3>')
    page, link = DomTree(tree), tree.document.get_element_by_id("l")
    assert page.block_around(link) == link.parent.closest(BLOCK_SELECTOR) and page.block_around(link).tag == "p"
    assert page.block_around(tree.document.query_selector("div")) is None
    svg_text = tree.document.get_element_by_id("s")
    assert page.has_link(svg_text) is (svg_text.closest("a") is not None) is True
    assert [page.has_link(heading) for heading in page.headings()] == [True, False]
