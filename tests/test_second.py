"""The second extractor's opinion: prose trafilatura cut is added back, chrome it adds is removed with a reason."""

import pytest

from cleaner.config import Config
from cleaner.document import Line
from cleaner.pipeline import Pipeline
from cleaner.second import (
    FAST_PATH, ONE_EXTRACTOR, SECOND_OPINION, FastPath, cut_short, parse_with_resiliparse, prune, pruned_text, union, words_of,
)

PROSE = [f"Paragraph {n} of the article tells the reader about the harbour and its long repairs this year." for n in range(6)]

# An article whose middle paragraph trafilatura misses (it stands in an unusual container) but resiliparse reads.
CASES = [
    # (first extractor's lines, second's, expected (text start, removed_by, note)), comment
    ([PROSE[0], PROSE[2]], [PROSE[0], PROSE[1], PROSE[2]],
     [(PROSE[0], None, ""), (PROSE[1], None, "only in resiliparse"), (PROSE[2], None, "")],
     "a paragraph missing between two both have is added"),
    ([PROSE[0], PROSE[2]], [PROSE[0], "Share on Facebook", PROSE[2]],
     [(PROSE[0], None, ""), ("Share on Facebook", ONE_EXTRACTOR, "only in resiliparse"), (PROSE[2], None, "")],
     "an addition that is not prose is removed with its reason"),
    ([PROSE[0], PROSE[1]], [PROSE[0], PROSE[1], PROSE[2]],
     [(PROSE[0], None, ""), (PROSE[1], None, "")],
     "at the body's edge, trafilatura's full text is trusted"),
    ([PROSE[0]], PROSE,
     [(PROSE[0], None, "")] + [(p, None, "only in resiliparse") for p in PROSE[1:]],
     "a body cut short gets the rest of the article"),
    ([PROSE[4], PROSE[0] + " " + PROSE[1], PROSE[3]], [PROSE[4], PROSE[0], PROSE[1], PROSE[2], PROSE[3]],
     [(PROSE[4], None, ""), (PROSE[0] + " " + PROSE[1], None, ""), (PROSE[2], None, "only in resiliparse"), (PROSE[3], None, "")],
     "pieces of a line trafilatura already has are not added twice"),
    ([PROSE[0], PROSE[2]], [PROSE[0], "Read how the ferry company plans to run more boats to the islands next summer, and why\u2026", PROSE[2]],
     [(PROSE[0], None, ""), ("Read how the ferry company plans to run more boats to the islands next summer, and why\u2026",
       ONE_EXTRACTOR, "only in resiliparse"), (PROSE[2], None, "")],
     "a teaser cut off with an ellipsis is removed with its reason"),
    ([PROSE[1], PROSE[2]], ["Menu", "Harbour reopens", PROSE[0], PROSE[1], PROSE[2]],
     [(PROSE[0], None, "only in resiliparse"), (PROSE[1], None, ""), (PROSE[2], None, "")],
     "the prose just before trafilatura's body is its lede: added (and nothing before it)"),
    (PROSE[2:], ["Subscribe", PROSE[0], "Newsletter", *PROSE[1:]],
     [(PROSE[1], None, "only in resiliparse"), *((p, None, "") for p in PROSE[2:])],
     "a lede is a run of prose that ends where trafilatura's body starts"),
    ([PROSE[1], PROSE[2]], [PROSE[0], PROSE[1], PROSE[2], PROSE[3]],
     [(PROSE[0], None, "only in resiliparse"), (PROSE[1], None, ""), (PROSE[2], None, "")],
     "a paragraph after trafilatura's last line is still left out"),
]


@pytest.mark.parametrize(("first", "second", "expected", "comment"), CASES, ids=[c[-1] for c in CASES])
def test_union(first, second, expected, comment):
    lines = union([Line(t) for t in first], [Line(t) for t in second], "resiliparse")
    assert [(line.text, line.removed_by, line.note) for line in lines] == expected, comment


@pytest.mark.parametrize(("first", "second", "expected", "comment"), CASES, ids=[c[-1] for c in CASES])
def test_union_with_the_second_s_words_counted_already_is_the_same(first, second, expected, comment):
    second_lines = [Line(t) for t in second]
    lines = union([Line(t) for t in first], second_lines, "resiliparse", second_words=words_of(second_lines))
    assert [(line.text, line.removed_by, line.note) for line in lines] == expected, comment


def test_cut_short_weighs_the_second_s_words_it_is_given() -> None:
    """The pipeline counts the second extractor's words once, for extraction, and hands them on."""
    first, second = [Line(PROSE[0])], [Line(p) for p in PROSE]
    assert cut_short(first, second, SECOND_OPINION)
    assert cut_short(first, second, SECOND_OPINION, words_of(second))
    assert not cut_short(first, second, SECOND_OPINION, words_of(first))


PAGE = """<html><head><title>Harbour</title></head><body><nav><a href="/">Home</a> <a href="/n">News</a></nav>
<article><h1>Harbour reopens after repairs</h1>
{paragraphs}
</article><footer>Contact us</footer></body></html>"""


def test_second_extractor_switch():
    html = PAGE.format(paragraphs="\n".join(f"<p>{p}</p>" for p in PROSE))
    with_second = Pipeline(Config(second_extractor="resiliparse")).parse(html, "a.html", "html")
    without = Pipeline(Config(second_extractor="none")).parse(html, "a.html", "html")
    assert [line.text for line in without.lines] == [line.text for line in with_second.lines if not line.note]
    assert all(line.removed_by is None for line in without.lines)


ARTICLE = "<main><h1>Hafen wieder offen</h1>" + "".join(f"<p>{p}</p>" for p in PROSE) + "</main>"


@pytest.mark.parametrize("chrome", [
    '<nav><a href="/">Start</a> <a href="/politik">Politik</a></nav>',
    '<div class="site-footer">Impressum · Datenschutz · Kontakt</div>',
    '<ol class="Breadcrumb"><li>Startseite</li><li>Region</li></ol>',
    '<div id="newsletter-box">Abonnieren Sie unseren Newsletter</div>',
    '<section class="cookie-notice">Diese Website verwendet Cookies</section>',
    '<aside class="related-posts"><a>Fähre fährt wieder</a></aside>',
    '<div class="author-box">Anna Berger schreibt seit 2010 über die Küste und ihre Häfen.</div>',
    '<div class="widget widget_recent_entries"><h3>Neueste Beiträge</h3><a>Sturm über der Nordsee</a></div>',
])
def test_the_fast_path_prunes_chrome_by_its_markup_in_any_language(chrome: str) -> None:
    tree = parse_with_resiliparse(f"<html><body>{chrome}{ARTICLE}</body></html>")
    text = pruned_text(tree)
    assert PROSE[0] in text and PROSE[-1] in text
    chrome_text = parse_with_resiliparse(chrome).body.text.strip()
    assert chrome_text[:12] not in text


def test_the_fast_path_keeps_an_article_inside_a_wrapper_named_like_chrome() -> None:
    # A page wrapper named "has-footer" holds most of the body's text: it is not chrome.
    tree = parse_with_resiliparse(f'<html><body><div class="layout has-footer">{ARTICLE}</div><footer>Impressum</footer></body></html>')
    assert prune(tree) == 1
    assert PROSE[0] in pruned_text(tree)


def test_pruning_is_the_fast_path_s_only() -> None:
    # The second opinion (`--second-extractor resiliparse`) reads the page unpruned, as before.
    page = f'<html><body>{ARTICLE}<div class="newsletter-box"><p>{PROSE[0].replace("harbour", "airport")}</p></div></body></html>'
    assert "airport" in resiliparse_text_of(page)
    assert "airport" not in pruned_text(parse_with_resiliparse(page))
    assert prune(parse_with_resiliparse(page), FastPath(prune=())) == 0
    assert 0 < FAST_PATH.max_share < 1


def resiliparse_text_of(page: str) -> str:
    from cleaner.second import resiliparse_text

    return resiliparse_text(page)


def test_what_the_fast_path_takes_out_is_detached_from_the_tree_as_prune_removes_it() -> None:
    from cleaner.second import resiliparse_text, take_out

    page = (f'<html><body><nav>Start</nav><div id="a">lead <div class="site-footer">Impressum</div>{ARTICLE}'
            '<footer>Kontakt</footer> tail</div><div class="newsletter">Abo</div></body></html>')
    tree = parse_with_resiliparse(page)
    taken = take_out(tree)
    assert [element.tag for element in taken] == ["nav", "div", "footer", "div"] and all(e.parent is None for e in taken)
    assert "Impressum" not in tree.body.text and "Abo" not in tree.body.text
    assert resiliparse_text(tree) == pruned_text(parse_with_resiliparse(page))


def test_a_fast_path_page_given_to_trafilatura_keeps_resiliparse_s_text_for_the_second_opinion() -> None:
    from cleaner.extract import extractor_named

    # Too few words for resiliparse (`FAST_PATH.min_words`): trafilatura extracts the page.
    page = f"<html><body><nav>Start</nav><main><h1>Hafen</h1><p>{PROSE[0]}</p></main><footer>Kontakt</footer></body></html>"
    found = extractor_named("resiliparse").extract(page)
    assert found.extractor == "trafilatura" and found.second_text == pruned_text(parse_with_resiliparse(page))
    pipeline = Pipeline(Config(extractor="resiliparse"))
    lines = [line.text for line in pipeline.second_lines(page, "trafilatura", found.second_text)]
    assert lines == ["Hafen", PROSE[0]]
    assert extractor_named("resiliparse").extract(LONG_ARTICLE_PAGE).second_text is None


LONG_ARTICLE_PAGE = f"<html><body><nav>Start</nav>{ARTICLE}</body></html>"


def test_take_out_skips_matches_inside_a_container_it_took_and_finds_those_inside_one_it_kept() -> None:
    """A match inside a dropped container is skipped (the one before it in document order); inside a kept wrapper, taken."""
    from cleaner.second import take_out

    wrapper = f'<div class="has-footer">{ARTICLE}<div class="newsletter">Abo <nav>Start</nav></div><p class="copyright">(c)</p></div>'
    page = f'<html><body><footer>Kontakt <div class="social">Teilen</div></footer>{wrapper}<nav>Ende</nav></body></html>'
    tree = parse_with_resiliparse(page)
    taken = take_out(tree)
    assert [element.tag for element in taken] == ["footer", "div", "p", "nav"]
    assert "Teilen" not in tree.body.text and "Start" not in tree.body.text and PROSE[0] in tree.body.text
