"""Site chrome learned from repeated lines: keys, sites, counting, thresholds, the prose guard, rule files."""

from __future__ import annotations

import pickle
import random
from pathlib import Path

import pytest

from cleaner.document import Document, lines_from_text
from cleaner.errors import ConfigError
from cleaner.repetition import (
    DIGITS,
    REASON,
    LineCounts,
    RepeatedLines,
    Repeats,
    count_document,
    fold_digits,
    has_json_each,
    learned_lines,
    line_key,
    line_keys,
    line_pattern,
    looks_like_host,
    required_share,
    site_of,
    site_rule_file,
)
from cleaner.rulebook import Rulebook, check_examples, load_rule_file

MENU = ["Home", "World", "Business", "Sport", "Most read"]
FOOTER = ["Copyright © 2013 Example News. All rights reserved.", "Terms of use | Privacy"]
QUOTE = "“We will not accept a deal that leaves our farmers worse off,” the minister told reporters on Monday."


WORDS = "harbour ferry council budget storm vaccine bridge orchard festival railway tariff glacier".split()


def article(n: int, extra: tuple[str, ...] = ()) -> str:
    """A page of the test site: menu, a body of its own (digits would not tell bodies apart), extra lines, footer."""
    a, b = WORDS[n % len(WORDS)], WORDS[(n // len(WORDS) + 3 * n + 1) % len(WORDS)]
    body = [f"The {a} story opens with a sentence of its own, about the {b} and the {a} {b} affair."]
    body += [f"A second paragraph about the {b} goes on for a while, as stories about a {a} do."]
    return "\n\n".join([*MENU, *body, *extra, *FOOTER])


def doc_of(text: str, source: str, url: str = "") -> Document:
    return Document(source=source, kind="text", lines=lines_from_text(text), url=url)


def counted(tmp_path: Path, docs: list[Document], site_mode: str = "auto", keep_text: bool = False, name: str = "c.sqlite") -> LineCounts:
    counts = LineCounts(tmp_path / name)
    for doc in docs:
        count_document(counts, doc, site_mode, keep_text)
    counts.flush()
    return counts


def removed_texts(doc: Document) -> list[str]:
    return [line.text for line in doc.lines if line.removed_by == REASON]


# --- keys and sites ---------------------------------------------------------------


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("Home", "HOME", True),                              # case
        ("Updated 12:30 GMT", "Updated 9:05 GMT", True),     # digits collapse
        ("Share  this   page", "Share this page", True),     # spacing
        ("Straße", "STRASSE", True),                         # casefold, not lower
        ("Home", "Homes", False),
        ("Page 1 of 3", "Page one of three", False),
    ],
)
def test_line_key(a: str, b: str, same: bool) -> None:
    assert len(line_key(a)) == 8
    assert (line_key(a) == line_key(b)) is same


@pytest.mark.parametrize(
    "source, url, mode, site",
    [
        ("bbc/01.txt", "https://www.BBC.co.uk/news/1", "auto", "bbc.co.uk"),
        ("bbc/01.txt", "", "auto", "bbc"),
        ("01.txt", "", "auto", ""),
        ("bbc/01.txt", "https://www.bbc.co.uk/news/1", "folder", "bbc"),
        ("bbc/sub/01.txt", "", "folder", "bbc"),
        ("bbc/01.txt", "", "host", ""),
        ("bbc/01.txt", "http://news.bbc.co.uk:8080/x", "host", "news.bbc.co.uk"),
        ("bbc/01.txt", "example.org/page", "host", "example.org"),
        ("bbc/01.txt", "https://www.bbc.co.uk/", "none", ""),
    ],
)
def test_site_of(source: str, url: str, mode: str, site: str) -> None:
    assert site_of(source, url, mode) == site


def test_unknown_site_mode_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="auto, host, folder, none"):
        site_of("a/b.txt", "", "domain")


# --- counting ------------------------------------------------------------------------


def test_a_line_counts_once_per_document(tmp_path: Path) -> None:
    doc = doc_of("Share\n\nShare\n\nA line once.\n\nshare", "site/1.txt")
    with counted(tmp_path, [doc, doc_of("Share", "site/2.txt"), doc_of("Share", "other/1.txt")]) as counts:
        assert counts.documents("site") == 2
        assert counts.count("site", line_key("Share")) == 2
        assert counts.count("site", line_key("A line once.")) == 1
        assert counts.count("other", line_key("Share")) == 1
        assert counts.count("nowhere", line_key("Share")) == 0
        assert counts.counts("site", [line_key("share"), line_key("missing"), line_key("SHARE")]) == [2, 0, 2]


def test_only_kept_lines_are_counted(tmp_path: Path) -> None:
    doc = doc_of("Menu\n\nBody sentence.", "s/1.txt")
    doc.remove(0, "some-rule-v1")
    with counted(tmp_path, [doc]) as counts:
        assert counts.count("s", line_key("Menu")) == 0
        assert counts.count("s", line_key("Body sentence.")) == 1


def test_json_each_is_found_where_sqlite_has_it() -> None:
    import sqlite3

    db = sqlite3.connect(":memory:")
    try:  # another function of SQLite's JSON extension: built in since 3.38, which a build may still leave out
        json_built_in = db.execute("SELECT json_array_length('[0,0]')").fetchone() == (2,)
    except sqlite3.OperationalError:
        json_built_in = False
    assert has_json_each(db) is json_built_in

    class WithoutJson:
        def execute(self, sql: str):
            raise sqlite3.OperationalError("no such table: json_each")

    assert has_json_each(WithoutJson()) is False


def test_counts_survive_batches_and_reopening(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cleaner.repetition.BATCH_DOCS", 3)
    with LineCounts(tmp_path / "c.sqlite") as counts:
        for n in range(10):
            counts.add("s", [line_key("Home"), line_key(f"line {chr(97 + n)}")])
    with LineCounts(tmp_path / "c.sqlite", readonly=True) as counts:
        assert counts.documents("s") == 10
        assert counts.count("s", line_key("Home")) == 10
        assert list(counts.repeated("s", 2)) == [(line_key("Home"), 10)]
        with pytest.raises(RuntimeError, match="read-only"):
            counts.add("s", [line_key("Home")])


@pytest.mark.parametrize("json_rows", [True, False], ids=["json_each", "recursive"])
def test_counts_without_texts_write_what_rows_with_texts_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              json_rows: bool) -> None:
    """The runs `flush` merges when no texts are kept (`merge_runs`) give the file row-by-row `merge` gives,
    whether its rows are numbered by `json_each` or, on an SQLite without it, by a recursive query."""
    monkeypatch.setattr("cleaner.repetition.BATCH_DOCS", 4)
    monkeypatch.setattr("cleaner.repetition.has_json_each", lambda db: json_rows)
    rng = random.Random(7)
    docs = [(f"site{rng.randrange(3)}", [line_key(f"line {rng.randrange(40)}") for _ in range(rng.randrange(1, 12))])
            for _ in range(50)]
    with LineCounts(tmp_path / "runs.sqlite") as runs, LineCounts(tmp_path / "rows.sqlite") as rows:
        for number, (site, keys) in enumerate(docs, 1):
            runs.add(site, keys)
            rows.add(site, keys)
            if rows._buffered_docs == 3 or number == len(docs):  # merged row by row, as with texts, before `add` flushes at 4
                rows.merge(rows._buffered_lines(), sorted((h, name, n) for h, (name, n) in rows._sites.items()))
                rows._clear()
        assert runs.json_rows is json_rows
        runs.flush()
        assert rows._buffered_docs == 0
        dump = "SELECT * FROM lines ORDER BY k"
        assert list(runs.db.execute(dump)) == list(rows.db.execute(dump)) != []
        assert list(runs.db.execute("SELECT * FROM sites ORDER BY h")) == list(rows.db.execute("SELECT * FROM sites ORDER BY h"))
        assert max(n for _k, n, _text in runs.db.execute(dump)) > 1 and {text for *_, text in runs.db.execute(dump)} == {None}


def test_pickled_counts_reopen_read_only(tmp_path: Path) -> None:
    counts = counted(tmp_path, [doc_of("Home", "s/1.txt")])
    copy = pickle.loads(pickle.dumps(counts))
    assert copy.readonly and copy.count("s", line_key("Home")) == 1
    copy.close()
    counts.close()


# --- thresholds and the prose guard ---------------------------------------------------


def site_docs(n: int, extra: dict[int, tuple[str, ...]] | None = None) -> list[Document]:
    extra = extra or {}
    return [doc_of(article(i, extra.get(i, ())), f"news/{i:02d}.txt") for i in range(n)]


def test_chrome_goes_and_the_note_says_where_it_was_found(tmp_path: Path) -> None:
    docs = site_docs(10)
    step = RepeatedLines(counted(tmp_path, docs))
    doc = step(docs[0])
    assert removed_texts(doc) == [*MENU, *FOOTER]
    assert doc.lines[0].note == "in 10 of 10 documents of site news"
    assert doc.text.startswith("The harbour story opens")


@pytest.mark.parametrize(
    "in_docs, of_docs, min_docs, min_share, removed",
    [
        (3, 10, 3, 0.3, True),
        (2, 10, 3, 0.2, False),   # below min_docs
        (3, 10, 3, 0.4, False),   # below min_share
        (2, 2, 3, 0.3, False),    # a site too small to judge
        (4, 10, 4, 0.4, True),
    ],
)
def test_thresholds(tmp_path: Path, in_docs: int, of_docs: int, min_docs: int, min_share: float, removed: bool) -> None:
    docs = site_docs(of_docs, {i: ("Related: Markets",) for i in range(in_docs)})
    step = RepeatedLines(counted(tmp_path, docs), repeats=Repeats(min_docs=min_docs, min_share=min_share))
    assert ("Related: Markets" in removed_texts(step(docs[0]))) is removed


def test_a_shared_quotation_survives(tmp_path: Path) -> None:
    """Prose two or three articles share is body text: it needs nearly every document of the site."""
    docs = site_docs(10, {i: (QUOTE,) for i in range(6)})
    step = RepeatedLines(counted(tmp_path, docs))
    doc = step(docs[0])
    assert QUOTE in doc.text
    assert "Home" in removed_texts(doc)


def test_prose_among_repeated_lines_goes(tmp_path: Path) -> None:
    """A teaser's summary is prose on a share of pages, but it stands between repeated headlines."""
    summary = "The magazine's weekly quiz of the news, with seven questions about the week."
    teaser = ("Quiz of the week", summary, "In pictures: the week")
    docs = site_docs(10, {i: teaser for i in range(4)})
    doc = RepeatedLines(counted(tmp_path, docs))(docs[0])
    assert removed_texts(doc)[-5:] == [*teaser, *FOOTER]
    assert doc.lines[[l.text for l in doc.lines].index(summary)].note == "in 4 of 10 documents of site news, between repeated lines"


def test_a_document_without_candidate_lines_is_left_as_it_is(tmp_path: Path) -> None:
    """A document of a counted site none of whose lines the site repeats: the step returns it untouched."""
    docs = site_docs(10)
    step = RepeatedLines(counted(tmp_path, docs))
    lone = doc_of("A line of its own.\nAnother line only this page has.", "news/lone.txt")
    before = [(line.text, line.removed_by, line.note) for line in lone.lines]
    assert step(lone) is lone
    assert [(line.text, line.removed_by, line.note) for line in lone.lines] == before
    # and one that holds a single repeated line among its own still loses it
    mixed = doc_of(f"A line of its own.\n{MENU[0]}\nAnother line only this page has.", "news/mixed.txt")
    assert removed_texts(step(mixed)) == [MENU[0]]


def test_prose_in_nearly_every_document_goes(tmp_path: Path) -> None:
    notice = "This site uses cookies to give you the best experience, as described in our cookie policy."
    docs = site_docs(10, {i: (notice,) for i in range(10)})
    step = RepeatedLines(counted(tmp_path, docs))
    assert notice in removed_texts(step(docs[0]))


@pytest.mark.parametrize(
    "text, share",
    [
        ("Most read", 0.2),
        ("Share this page", 0.2),
        ("Copyright 2013 BBC. All rights reserved.", 0.5),
        (QUOTE, 0.9),
        ("a line of twenty words without any sentence end " * 2 + "at all here", 0.9),
    ],
)
def test_required_share_grows_with_prose(text: str, share: float) -> None:
    assert required_share(text) == share


def test_bad_settings_are_config_errors(tmp_path: Path) -> None:
    counts = counted(tmp_path, [])
    with pytest.raises(ConfigError):
        Repeats(min_docs=1)
    with pytest.raises(ConfigError):
        Repeats(min_share=0)
    with pytest.raises(ConfigError):
        RepeatedLines(counts, site_mode="domain")


# --- determinism ---------------------------------------------------------------------


def test_result_does_not_depend_on_document_order(tmp_path: Path) -> None:
    rng = random.Random(7)
    docs = site_docs(12, {i: ("Related: Markets", f"Updated {i}:00 GMT") for i in range(0, 12, 2)})
    docs += [doc_of(article(i), f"other/{i}.txt", url=f"https://www.example.org/{i}") for i in range(5)]
    results = []
    for attempt in range(3):
        order = docs[:]
        rng.shuffle(order)
        counts = counted(tmp_path, [d for d in order], keep_text=True, name=f"c{attempt}.sqlite")
        step = RepeatedLines(counts)
        cleaned = {d.source: step(doc_of("\n\n".join(l.text for l in d.lines), d.source, d.url)) for d in order}
        learned = {site: learned_lines(counts, site) for site, _ in counts.sites()}
        results.append(({s: (d.text, [l.note for l in d.lines]) for s, d in sorted(cleaned.items())}, learned))
        counts.close()
    assert results[0] == results[1] == results[2]


def test_sample_text_is_the_smallest_whatever_the_order(tmp_path: Path) -> None:
    texts = ["Updated 9:05 GMT", "UPDATED 12:30 GMT", "Updated 10:00 GMT"]
    for attempt, order in enumerate((texts, texts[::-1])):
        with LineCounts(tmp_path / f"{attempt}.sqlite") as counts:
            for text in order:
                counts.add("s", [line_key(text)], [text])
            counts.flush()
            assert counts.text("s", line_key(texts[0])) == "UPDATED 12:30 GMT"


# --- learned rule files ----------------------------------------------------------------


@pytest.mark.parametrize("site", ["bbc.co.uk", "bbc.co.uk_news", ""])
def test_rule_file_round_trip(tmp_path: Path, site: str) -> None:
    docs = site_docs(5, {i: ('Say "hi" \\ to [us] (*)?', "Updated 10:30 GMT", QUOTE) for i in range(5)})
    counts = counted(tmp_path, docs, site_mode="none", keep_text=True)
    lines = learned_lines(counts, "")
    assert ("Home", 5) in lines and (QUOTE, 5) in lines
    path = tmp_path / "learned.toml"
    path.write_text(site_rule_file(site, lines, counts.documents("")), encoding="utf-8")
    rules = load_rule_file(path)
    assert [rule.id for rule in rules][:2] == [f"repeated-{site.replace('_', '-') or 'corpus'}-1-v1", f"repeated-{site.replace('_', '-') or 'corpus'}-2-v1"]
    assert len(rules) == len(lines)
    for rule in rules:
        assert check_examples(rule) == [], rule.id
    if site:
        assert rules[0].scope.sources == (f"{site}/*",)
        assert rules[0].scope.domains == ((site,) if looks_like_host(site) else ())
    assert "# in 5 of 5 documents" in path.read_text(encoding="utf-8")
    # The learned rules remove what the step removes, and lines that differ only in digits.
    doc = Rulebook(rules).apply(doc_of(article(99, ("Updated 23:59 GMT",)), f"{site or 'x'}/99.txt", url=f"https://{site}/a" if site else ""))
    assert [line.text for line in doc.lines if not line.kept] == [*MENU, "Updated 23:59 GMT", *FOOTER]
    counts.close()


def test_line_pattern_is_literal_but_for_digits_and_spaces() -> None:
    import re2

    pattern = re2.compile(line_pattern("Page 1 of 12 (a+b)*"))
    assert pattern.fullmatch("Page 3 of 4 (a+b)*")
    assert not pattern.fullmatch("Page 3 of 4 (aab)")


def test_fold_digits_is_the_digit_regex_on_utf8() -> None:
    rng = random.Random(5)
    alphabet = "ab é0123456789٣٤०१０１²³½Ⅻ①\n"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert fold_digits(text) == DIGITS.sub("0", text).encode("utf-8"), text


def test_a_runs_default_options_give_the_default_repeats() -> None:
    from cleaner.config import Config
    from cleaner.repetition import Repeats

    assert Repeats.of(Config()) == Repeats()
    assert Repeats.of(Config(repeat_min_docs=5, repeat_min_share=0.4)) == Repeats(min_docs=5, min_share=0.4)


def test_counted_keys_must_be_line_keys(tmp_path: Path) -> None:
    with LineCounts(tmp_path / "c.sqlite") as counts:
        with pytest.raises(ValueError, match="8 bytes"):
            counts.add("s", [line_key("Home"), b"short"])


@pytest.mark.parametrize("body", ["", "Home", "Home\n\n© 2013 BBC", "\n\nA 12\n\n\n\nB ٣\n", "Straße 7\nSTRASSE 8\n\n "])
def test_a_body_is_keyed_as_its_lines(body: str) -> None:
    from cleaner.document import lines_from_text
    from cleaner.repetition import body_line_keys

    assert body_line_keys(body) == line_keys([line.text for line in lines_from_text(body)])
