"""The second extractor's opinion: prose trafilatura cut is added back, chrome it adds is removed with a reason."""

import pytest

from cleaner.config import Config
from cleaner.document import Line
from cleaner.pipeline import Pipeline
from cleaner.second import ONE_EXTRACTOR, union

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
