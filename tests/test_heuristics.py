"""Heuristics: each named step on small inputs (keep and drop), the seeds end to end, and the gentle HTML path."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.api import clean_text
from cleaner.config import Config
from cleaner.document import Document, lines_from_text
from cleaner.heuristics import (
    ASCII_SEPARATOR, BODY_BOUNDS, BOILERPLATE_LINE, INLINE_HEADLINE, LINK_RUN, STEP_NAMES, STOPLIST_GUESS, Heuristics, LazyMeasures,
    SEPARATOR_CHARS, LineMeasurer,
    Measure, guess_stoplist, is_menu_row, is_url_line, language_sample, max_run, measure_lines, prose_runs, stoplists,
    title_case,
    word_measures, wrapped_groups,
)
from cleaner.pipeline import Pipeline

PROSE = [
    "The harbour reopened on Monday after three months of repairs to the old sea wall, the council said in a statement.",
    "Fishermen who had moved their boats to a neighbouring town said they were glad to be back, although the fees have gone up.",
    "The works cost more than planned because storms in the winter damaged the new stones before they had set properly.",
    "A second phase, which will widen the entrance for larger ships, is due to start next spring if the funding is approved.",
    "Local shops expect the return of the ferry to bring visitors back to the town centre during the summer months.",
]


def doc_of(lines: list[str], kind: str = "text", title: str = "", extractor: str = "") -> Document:
    return Document(source="t", kind=kind, lines=lines_from_text("\n\n".join(lines)), title=title, extractor=extractor)


def step(name: str, favor: str = "balanced"):
    return dict(Heuristics(favor).steps)[name]


def removed(doc: Document) -> dict[str, str]:
    return {line.text: line.removed_by for line in doc.lines if line.removed_by}


def test_steps_are_named_and_in_order() -> None:
    assert [name for name, _ in Heuristics().steps] == list(STEP_NAMES)
    assert all(re.fullmatch(r"heuristic\.[a-z-]+-v\d+", name) for name in STEP_NAMES)


def test_unknown_favor_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="precision, balanced, recall"):
        Heuristics("eager")


@pytest.mark.parametrize(
    "words, language",
    [
        ("the cat sat on the mat and it was happy with the result of the day".split(), "English"),
        ("der hund lief über die straße und wollte nicht mehr nach hause zurück".split(), "German"),
        # Galician's stoplist hits every word Spanish's hits, and "casa": the web's larger language wins a near tie.
        ("el perro corrió por la calle y no quiso volver a casa con nosotros".split(), "Spanish"),
        (["xyzzy"], None),
        # Scripts jusText has no stoplist for are named by their script, even with a Latin word or two.
        (["港口在修复三个月之后于周一重新开放，渔民们说他们很高兴能回来。", "ok"], "Chinese"),
        (["東京都は新しい計画を発表しました。市民の反応はさまざまです。"], "Japanese"),
        ("서울에서 열린 회의는 새로운 계획을 발표했다".split(), "Korean"),
        (["ประเทศไทยมีประชากรประมาณเจ็ดสิบล้านคน"], "Thai"),
    ],
)
def test_language_is_guessed_from_stopword_hits(words: list[str], language: str | None) -> None:
    assert guess_stoplist(words) == language


def test_measures() -> None:
    english = stoplists()["English"]
    prose, nav, url, cjk = measure_lines([PROSE[0], "Home | News | Sport | Video", "https://example.com/a", "日本語の文章です。とても長い文です。"], english)
    assert prose.sentence_end and prose.stop_density > 0.3 and prose.capitalised < 0.2 and not prose.link_like
    assert nav.link_like and nav.capitalised == 1.0
    assert url.link_like
    assert cjk.words >= 8 and cjk.sentence_end


def test_a_repeated_line_is_measured_once_and_equal_measures_share_a_score() -> None:
    english = stoplists()["English"]
    texts = ["Home", PROSE[0], "Home", "", PROSE[0], "News"]
    measures = measure_lines(texts, english)
    assert len(measures) == len(texts)
    assert measures[0] is measures[2] and measures[1] is measures[4]
    assert measures[0] == measures[5] and len({measures[0], measures[5]}) == 1  # same shape: one score
    assert measures[3] == Measure(0, False, 0.0, 1.0, 0.0, False)


def test_a_closing_quote_after_the_full_stop_still_ends_a_sentence() -> None:
    quoted, bare, unfinished = measure_lines(['He said: "We will reopen in May."»', "It is done.", "Read more »"], None)
    assert quoted.sentence_end and bare.sentence_end and not unfinished.sentence_end


def test_word_measures() -> None:
    stop = frozenset({"the", "of", "new"})
    density, caps, symbols = word_measures("The (new) Harbour of the town: 50% done", stop.__contains__)
    assert density == 4 / 8  # The, (new), of, the: clinging brackets do not hide a stopword
    assert caps == 2 / 8  # The, Harbour
    assert symbols == 6 / 32  # ( ) : 5 0 % among 32 characters that are not spaces
    assert word_measures("Ein kurzer Satz.", None)[0] == -1.0
    assert word_measures("... !!!", None) == (-1.0, 0.0, 1.0)


def test_link_shapes() -> None:
    assert is_url_line("https://example.com/a") and is_url_line("Mail: editor@example.com")
    assert not is_url_line("See https://example.com for the full report of the council")
    assert is_menu_row("Home | News | Sport") and is_menu_row("Home › World › Europe")
    assert not is_menu_row("Salt | pepper")


def test_menu_rows_count_every_separator_ascii_or_not() -> None:
    # is_menu_row counts only ASCII_SEPARATOR on an ASCII line: it must be the one ASCII separator.
    assert [c for c in SEPARATOR_CHARS if c.isascii()] == [ASCII_SEPARATOR]
    for line in ("a | b | c", "a | b", "a › b · c", "a | b • c", "café | menu", "| x", "no separator", "é", ""):
        assert is_menu_row(line) == (sum(line.count(c) for c in SEPARATOR_CHARS) >= 2), line


def test_language_sample_reads_the_longest_lines_first() -> None:
    long_line = "Der Hund lief (schnell) über die Straße und wollte nicht mehr nach Hause zurück, sagte man."
    longer = [f"{PROSE[0]} It was the {n}th such report this year." for n in range(20)]
    sample = language_sample(["Startseite", long_line, ""] + longer)
    assert sample[: len(PROSE[0].split())] == PROSE[0].lower().replace(",", "").replace(".", "").split()
    assert "hund" not in sample  # the budget is spent on the longer lines
    assert STOPLIST_GUESS.sample_words <= len(sample) < STOPLIST_GUESS.sample_words + len(longer[0].split())
    assert language_sample(["Startseite", long_line])[:4] == ["der", "hund", "lief", "schnell"]
    assert language_sample(["Home", "News"]) == []


def test_language_sample_reads_a_repeated_line_once() -> None:
    line = "Le port a rouvert lundi après trois mois de travaux sur la vieille digue, a dit la mairie."
    assert language_sample([line] * 5) == language_sample([line])


@pytest.mark.parametrize(
    "banner, body, language",
    [
        (
            "This page was archived by a web crawler and is shown as it was when the crawl was made.",
            [
                "Der Hafen wurde am Montag nach drei Monaten Arbeit an der alten Mauer wieder geöffnet, wie die Stadt mitteilte, "
                "und die Fischer, die ihre Boote in den Nachbarort gebracht hatten, sind froh, wieder da zu sein.",
                "Die Arbeiten haben mehr gekostet als geplant, weil die Stürme im Winter die neuen Steine beschädigt haben, "
                "bevor sie fest waren, und ein zweiter Abschnitt soll im nächsten Frühjahr beginnen.",
            ],
            "German",
        ),
        (
            "We use cookies to improve your experience on this site and to show you relevant content.",
            [
                "El puerto volvió a abrir el lunes después de tres meses de obras en el viejo muro, según dijo el ayuntamiento, "
                "y los pescadores que se habían llevado sus barcos al pueblo vecino están contentos de volver.",
                "Las obras costaron más de lo previsto porque las tormentas del invierno dañaron las piedras nuevas antes de que "
                "se asentaran, y una segunda fase empezará la próxima primavera si llega la financiación.",
            ],
            "Spanish",
        ),
    ],
)
def test_stoplist_is_the_body_s_under_a_banner_in_another_language(banner: str, body: list[str], language: str) -> None:
    """A banner at the top (an archive's notice, a cookie notice, repeated) does not name the body's language."""
    doc = doc_of([banner] * 10 + body)
    assert Heuristics().stoplist(doc) == stoplists()[language]


def test_stoplist_is_guessed_from_kept_lines_only() -> None:
    german = "Der Hund lief über die Straße und wollte nicht mehr nach Hause zurück, weil es schon dunkel war."
    doc = doc_of([german, PROSE[0], PROSE[1], PROSE[2]])
    heuristics = Heuristics()
    assert heuristics.stoplist(doc) == stoplists()["English"]
    for i in (1, 2, 3):
        doc.remove(i, "rule-x")
    assert heuristics.stoplist(doc) == stoplists()["German"]


def test_stoplist_ignores_a_detected_language() -> None:
    german = "Der Hund lief über die Straße und wollte nicht mehr nach Hause zurück, weil es schon dunkel war."
    doc = doc_of([german])
    doc.lang = "en"
    assert Heuristics().stoplist(doc) == stoplists()["German"]


# ---------------------------------------------------------------- boilerplate-line


def test_boilerplate_line_drops_menu_rows_and_keeps_prose_and_tables() -> None:
    doc = doc_of([PROSE[0], "Home | News | Sport | Video", "| 200 g | sugar |", "See https://example.com for the full report", PROSE[1]])
    step(BOILERPLATE_LINE)(doc)
    assert removed(doc) == {"Home | News | Sport | Video": BOILERPLATE_LINE}


# ---------------------------------------------------------------- body-bounds


def test_body_bounds_drops_chrome_before_and_after_the_body() -> None:
    menu = ["Home", "News", "Sport", "Weather", "Contact us"]
    footer = ["About", "Privacy policy", "Terms of use", "Follow us on Facebook"]
    doc = doc_of(menu + PROSE + footer)
    step(BODY_BOUNDS)(doc)
    assert [line.text for line in doc.kept_lines] == PROSE
    assert {line.note for line in doc.lines if line.removed_by == BODY_BOUNDS} == {"before body", "after body"}


def test_body_bounds_drops_a_blurb_behind_chrome_after_the_article() -> None:
    blurb = "Kazakhstan is a transcontinental country mainly located in Central Asia with a smaller portion in Europe."
    gap = ["Recent items", "Heavy rain floods the valley", "Top stories this week", "In this story", "Most read", "Newsletter"]
    doc = doc_of(PROSE + gap + [blurb])
    step(BODY_BOUNDS)(doc)
    assert [line.text for line in doc.kept_lines] == PROSE


def test_body_bounds_keeps_a_subheading_and_a_short_line_inside_the_body() -> None:
    lines = PROSE[:2] + ["Businesses divided", "Photo: the harbour"] + PROSE[2:]
    doc = doc_of(lines)
    step(BODY_BOUNDS)(doc)
    assert all(line.kept for line in doc.lines)


def test_body_bounds_keeps_everything_without_convincing_prose() -> None:
    doc = doc_of(["Home", "News", "Sport", "Contact"])
    step(BODY_BOUNDS)(doc)
    assert all(line.kept for line in doc.lines)


def test_body_bounds_prefers_the_run_under_the_title() -> None:
    legal = "We use cookies and similar technologies to store information on your device, to measure traffic and to show you relevant content."
    article = PROSE[:2]
    chrome = ["Cookie settings", "Accept", "Reject", "Manage options", "Privacy", "Imprint", "Contact"]
    doc = doc_of(["Harbour reopens after repairs"] + article + chrome + [legal, legal, legal], title="Harbour reopens after repairs - Town News")
    step(BODY_BOUNDS)(doc)
    assert doc.lines[1].kept and doc.lines[2].kept  # the run under the title wins, though the legal text is longer


@pytest.mark.parametrize(
    "between, kept",
    [
        # A standfirst kept apart from the body by a byline and a share bar opens the article.
        (["By Ann Smith", "Share", "Works on the old sea wall ended after three months."], True),
        # Short lines there (a byline, a date, share buttons) are not sentences: they stay out.
        (["By Ann Smith", "12 May 2024", "Share"], False),
    ],
)
def test_body_bounds_keeps_sentences_between_the_headline_and_the_body(between: list[str], kept: bool) -> None:
    menu = ["Home", "News", "Sport", "Weather"]
    doc = doc_of(menu + ["Harbour reopens after repairs"] + between + ["Newsletter", "Print"] + PROSE, title="Harbour reopens after repairs")
    step(BODY_BOUNDS)(doc)
    assert {line.text for line in doc.kept_lines} - set(PROSE) == ({between[-1]} if kept else set())
    assert all(doc.lines[i].removed_by == BODY_BOUNDS for i in range(len(menu)))


def long_body(lines: list[str], tail: str) -> list[str]:
    """A body many times longer than a one-sentence lede: distinct lines, as an article has."""
    return [f"{line} {tail.format(n)}" for n in range(1, 7) for line in lines]


LONG_BODY = long_body(PROSE, "It was the {}th report of the kind this year.")
GERMAN_BODY = long_body(
    [
        "Der Hafen wurde am Montag nach drei Monaten Arbeit an der alten Mauer wieder geöffnet, wie die Stadt mitteilte.",
        "Die Fischer, die ihre Boote in den Nachbarort gebracht hatten, sind froh, wieder da zu sein, auch wenn es teurer ist.",
        "Die Arbeiten haben mehr gekostet als geplant, weil die Stürme im Winter die neuen Steine beschädigt haben.",
    ],
    "Das war der {}. Bericht dieser Art in diesem Jahr.",
)
SPANISH_BODY = long_body(
    [
        "El puerto volvió a abrir el lunes después de tres meses de obras en el viejo muro, según dijo el ayuntamiento.",
        "Los pescadores que se habían llevado sus barcos al pueblo vecino están contentos de volver, aunque las tasas han subido.",
        "Las obras costaron más de lo previsto porque las tormentas del invierno dañaron las piedras nuevas antes de tiempo.",
    ],
    "Fue el informe número {} de este tipo en el año.",
)


@pytest.mark.parametrize(
    "headline, lede, gap, body",
    [
        (
            "Harbour reopens after repairs",
            "The old sea wall held through the first storm of the season.",
            ["Contents", "Repairs", "Costs", "The second phase", "Ferries", "Shops", "Reactions"],
            LONG_BODY,
        ),
        (
            "Hafen nach Reparatur wieder offen",
            "Die alte Mauer hat den ersten Sturm des Winters gut überstanden.",
            ["Inhalt", "Reparatur", "Kosten", "Zweiter Abschnitt", "Fähren", "Geschäfte", "Stimmen"],
            GERMAN_BODY,
        ),
        (
            "El puerto reabre tras las obras",
            "El viejo muro aguantó bien la primera tormenta del invierno.",
            ["Contenido", "Obras", "Costes", "Segunda fase", "Ferris", "Comercios", "Reacciones"],
            SPANISH_BODY,
        ),
    ],
)
def test_body_bounds_keeps_a_small_lede_just_under_the_headline(headline: str, lede: str, gap: list[str], body: list[str]) -> None:
    """A lede kept from a long body by a table of contents stays: it opens just under the title (v3)."""
    gap = gap * 4  # more than head_reach lines: the body's start is too far for the v2 rule
    doc = doc_of(["Home", "News", headline, lede] + gap + body, title=f"{headline} | Town News")
    step(BODY_BOUNDS)(doc)
    assert [line.text for line in doc.kept_lines] == [lede] + body


def test_body_bounds_drops_a_small_run_far_under_the_headline() -> None:
    notice = "We use cookies to measure traffic and to show you relevant content."
    chrome = ["Home", "News", "Sport", "Weather", "Video", "Contact", "Login", "Search", "Menu", "Close"]
    doc = doc_of(["Harbour reopens after repairs"] + chrome + [notice] + chrome * 3 + LONG_BODY, title="Harbour reopens after repairs")
    step(BODY_BOUNDS)(doc)
    assert [line.text for line in doc.kept_lines] == LONG_BODY


def test_body_bounds_keeps_nothing_above_the_body_without_a_headline_there() -> None:
    doc = doc_of(["Home", "Works on the old sea wall ended after three months.", "Newsletter", "Print", "Login"] + PROSE)
    step(BODY_BOUNDS)(doc)
    assert [line.text for line in doc.kept_lines] == PROSE


def test_body_bounds_never_reads_removed_lines_nor_brings_them_back() -> None:
    doc = doc_of(["Home"] + PROSE)
    doc.remove(1, "some-rule-v1")
    step(BODY_BOUNDS)(doc)
    assert doc.lines[1].removed_by == "some-rule-v1"
    assert doc.lines[0].removed_by == BODY_BOUNDS


# ---------------------------------------------------------------- body-bounds-v4: a line that leads into a paragraph

INTROS = {
    "en": "The council gave three reasons for the delay:",
    "de": "Die Stadt nannte drei Gründe für die Verzögerung:",
    "es": "El ayuntamiento dio tres razones para el retraso:",
    "zh": "市政府给出了工程推迟的三个原因：",
}


@pytest.mark.parametrize("lang", sorted(INTROS))
def test_body_bounds_keeps_a_colon_line_that_leads_into_the_body(lang: str) -> None:
    """A sentence that ends in a colon opens the body it leads into, in any language; it was cut as a short line (v3)."""
    body = {"en": PROSE, "de": GERMAN_BODY[:3], "es": SPANISH_BODY[:3], "zh": ZH_ARTICLE}[lang]
    menu = ["Home", "News", "Sport", "Weather", "Contact"]
    doc = doc_of(menu + [INTROS[lang]] + body + menu)
    step(BODY_BOUNDS)(doc)
    assert [line.text for line in doc.kept_lines] == [INTROS[lang]] + body


@pytest.mark.parametrize(
    "lead, after",
    [
        ("Read more about the harbour here:", ["Harbour fees go up", "Ferry returns in May", "Storm damages sea wall", "New shops open"]),
        ("Teilen Sie diesen Artikel mit Ihren Freunden:", ["Facebook", "Twitter", "E-Mail", "Drucken"]),
    ],
    ids=["links", "share-buttons"],
)
def test_body_bounds_drops_a_colon_line_that_leads_into_chrome(lead: str, after: list[str]) -> None:
    doc = doc_of(PROSE + [lead] + after)
    step(BODY_BOUNDS)(doc)
    assert [line.text for line in doc.kept_lines] == PROSE


def test_body_bounds_keeps_a_colon_line_between_paragraphs_at_the_end_of_the_body() -> None:
    """The last sentence of an article, after a colon line, no longer falls off with it."""
    ending = ["What remains is one certainty:", "The harbour is back."]
    footer = ["Home", "News", "Sport", "Weather", "Contact", "Imprint"]
    doc = doc_of(footer + PROSE + ending + footer)
    step(BODY_BOUNDS)(doc)
    assert [line.text for line in doc.kept_lines] == PROSE + ending


def test_a_colon_line_after_chrome_does_not_join_a_notice_to_the_body() -> None:
    """A notice's heading after the body's chrome leads into the notice, which is not the article's."""
    notice = [
        "All articles on this site marked as our own are protected by copyright and may not be copied without our written permission.",
        "Articles marked as taken from other media are reproduced for information only, and their views are not those of this site.",
    ]
    chrome = ["Print this page", "Recommend", "Close", "1 2 3 4 5", "Back to top"]
    doc = doc_of(LONG_BODY[:12] + chrome + ["Copyright and disclaimer of this site:"] + notice + ["Contact", "Imprint"])
    step(BODY_BOUNDS)(doc)
    assert [line.text for line in doc.kept_lines] == LONG_BODY[:12]


QUOTES = {
    # A French paragraph on a German page, a Spanish one on an English page, a German one on a Spanish page.
    "German": (GERMAN_BODY[:6], "Le ministre a dit que le port était un des projets les plus importants de la région et qu'il serait fini à temps."),
    "English": (LONG_BODY[:6], "El ministro dijo que el puerto era uno de los proyectos más importantes de la región y que se terminaría a tiempo."),
    "Spanish": (SPANISH_BODY[:6], "Der Minister sagte, dass der Hafen eines der wichtigsten Projekte der Region sei und dass er rechtzeitig fertig werde."),
}


@pytest.mark.parametrize("page_language", sorted(QUOTES))
def test_a_paragraph_in_another_language_is_measured_with_its_own_stoplist(page_language: str) -> None:
    body, quote = QUOTES[page_language]
    heuristics = Heuristics()
    doc = doc_of(["Home", "News"] + body + [quote] + ["Contact", "Imprint", "Privacy"])
    assert heuristics.stoplist(doc) == stoplists()[page_language]
    (measure,) = measure_lines([quote], stoplists()[page_language])
    assert heuristics.classify(measure) == "prose"
    step(BODY_BOUNDS)(doc)
    assert [line.text for line in doc.kept_lines] == body + [quote]


def test_a_long_line_without_grammar_stays_short_in_every_language() -> None:
    tags = "Harbour Ferry Council Storm Repairs Fishermen Shops Summer Visitors Funding Entrance Ships Stones Winter Town"
    (measure,) = measure_lines([tags], stoplists()["German"])
    assert Heuristics().classify(measure) == "short"


# A paragraph hard-wrapped at about 60 characters (a mail archive, a plain-text blog, a <pre> block).
WRAPPED = [
    "The harbour reopened on Monday after three months of",
    "repairs to the old sea wall, and the council said that",
    "the works had cost more than planned because of the",
    "storms in the winter.",
]


@pytest.mark.parametrize(
    "paragraph, wrapped",
    [
        (WRAPPED, True),
        # A line that starts a new sentence in capitals stays in the paragraph when most lines run on.
        (WRAPPED[:2] + ["The works had cost more than planned because of", "storms in the winter."], True),
        # Headlines one under the other: each starts in capitals, none runs on.
        (["Harbour Reopens After Repairs", "Council Approves The New Budget", "Storms Damage The Coast Road."], False),
        # Menu items are too short to run on.
        (["Home", "news and", "sport."], False),
        # A blank line ends a paragraph: two paragraphs are not one wrapped sentence.
        ([WRAPPED[0], "", WRAPPED[1]], False),
    ],
)
def test_hard_wrapped_paragraphs_are_found(paragraph: list[str], wrapped: bool) -> None:
    doc = Document(source="t", kind="text", lines=lines_from_text("\n".join(paragraph)))
    groups = wrapped_groups(doc, [line.text for line in doc.lines])
    assert groups == ([list(range(len(doc.lines)))] if wrapped else [])


def test_body_bounds_keeps_a_hard_wrapped_paragraph_of_the_article() -> None:
    # Each wrapped line alone is short and has no sentence end; as one paragraph it is prose.
    doc = doc_of(["Home", "News", "Sport", "Weather", "\n".join(WRAPPED)] + PROSE[:1])
    step(BODY_BOUNDS)(doc)
    assert [line.text for line in doc.kept_lines] == WRAPPED + PROSE[:1]


def test_wrapped_lines_that_make_no_sentence_keep_their_own_measures() -> None:
    headlines = ["Harbour reopens after three months of", "repairs", "Council approves the new budget for", "roads"]
    doc = Document(source="t", kind="text", lines=lines_from_text("\n".join(headlines)))
    assert all(Heuristics().measures(doc)[i] == measure_lines(headlines, stoplists()["English"])[i] for i in range(4))


# ---------------------------------------------------------------- link-run


def test_link_run_drops_a_run_of_headlines_and_keeps_a_short_list() -> None:
    headlines = [
        "Kazakhstan says strategic facilities under guard after unrest",
        "Beheaded police officer among twelve killed in clashes",
        "President orders forces to open fire without warning",
        "Wimbledon ban on collision course with tennis tours",
    ]
    doc = doc_of(PROSE[:2] + headlines + PROSE[2:])
    step(LINK_RUN)(doc)
    assert set(removed(doc)) == set(headlines) and set(removed(doc).values()) == {LINK_RUN}
    ingredients = ["300 g flour", "200 g sugar", "1 egg", "1 pinch of salt", "Ingredients for the topping:"]
    doc = doc_of(PROSE[:2] + ingredients + PROSE[2:])
    step(LINK_RUN)(doc)
    assert not removed(doc)


# ---------------------------------------------------------------- inline-headline


@pytest.mark.parametrize(
    "line, dropped",
    [
        ("Putin Sends Message to West as His Troops Turn Kazakh Tide", True),  # Title Case related link
        ("Businesses divided", False),  # a short subheading
        ("What the new rules mean for small shops in the centre", False),  # sentence-case subheading
        ("Die Rolle der Banken in der Krise und danach", False),  # German nouns are capitalised anyway
    ],
)
def test_inline_headline(line: str, dropped: bool) -> None:
    doc = doc_of(PROSE[:2] + [line] + PROSE[2:])
    step(INLINE_HEADLINE)(doc)
    assert (removed(doc) == {line: INLINE_HEADLINE}) is dropped


def test_inline_headline_needs_prose_on_both_sides() -> None:
    doc = doc_of(PROSE[:2] + ["Putin Sends Message to West as His Troops Turn Kazakh Tide", "Home"])
    step(INLINE_HEADLINE)(doc)
    assert not removed(doc)


def test_title_case() -> None:
    assert title_case("Putin Sends Message to West as His Troops Turn Kazakh Tide") >= 0.7
    assert title_case("Businesses divided over bike lanes") == 0.0


# ---------------------------------------------------------------- prose runs


def recursive_prose_runs(scores: list[float], lo: int = 0, hi: int | None = None) -> list[tuple[int, int, float]]:
    """The definition `prose_runs` keeps: best run, then the best runs left and right of it."""
    hi = len(scores) if hi is None else hi
    best = max_run(scores[lo:hi])
    if best is None:
        return []
    start, end = best[0] + lo, best[1] + lo
    total = float(sum(scores[start : end + 1]))
    return recursive_prose_runs(scores, lo, start) + [(start, end, total)] + recursive_prose_runs(scores, end + 1, hi)


@pytest.mark.parametrize("seed", range(200))
def test_prose_runs_matches_the_recursive_definition(seed: int) -> None:
    rng = random.Random(seed)
    scores = [float(rng.choice([-40, -17, -8, -1, 0, 3, 5, 8, 12, 20])) for _ in range(rng.randrange(0, 60))]
    assert prose_runs(scores) == recursive_prose_runs(scores)


def test_a_thread_of_a_thousand_comments_is_cleaned_without_recursion() -> None:
    comments = [f"Comment {n}: I think the harbour works were worth every penny of the money spent." for n in range(1100)]
    page = "A long thread\n\n" + "\n\n".join(f"{comment}\n\nreader {n} wrote" for n, comment in enumerate(comments))
    doc = clean_text(page)
    assert doc.rejection is None
    # Each comment is a run of prose of its own, between two chrome lines: 1,100 runs.
    assert all(comment in doc.text for comment in comments)
    assert doc.removed == {BODY_BOUNDS: 1100}


# ---------------------------------------------------------------- favor and HTML


def test_favor_moves_the_thresholds() -> None:
    precision, balanced, recall = (Heuristics(f).text_thresholds for f in ("precision", "balanced", "recall"))
    assert precision.chrome_line_cost > balanced.chrome_line_cost > recall.chrome_line_cost
    assert precision.min_density >= balanced.min_density >= recall.min_density


def test_html_keeps_short_body_lines() -> None:
    lines = ["Menu", "Zutaten:", "- 300 g Mehl", "- 200 g Zucker"] + PROSE[:2] + ["Businesses divided", "| 1 Ei | |"] + PROSE[2:] + ["Tel. 030 1234", "Weiterlesen"]
    doc = doc_of(lines, kind="html", extractor="trafilatura")
    Heuristics()(doc)
    assert removed(doc) == {"Weiterlesen": BODY_BOUNDS}
    text = doc_of(lines)
    Heuristics()(text)
    assert "Menu" in removed(text)


def test_resiliparse_has_its_own_profile_and_trafilatura_keeps_its_own() -> None:
    # resiliparse leaves a section label before the text and a short service line after it; both ends are
    # trimmed on its bodies, while a trafilatura body keeps its head exactly as before.
    lines = ["Politik Inland", "Alle Meldungen im Überblick"] + PROSE[:3] + ["Mehr zum Thema Hafen"]
    fast = doc_of(lines, kind="html", extractor="resiliparse")
    Heuristics()(fast)
    assert removed(fast) == dict.fromkeys(["Politik Inland", "Alle Meldungen im Überblick", "Mehr zum Thema Hafen"], BODY_BOUNDS)
    default = doc_of(lines, kind="html", extractor="trafilatura")
    Heuristics()(default)
    assert removed(default) == {"Mehr zum Thema Hafen": BODY_BOUNDS}
    heuristics = Heuristics()
    assert heuristics.thresholds(default) is heuristics.html_thresholds
    assert heuristics.thresholds(fast) is not heuristics.html_thresholds and heuristics.thresholds(fast).trim_head


def test_resiliparse_bodies_lose_a_small_run_of_prose_behind_chrome_after_the_body() -> None:
    body = [f"{line} It was the {n}th report." for n, line in enumerate(PROSE * 3)]
    tail = ["Mehr zum Thema", "Newsletter", "Impressum", "Der Autor schreibt seit vielen Jahren über den Hafen."]
    fast = doc_of(body + tail, kind="html", extractor="resiliparse")
    Heuristics()(fast)
    assert removed(fast) == dict.fromkeys(tail, BODY_BOUNDS)
    default = doc_of(body + tail, kind="html", extractor="trafilatura")
    Heuristics()(default)
    assert removed(default) == {}


LINK_LIST = [
    "Council approves the new harbour budget",
    "Ferry timetable changes for the summer",
    "Storm damages the old sea wall again",
    "Fishermen return to the reopened port",
]


@pytest.mark.parametrize(
    "kind, extractor, gentle",
    [("text", "", False), ("text", "trafilatura", True), ("html", "", False), ("html", "trafilatura", True)],
)
def test_the_gentle_treatment_follows_the_extractor_not_the_kind(kind: str, extractor: str, gentle: bool) -> None:
    lines = ["Menu"] + PROSE[:2] + LINK_LIST + PROSE[2:]
    heuristics = Heuristics()
    doc = doc_of(lines, kind=kind, extractor=extractor)
    assert heuristics.thresholds(doc) is (heuristics.html_thresholds if gentle else heuristics.text_thresholds)
    steps = dict(heuristics.steps)
    links = steps[LINK_RUN](doc_of(lines, kind=kind, extractor=extractor))
    assert removed(links) == ({} if gentle else dict.fromkeys(LINK_LIST, LINK_RUN))
    bounds = steps[BODY_BOUNDS](doc_of(lines, kind=kind, extractor=extractor))
    assert ("Menu" in removed(bounds)) is not gentle


def test_the_pipeline_names_the_extractor_of_html_only(pipeline: Pipeline) -> None:
    page = "<html><body><article>" + "".join(f"<p>{p}</p>" for p in PROSE) + "</article></body></html>"
    assert pipeline.parse(page, "p.html", "html").extractor == "trafilatura"
    assert pipeline.parse("\n\n".join(PROSE), "p.txt", "text").extractor == ""


def test_never_removes_all_prose() -> None:
    doc = doc_of(["Home | News | Sport", PROSE[0]])
    Heuristics("precision")(doc)
    assert PROSE[0] in doc.text


# ---------------------------------------------------------------- seeds, after the shipped rules


SEED_CHROME = {
    "000_53b6d9f3f8bb2356.txt": [
        "Published: Updated:", "Read Mode", "100% Font Size", "5 min read", "Google News channel", "Read more:",
        "Putin Sends Message to West as His Troops Turn Kazakh Tide", "Beheaded police officer", "Top Content Trending",
    ],
    "002_13e50f82ca3383ca.txt": [
        "YouTube Channel", "Leave your thoughts in the comments", "About This Source", "privately held financial",
        "Recent from Bloomberg", "Heavy Rain Floods", "In This Story", "officially the Republic of Belarus",
        "Recent Items", "Kyrgyzstan, officially", "Leave a Comment", "We don't require your email",
    ],
}
SEED_BODY_ENDS = {"000_53b6d9f3f8bb2356.txt": "Read more:", "002_13e50f82ca3383ca.txt": "Bloomberg Quicktake: Now YouTube"}


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    built = Pipeline(Config(min_words=0))
    built.steps.insert(1, ("heuristics", Heuristics()))
    return built


@pytest.mark.parametrize("name", sorted(SEED_CHROME))
def test_seeds_keep_every_body_paragraph_and_lose_their_chrome(fixtures_dir: Path, pipeline: Pipeline, name: str) -> None:
    raw = (fixtures_dir / "input/seeds" / name).read_text(encoding="utf-8")
    doc = pipeline.clean(pipeline.parse(raw, name, "text"))
    assert doc.rejection is None
    for snippet in SEED_CHROME[name]:
        assert snippet not in doc.text, snippet
    article = raw[: raw.index(SEED_BODY_ENDS[name])]
    body = [p for p in article.split("\n\n")[1:] if len(p.split()) > 25 and not any(c in p for c in SEED_CHROME[name])]
    assert len(body) >= 11
    positions = [doc.text.find(paragraph) for paragraph in body]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)


def test_html_page_keeps_its_subheadings(fixtures_dir: Path, pipeline: Pipeline) -> None:
    raw = (fixtures_dir / "input/pages/cycling-network.html").read_text(encoding="utf-8")
    doc = pipeline.clean(pipeline.parse(raw, "cycling-network.html", "html"))
    assert "Businesses divided" in doc.text
    assert not any(line.removed_by and line.removed_by.startswith("heuristic.") for line in doc.lines if len(line.text.split()) > 8)


# ---------------------------------------------------------------- scripts without spaces, and Korean

ZH_ARTICLE = [
    "港口在修复三个月之后于周一重新开放，市政府在一份声明中说，工程比原计划多花了两个月。",
    "把船停到邻近小镇的渔民们说，他们很高兴能够回来，虽然停泊的费用已经上涨了。",
    "由于冬天的风暴在新石块凝固之前就损坏了它们，这项工程的花费比计划的要多。",
    "第二期工程将为更大的船只拓宽入口，如果资金得到批准，将于明年春天开始。",
]
# The same article wrapped at a fixed width, mid-sentence, as text dumps of Chinese pages often are.
ZH_WRAPPED = [
    "港口在修复三个月之后于周一重新开放，市政府在一份声明中",
    "说，工程比原计划多花了两个月。把船停到邻近小镇的渔民们",
    "说，他们很高兴能够回来，虽然停泊的费用已经上涨了。由于",
    "冬天的风暴在新石块凝固之前就损坏了它们，这项工程的花费",
    "比计划的要多。第二期工程将为更大的船只拓宽入口，如果资",
    "金得到批准，将于明年春天开始。当地商店预计渡轮的回归将",
    "在夏季把游客带回镇中心。",
]
JA_ARTICLE = [
    "港は三か月にわたる修理の後、月曜日に再開したと市が声明で発表した。",
    "近くの町に船を移していた漁師たちは、料金は上がったものの、戻ることができてうれしいと話した。",
    "冬の嵐で新しい石が固まる前に壊れたため、工事の費用は予定よりも多くかかった。",
    "大型船のために入り口を広げる第二期の工事は、予算が承認されれば来年の春に始まる予定だ。",
]
KO_ARTICLE = [
    "항구는 석 달 동안의 수리를 마치고 월요일에 다시 문을 열었다고 시청이 성명에서 밝혔다.",
    "이웃 마을로 배를 옮겼던 어부들은 요금이 올랐지만 돌아올 수 있어서 기쁘다고 말했다.",
    "겨울 폭풍이 새 돌이 굳기 전에 그것들을 망가뜨려서 공사 비용이 계획보다 많이 들었다.",
    "큰 배를 위해 입구를 넓히는 두 번째 공사는 예산이 승인되면 내년 봄에 시작될 예정이다.",
]
TH_ARTICLE = [
    "ท่าเรือเปิดให้บริการอีกครั้งในวันจันทร์หลังจากการซ่อมแซมที่ใช้เวลาสามเดือน เทศบาลกล่าวในแถลงการณ์",
    "ชาวประมงที่ย้ายเรือไปยังเมืองข้างเคียงกล่าวว่าพวกเขาดีใจที่ได้กลับมา แม้ว่าค่าธรรมเนียมจะสูงขึ้นแล้วก็ตาม",
    "งานนี้มีค่าใช้จ่ายมากกว่าที่วางแผนไว้ เพราะพายุในฤดูหนาวได้ทำลายหินใหม่ก่อนที่จะแข็งตัว",
    "การก่อสร้างระยะที่สองซึ่งจะขยายทางเข้าสำหรับเรือขนาดใหญ่จะเริ่มในฤดูใบไม้ผลิหน้าหากได้รับงบประมาณ",
]
MENUS = {
    "zh": ["首页", "新闻", "体育", "财经", "科技", "联系我们", "关于我们", "网站地图", "版权所有 © 2024 本站"],
    "ja": ["ホーム", "ニュース", "スポーツ", "経済", "お問い合わせ", "サイトマップ", "利用規約", "プライバシーポリシー"],
    "ko": ["홈", "뉴스", "스포츠", "경제", "고객센터", "회사소개", "이용약관", "개인정보처리방침"],
    "th": ["หน้าแรก", "ข่าว", "กีฬา", "บันเทิง", "ติดต่อเรา", "เกี่ยวกับเรา", "นโยบายความเป็นส่วนตัว"],
}


@pytest.mark.parametrize(
    "article, menu",
    [
        (ZH_ARTICLE, MENUS["zh"]),
        pytest.param(
            ZH_WRAPPED, MENUS["zh"],
            marks=pytest.mark.xfail(strict=True, reason="a wrapped line with clause marks and no sentence end inside is short, and at the edge of the body it goes"),
        ),
        (JA_ARTICLE, MENUS["ja"]),
        (KO_ARTICLE, MENUS["ko"]),
        (TH_ARTICLE, MENUS["th"]),
    ],
    ids=["zh", "zh-wrapped", "ja", "ko", "th"],
)
def test_body_bounds_finds_the_article_in_scripts_without_english_words(article: list[str], menu: list[str]) -> None:
    doc = doc_of(menu[:5] + article + menu[5:])
    step(BODY_BOUNDS)(doc)
    assert [line.text for line in doc.kept_lines] == article


def test_a_chinese_article_survives_an_english_stoplist() -> None:
    """A Chinese page with an English abstract guesses English: its Chinese lines are still measured as Chinese."""
    abstract = "Abstract: " + " ".join(PROSE[:2])
    doc = doc_of(["首页", "期刊", "投稿", "Journals by Subject", abstract] + ZH_ARTICLE + ["联系我们", "网站地图"])
    heuristics = Heuristics()
    assert heuristics.stoplist(doc) == stoplists()["English"]
    heuristics(doc)
    assert all(line in doc.text for line in ZH_ARTICLE)
    assert "首页" not in doc.text


@pytest.mark.parametrize(
    "text, kind",
    [
        (ZH_ARTICLE[0], "prose"),
        (ZH_WRAPPED[1], "prose"),  # a sentence ends inside it
        ("人民日报 人民日报海外版 中国汽车报 中国能源报 健康时报 证券时报 国际金融报 环球时报", "short"),  # names, no grammar
        ("中国队战胜日本晋级决赛", "short"),  # a headline
        (JA_ARTICLE[0], "prose"),
        ("トップ ニュース 経済 国際 スポーツ エンタメ ライフ テクノロジー 動画 ランキング", "short"),
        (KO_ARTICLE[0], "prose"),
        (TH_ARTICLE[0], "prose"),
    ],
)
def test_classes_of_lines_in_their_own_script(text: str, kind: str) -> None:
    heuristics = Heuristics()
    (measure,) = measure_lines([text], stoplists()["English"])
    assert heuristics.classify(measure) == kind


# --- an extracted body's measures are made as they are read ------------------------------------------------


class EagerHeuristics(Heuristics):
    """The heuristics with every measure made at once and every score worked out, as before measures were lazy."""

    def measures_lazily(self, doc: Document) -> bool:
        return False


EDGE_LINES = [
    "Menu", "Home | News | Sport", "Share this:", "https://example.com/harbour", "By Jane Doe, 3 May 2024",
    "The harbour reopened on Monday after three months of repairs to the sea wall.",
    "Fishing boats returned first, and the ferry followed in the afternoon with its passengers.",
    "The works had three parts:", "Photo: the new wall", "Related stories", "Contact 0123 456 789",
    "Der Hafen wurde am Montag nach drei Monaten Reparaturarbeiten an der Kaimauer wieder eröffnet.",
    "the wall was", "rebuilt by the", "harbour board.",
]


@pytest.mark.parametrize("favor", ["precision", "balanced", "recall"])
@pytest.mark.parametrize("seed", range(40))
def test_an_extracted_body_trimmed_with_lazy_measures_loses_the_lines_eager_measures_remove(favor: str, seed: int) -> None:
    """`LazyMeasures` and `positive_bounds` read only the lines near the ends: the same lines go, for the same reasons."""
    rng = random.Random(seed)
    texts = [rng.choice(EDGE_LINES) for _ in range(rng.randint(1, 14))]

    def extracted() -> Document:
        lines = lines_from_text("\n".join(texts) if seed % 2 else "\n\n".join(texts))
        return Document(source="t", kind="html", lines=lines, title="Harbour reopens", extractor="trafilatura")

    lazy, eager = Heuristics(favor), EagerHeuristics(favor)
    assert lazy.measures_lazily(extracted()) and isinstance(lazy.measures(extracted()), LazyMeasures)
    got, expected = lazy(extracted()), eager(extracted())
    assert [(line.removed_by, line.note) for line in got.lines] == [(line.removed_by, line.note) for line in expected.lines]


def test_lazy_measures_are_the_measures_measure_lines_gives() -> None:
    texts = [*EDGE_LINES, "", EDGE_LINES[5]]
    stop = stoplists()["English"]
    lazy = LazyMeasures(texts, stop, {})
    assert list(lazy) == measure_lines(texts, stop)
    assert lazy.link_like_indexes() == [i for i, m in enumerate(measure_lines(texts, stop)) if m.link_like]


def test_the_text_path_keeps_measures_made_at_once_and_the_fast_path_makes_them_as_read() -> None:
    """The text path's body bounds read every line; the fast path's tail cut reads the lines from the body's last part on."""
    heuristics = Heuristics()
    text = doc_of(["The harbour reopened on Monday after three months of repairs to the sea wall."])
    fast = doc_of(["The harbour reopened on Monday after three months of repairs to the sea wall."], extractor="resiliparse")
    assert isinstance(heuristics.measures(text), list) and isinstance(heuristics.measures(fast), LazyMeasures)


TAIL_LINES = [
    *EDGE_LINES,
    "Subscribe to our newsletter and get the best stories of the week in your inbox every Friday.",
    "Read more: The ferry timetable for the summer season, with the new evening crossings.",
    "You might also like", "Comments (3)", "© 2024 Harbour News",
]
# A line shaped like prose that does not read as prose (capitals, symbols, few stopwords).
REFERENCE = "Smith, J.; Doe, A. (2019). Harbour Walls Of The North Sea. J. Coast. Eng. 12(3): 45-67."


@pytest.mark.parametrize("favor", ["precision", "balanced", "recall"])
@pytest.mark.parametrize("seed", range(40))
def test_the_fast_path_s_tail_cut_with_promised_measures_cuts_where_every_measure_would(favor: str, seed: int) -> None:
    """`cut_tail_lazily` scores the body by its lines' shapes: where every line of the body promised prose reads as prose, it cuts as `cut_tail` does."""
    rng = random.Random(seed)
    body = [rng.choice(EDGE_LINES[5:7] + EDGE_LINES[11:12]) for _ in range(rng.randint(0, 12))]
    tail = [rng.choice([*TAIL_LINES, REFERENCE]) for _ in range(rng.randint(0, 10))]  # a reference is promised prose: after the body only
    texts = [rng.choice(TAIL_LINES) for _ in range(rng.randint(0, 5))] + body + tail

    def extracted() -> Document:
        return Document(source="t", kind="html", lines=lines_from_text("\n\n".join(texts)), title="Harbour reopens",
                        extractor="resiliparse")

    lazy, eager = Heuristics(favor), EagerHeuristics(favor)
    assert isinstance(lazy.measures(extracted()), LazyMeasures)
    got, expected = lazy(extracted()), eager(extracted())
    assert [(line.removed_by, line.note) for line in got.lines] == [(line.removed_by, line.note) for line in expected.lines]


def test_a_promised_measure_scores_as_much_as_the_line_s_own_or_more() -> None:
    """A line that could read as prose but does not (a reference: capitals, symbols, no stopwords) is promised prose; the others keep their own."""
    texts = [REFERENCE, *TAIL_LINES]
    stop = stoplists()["English"]
    lazy, own = LazyMeasures(texts, stop, {}), measure_lines(texts, stop)
    promised = lazy.promised(list(range(len(texts))))
    heuristics, t = Heuristics(), Heuristics().thresholds(doc_of(["x"], extractor="resiliparse"))
    assert heuristics.score(promised[0], t) > 0 > heuristics.score(own[0], t)
    assert all(heuristics.score(promised[i], t) >= heuristics.score(own[i], t) for i in range(len(texts)))
    assert [promised[i] for i in range(len(texts)) if not lazy.shape(texts[i]).full] == [
        own[i] for i in range(len(texts)) if not lazy.shape(texts[i]).full]


TOKENS = ["the", "harbour", "Reopened", "on", "Monday", ".", ":", "|", "•", "https://x.org/a", "www.x.org", "港口", "重新开放。",
          "ประเทศไทย", "123", "(the", "”", " ", "  ", "Der", "und"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(TOKENS), max_size=30).map(" ".join), min_size=1, max_size=8))
def test_a_line_measured_alone_is_measured_as_in_the_page_s_loop(texts: list[str]) -> None:
    """`LineMeasurer.measure` (the lazy measures') and `measure_all` (`measure_lines`') are two spellings of one measure."""
    distinct = list(dict.fromkeys(texts))
    stop = stoplists()["English"]
    together = LineMeasurer(distinct, stop).measure_all(distinct)
    alone = LineMeasurer(distinct, stop)
    assert [alone.measure(text) for text in distinct] == [together[text] for text in distinct]
