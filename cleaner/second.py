"""A second opinion on an HTML page's main text, from a differently built extractor.

trafilatura sometimes cuts an article short (a paragraph in an unusual
container, the last part of a long page), and nothing after extraction can
bring back what it cut. resiliparse finds the main content with other DOM
heuristics and no fallback chain, so it loses different things. The
document is built from the line-by-line union of both bodies, in page
order: the lines are aligned (`difflib.SequenceMatcher` on folded lines),
and a line only the second extractor found is added where it stands among
trafilatura's lines (at the edges of the body only when trafilatura's text
is much shorter than the second's). An added line that does not read as prose
(`features.is_prose`: a sentence of 8 words, or any line of 20), or that is
a teaser cut off with an ellipsis (`is_teaser`), is removed
at once as `extract.one-extractor-v1`, with a note naming the extractor
that had it: a second extractor's extra headings, captions and menus are
what trafilatura was right to leave out. A kept addition carries the note
too, so `cleaner explain` shows where every line came from.

A line that is only a piece of text trafilatura already has (resiliparse
splits at `<br>` where trafilatura does not, or the reverse) adds nothing
and is not added. The lines trafilatura alone found stay: they are the
first opinion, and the heuristics weigh them as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from cleaner.document import Line
from cleaner.features import is_prose, word_count

ONE_EXTRACTOR = "extract.one-extractor-v1"
NOT_ALNUM = re.compile(r"[\W_]+")
# The ASCII characters `NOT_ALNUM` matches, as bytes: deleted from UTF-8 with `bytes.translate`, a C loop.
ASCII_NOT_ALNUM = bytes(c for c in range(128) if not chr(c).isalnum())
SECOND_EXTRACTORS = ("resiliparse", "none")
# How a teaser for another page ends: its text cut off with an ellipsis.
TEASER_ENDS = ("\u2026", "...")
# What resiliparse reads that article gold leaves out: figures and their captions, asides, forms.
SKIPPED = ["figure", "figcaption", "aside", "form", "[class*=caption]", "[class*=comment]"]
# With comments kept (`--comments keep`), the comment sections stay.
SKIPPED_WITH_COMMENTS = [selector for selector in SKIPPED if "comment" not in selector]


@dataclass(frozen=True, slots=True)
class SecondOpinion:
    """When the second extractor's lines count.

    min_words
        An added line has at least this many words (`features.word_count`)
        besides reading as prose: a short sentence alone among chrome
        ("Subscribe to our newsletter.") is more often a call to action than
        a paragraph trafilatura lost. With the teaser guard, on
        trafilatura-eval html (the whole cleaner): 5 or 8 F1 0.935
        (TP 2812, FP 255), 12 F1 0.934 (TP 2809, FP 252).

    short_share
        Lines the second extractor has before trafilatura's first line or
        after its last are added only when trafilatura's body has fewer
        words than this share of the second's: trafilatura cut the article
        short. Otherwise the edges are where the two disagree about chrome
        (a teaser, an author box, comments), and trafilatura is more often
        right; lines missing between two lines both have are added on every
        page. On trafilatura-eval (text after trafilatura and the cleaner,
        no other step): edges never F1 0.933, always 0.928, below a share
        of 0.3 or 0.5 0.934, 0.7 0.932.
    """

    min_words: int = 8
    short_share: float = 0.5
    lede_lines: int = 3


SECOND_OPINION = SecondOpinion()


def words_of(lines: list[Line]) -> int:
    """The words (`features.word_count`) of an extractor's lines: what `cut_short` and `extract.FastFirst` weigh."""
    return sum(word_count(line.text) for line in lines)


@dataclass(frozen=True, slots=True)
class FastPath:
    """How `--extractor resiliparse` (the fast HTML path) prunes a page's tree before it reads the main text.

    prune
        CSS selectors of page chrome by its markup: the HTML5 elements for
        navigation and footers, and class or id names that say footer,
        breadcrumb, pagination, newsletter, subscription, cookie or consent
        notice, rating, copyright, related links, a pop-up, an author box,
        recommendations, a promotion, a widget, a sponsor, an
        advertisement or social-network buttons. Names, not words of any language: they hold on pages
        in every language. The last six (trafilatura-eval / cleanportaleval /
        zh-news html, with link paragraphs): without them 0.925 / 0.930 /
        0.943; author alone 0.927 / 0.930; all six 0.928 / 0.932 / 0.943.
        Social alone: trafilatura-eval 0.9278 -> 0.9282, the others the same.
        Measured and left out: teaser (0.923: some sites call their lead a
        teaser), aside and sidebar (0.925), share and social together
        (0.924), menu (0.9276, zh-news 0.9377), toolbar and print (0.9276),
        login and search, banner, byline (no change), tags (0.9276), an
        id with sidebar (cleanportaleval 0.9313).
    max_share
        A container that matches is dropped only when its text is at most
        this share of the body's: a site that names its page wrapper
        "has-footer" or "newsletter-page" keeps its article.
    min_words
        A page where resiliparse's pruned main text has fewer words than
        this (`features.word_count`) is extracted by trafilatura instead:
        resiliparse found no main content, or took a box of chrome for it
        ("You might also like", a sign-up prompt). Pages falling back of
        trafilatura-eval's 990, and HTML F1 of the fast path
        (trafilatura-eval / cleanportaleval / zh-news): none 0.907 / 0.930 /
        0.892 (before the path stopped parsing with lxml, whose tree gave
        link paragraphs 0.003 of it); 50 words: 41 pages, 0.918 / 0.930 /
        0.936; 80: 66, 0.921 / 0.930 / 0.941. From the cleaner's outputs of
        both paths, page by page: 120 as 80, 200 (164 pages) 0.928 / 0.928 /
        0.936. A fallback costs a trafilatura extraction, and the pages
        resiliparse cannot read are heavy ones (75 ms each in full mode,
        against about 25 ms for a whole fast-path page), so the threshold
        stays at the knee.
    paragraph_ratio
        A page whose pruned tree's `<p>` elements hold over this many times
        the main text's characters goes to trafilatura too: resiliparse's
        main content is a part of the article (the default path's
        `extract.FastFirst.paragraph_ratio` is the same sign). It sends 27
        of the 1,107 HTML dev pages there, about 0.7 ms a page on the fast
        path with the paragraphs' count; F1 without / 3 / 2.5 / 2 / 1.5
        (trafilatura-eval, cleanportaleval, zh-news): 0.9282 / 0.9316 /
        0.9434, 0.9287 / 0.9316 / 0.9434, 0.9290 / 0.9316 / 0.9434,
        0.9291 / 0.9312 / 0.9434, 0.9296 / 0.9319 / 0.9433 (1.5 sends 73
        pages of trafilatura-eval's 990).
    fallback_fast
        The fallback runs trafilatura's fast mode (its main extractor,
        without the comparison with readability and jusText): on
        trafilatura-eval's 41 fallback pages at 50 words it took 2.0 s
        instead of 3.0 s, for the same F1 (0.922 / 0.930 / 0.938, with
        lxml's link paragraphs).
    fallback_favor
        What the fallback asks trafilatura to favour when the run itself is
        balanced (an explicit `--favor` is kept): the pages that fall back
        are those resiliparse read too little of, and trafilatura's recall
        mode is its main extractor with looser limits and without the
        balanced mode's escalation (the whole page's `html2txt` as a
        measure and a retry in recall mode on the pages it finds short).
        On trafilatura-eval's 127 fallback pages 11.9 instead of 15.4 ms a
        page (lxml's parse included, 5 rounds, the minimum), and HTML F1
        of the fast path (trafilatura-eval / cleanportaleval / zh-news)
        0.92905 / 0.93155 / 0.94339 -> 0.92920 / 0.93155 / 0.94371;
        precision 0.92706 / 0.93155 / 0.93803.

    The fallback is the largest part of the path's time: in the in-process
    pipeline over trafilatura-eval (9.7 ms a page at load average 1, py-spy)
    its trafilatura takes 2.2 ms a page of the 990 (20 ms on each of its 127
    pages, lxml's parse included), beside resiliparse's text 1.3 ms, the
    pruning's query 0.85 ms and resiliparse's parse 0.6 ms. A fallback page
    keeps resiliparse's pruned main text for its second opinion, which
    reads no text of its own there (`extract.Extracted.second_text`), and the
    metadata read from resiliparse's tree (lxml's look-ups, 0.5 ms a page, gave the same on
    all 138 fallback pages of trafilatura-eval and zh-news). Measured alone
    on those 128 pages, trafilatura's fast mode took 20.7 ms a page in its
    balanced mode: its raw-tree pruning a third, the main extractor 37%, the
    escalation's `html2txt` of the whole page 17% (75 pages), the recall
    retry 8% (26), tree copies 9%; its recall mode (`fallback_favor`) runs
    neither the escalation nor the retry. The
    pruning's query is one walk of the body with all of `prune` (lexbor
    tries each selector on each element: about 0.024 ms a page a selector),
    and a page that resiliparse reads leaves the containers taken out to be
    freed with its tree.
    """

    prune: tuple[str, ...] = (
        "nav", "footer", "[role=navigation]", "[role=contentinfo]",
        "[class*=footer i]", "[id*=footer i]", "[class*=breadcrumb i]", "[id*=breadcrumb i]",
        "[class*=pagination i]", "[class*=newsletter i]", "[id*=newsletter i]", "[class*=subscribe i]",
        "[class*=cookie i]", "[id*=cookie i]", "[class*=consent i]", "[class*=rating i]",
        "[class*=copyright i]", "[class*=related i]", "[id*=related i]", "[class*=popup i]",
        "[class*=author i]", "[class*=recommend i]", "[class*=promo i]", "[class*=widget i]",
        "[class*=sponsor i]", "[class*=advert i]", "[class*=social i]",
    )
    max_share: float = 0.3
    min_words: int = 80
    paragraph_ratio: float = 2.5
    fallback_fast: bool = True
    fallback_favor: str = "recall"

    def fallback_favoring(self, favor: str) -> str:
        """What the fallback's trafilatura favours in a run that favours `favor`: `fallback_favor` for a balanced run.

        >>> FastPath().fallback_favoring("balanced"), FastPath().fallback_favoring("precision")
        ('recall', 'precision')
        """
        return self.fallback_favor if favor == "balanced" else favor


FAST_PATH = FastPath()


def parse_with_resiliparse(html: str):  # -> resiliparse's HTMLTree | None
    """`html` parsed by resiliparse; None when it yields no document."""
    from resiliparse.parse.html import HTMLTree

    tree = HTMLTree.parse(html)
    return tree if tree.document is not None else None


def resiliparse_text(html, comments: bool = False) -> str:
    """The main text of `html` (a string or a parsed tree) by resiliparse (`extract_plain_text` with `main_content`), "" when it finds none.

    With `comments`, the comment sections resiliparse recognises are kept
    (as `--extractor resiliparse --comments keep` asks).
    """
    from resiliparse.extract.html2text import extract_plain_text

    tree = parse_with_resiliparse(html) if isinstance(html, str) else html
    if tree is None:
        return ""
    return extract_plain_text(
        tree, main_content=True, list_bullets=False, alt_texts=False, comments=comments, post_meta=False,
        skip_elements=SKIPPED_WITH_COMMENTS if comments else SKIPPED,
    ) or ""


def pruned_text(tree, path: FastPath = FAST_PATH, comments: bool = False) -> str:
    """`resiliparse_text` of `tree` after the chrome `path.prune` selects is taken out of it (the tree is changed)."""
    prune(tree, path)
    return resiliparse_text(tree, comments=comments)


def prune(tree, path: FastPath = FAST_PATH) -> int:
    """Remove from `tree`'s body the containers `path.prune` selects that hold at most `path.max_share` of its text; how many.

    >>> from resiliparse.parse.html import HTMLTree
    >>> tree = HTMLTree.parse("<body><main><p>" + "Text of the article. " * 10 + "</p></main>"
    ...     "<div class='site-footer'>Imprint</div></body>")
    >>> prune(tree), "Imprint" in tree.body.text
    (1, False)
    """
    taken = take_out(tree, path)
    for element in taken:
        element.decompose()
    return len(taken)


def take_out(tree, path: FastPath = FAST_PATH) -> list:
    """The containers `prune` removes, detached from `tree` but not destroyed.

    The fast path leaves them to lexbor, which frees every node of a
    document with it, detached ones too (destroying them one by one cost
    0.06 ms a page).
    """
    body = tree.body
    if body is None or not path.prune:
        return []
    limit = path.max_share * len(body.text or "")
    dropped = []
    # `values()`: iterating resiliparse's DOMCollection itself makes its nodes one at a time, 30 times slower.
    # The matches come in document order and the dropped containers never nest, so a match inside one is inside
    # the last one dropped (every element between that container and the match in document order is inside it too):
    # one `contains` a match instead of one per container dropped before it (0.10 -> 0.03 ms a page, 43 matches).
    for element in body.query_selector_all(", ".join(path.prune)).values():
        if dropped and dropped[-1].contains(element):
            continue
        if len(element.text or "") <= limit:
            dropped.append(element)
    return [element.parent.remove_child(element) for element in dropped]


def key(text: str) -> str:
    """How lines of the two extractors are compared: letters and digits only, case folded.

    The two render the same markup with other spaces and punctuation at
    element edges (one writes "shot?) Articles" where the other writes
    "shot?Articles"): compared so, a paragraph both have is one.

    >>> key("  The Harbour   reopened (again) ") == key("The harbour reopened(again)")
    True
    >>> key("„Der Hafen“ öffnet – wieder_2024!")
    'derhafenöffnetwieder2024'

    ASCII punctuation and spaces go first by bytes (a UTF-8 multi-byte
    character has no ASCII byte in it); the regular expression is left only
    the lines with other punctuation, shorter by then. The same key as
    `NOT_ALNUM.sub` alone, at a third of its time on trafilatura-eval.
    """
    kept = text.encode("utf-8", "surrogatepass").translate(None, ASCII_NOT_ALNUM).decode("utf-8", "surrogatepass")
    if kept.isascii():
        return kept.lower()
    if not kept.isalnum():
        kept = NOT_ALNUM.sub("", kept)
    return kept.casefold()


def union(first: list[Line], second: list[Line], name: str, opinion: SecondOpinion = SECOND_OPINION,
          second_words: int | None = None) -> list[Line]:
    """`first`'s lines with the lines only `second` has, each where it stands, and the additions that are not prose removed.

    Lines before `first`'s first line or after its last are added only when
    `first` is cut short (`cut_short`). `second_words` is `words_of(second)`
    when the caller has counted it (the pipeline has, for the fast-first
    extraction), so that it is not counted again.

    >>> lines = union([Line("Headline"), Line("A first paragraph of the article, long enough to be prose.", True)],
    ...     [Line("A first paragraph of the article, long enough to be prose."),
    ...      Line("A second paragraph that the first extractor cut, also long enough to read as prose.", True),
    ...      Line("Share this")], "resiliparse")
    >>> [(line.text[:8], line.removed_by, line.note) for line in lines]  # doctest: +NORMALIZE_WHITESPACE
    [('Headline', None, ''), ('A first ', None, ''), ('A second', None, 'only in resiliparse'),
     ('Share th', 'extract.one-extractor-v1', 'only in resiliparse')]
    """
    first_keys = [key(line.text) for line in first]
    known_keys = {line.text: k for line, k in zip(first, first_keys)}  # most lines of the second are the first's text
    second_keys = [known_keys.get(line.text) or key(line.text) for line in second]
    known = "\n".join(first_keys)
    edges: bool | None = None  # `cut_short`, worked out at the first addition at an edge
    merged: list[Line] = []
    matcher = SequenceMatcher(None, first_keys, second_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        merged.extend(first[i1:i2])
        if tag not in ("insert", "replace"):
            continue
        inside = 0 < i1 < len(first) and 0 < i2 < len(first)
        if not inside and edges is None:
            edges = cut_short(first, second, opinion, second_words)
        if edges or inside:
            candidates = range(j1, j2)
        elif i1 == 0 and i2 < len(first):
            candidates = lede(second, j1, j2, opinion)
        else:
            continue
        pieces = first_keys[i1:i2]
        for j in candidates:
            if second_keys[j] in known or any(piece and piece in second_keys[j] for piece in pieces):
                continue
            merged.append(added(second[j], name, opinion))
    return merged


def lede(second: list[Line], j1: int, j2: int, opinion: SecondOpinion) -> range:
    """The run of prose that ends the second's lines `j1:j2` just before the first's body starts: a lede trafilatura left out."""
    start = j2
    while start > j1 and j2 - start < opinion.lede_lines and reads_as_addition(second[start - 1].text, opinion):
        start -= 1
    return range(start, j2)


def cut_short(first: list[Line], second: list[Line], opinion: SecondOpinion, second_words: int | None = None) -> bool:
    """Whether `first` has fewer words than `opinion.short_share` of `second`'s (`second_words` when counted already): it lost part of the article."""
    return words_of(first) < opinion.short_share * (words_of(second) if second_words is None else second_words)


def added(line: Line, name: str, opinion: SecondOpinion) -> Line:
    """A line only the second extractor had: kept when it reads as prose, else removed as `ONE_EXTRACTOR`."""
    kept = reads_as_addition(line.text, opinion)
    return Line(line.text, True, None if kept else ONE_EXTRACTOR, f"only in {name}")


def reads_as_addition(text: str, opinion: SecondOpinion) -> bool:
    """Prose of `opinion.min_words` words or more that is not a teaser: a line worth adding."""
    words = word_count(text)
    return words >= opinion.min_words and is_prose(text, words) and not is_teaser(text)


def is_teaser(text: str) -> bool:
    """A line cut off with an ellipsis: a teaser for another page (a related article, a news box), not a lost paragraph.

    trafilatura leaves such boxes out; resiliparse reads them when they
    stand inside the main content. On trafilatura-eval, of the additions
    that passed the prose test, 152 end so: 7 boilerplate snippets, 1 of
    the article, the rest neither.

    >>> is_teaser("Prices for daily life are exploding and many do not know how to pay the rent. In\u2026")
    True
    >>> is_teaser("The harbour reopened on Monday after three months of repairs to the sea wall.")
    False
    """
    return text.rstrip().endswith(TEASER_ENDS)
