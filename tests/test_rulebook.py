import time
from dataclasses import replace
from pathlib import Path

import pytest

from cleaner.api import clean_html
from cleaner.document import Document, lines_from_text
from cleaner.rulebook import PIECE_BYTES, Rule, RuleFileError, Rulebook, Scope, TextView, check_examples, load_rule_file, load_rules

BODY = "\n\n".join(
    f"Paragraph {n} of the article says something long enough to count as body text for the guard." for n in range(1, 7)
)


def doc_of(text: str, url: str = "", source: str = "a.txt") -> Document:
    return Document(source=source, kind="text", url=url, lines=lines_from_text(text))


def removed(doc: Document) -> dict[str, str]:
    return {line.text: line.removed_by for line in doc.lines if not line.kept}


def rule(kind: str, *patterns: str, **fields) -> Rule:
    return Rule(id=f"test-{kind}-v1", description="t", kind=kind, patterns=patterns, drop=("x",), **fields)


def test_drop_line_matches_whole_lines_ignoring_case() -> None:
    book = Rulebook([rule("drop-line", r"share")])
    doc = book.apply(doc_of("SHARE\n\nShare prices rose."))
    assert removed(doc) == {"SHARE": "test-drop-line-v1"}


def test_a_long_document_is_searched_a_piece_at_a_time_and_every_line_is_found() -> None:
    # Matching lines in the first, the last and many pieces in between, at the edges of pieces and inside them.
    lines = [("Share" if n % 7 == 0 else f"Line {n} of a long page") for n in range(40 * PIECE_BYTES // 20)]
    book = Rulebook([rule("drop-line", r"share"), replace(rule("drop-line", r"^line 1\d*", match="search"), id="test-search-v1")])
    text = "\n".join(lines).encode()
    assert len(TextView(text).pieces) > 10
    whole = TextView(text, 0)
    assert len(whole.pieces) == 1
    doc = book.apply(doc_of("\n".join(lines)))
    expected = {i for i, line in enumerate(lines) if line == "Share" or line.startswith("Line 1")}
    assert {i for i, line in enumerate(doc.lines) if not line.kept} == expected
    pieces = TextView(text).rules_in(book._set)
    assert sorted(pieces) == [0, 1] and len(pieces[0]) > 10


def test_a_rule_that_can_match_across_lines_searches_the_whole_text() -> None:
    # \C (any byte) is the one pattern RE2's never_nl lets match a newline: no pieces then.
    assert Rulebook([rule("drop-line", r"a\Cb", match="search")])._piece_bytes == 0
    assert Rulebook([rule("drop-line", r"share")])._piece_bytes == PIECE_BYTES


def test_search_match_finds_a_phrase_anywhere() -> None:
    book = Rulebook([rule("drop-line", r"moderated", match="search")])
    assert removed(book.apply(doc_of("Comments are moderated.\n\nBody."))) == {"Comments are moderated.": "test-drop-line-v1"}


def test_strip_phrase_edits_the_line_and_records_it() -> None:
    book = Rulebook([rule("strip-phrase", r"\s+Advertisement$")])
    doc = book.apply(doc_of("The vote passed. Advertisement\n\nAdvertisement"))
    assert doc.text == "The vote passed.\n\nAdvertisement"
    assert doc.lines[0].edits == (("test-strip-phrase-v1", "The vote passed. Advertisement"),)
    assert doc.removed == {"test-strip-phrase-v1": 1}


def test_section_takes_headline_items_until_the_body_resumes() -> None:
    book = Rulebook([rule("drop-section", r"read more:")])
    text = "Body sentence one is here.\n\nRead more:\n\nFirst headline\n\nSecond headline\n\nThe body resumes with a sentence."
    assert removed(book.apply(doc_of(text))) == {
        "Read more:": "test-drop-section-v1",
        "First headline": "test-drop-section-v1",
        "Second headline": "test-drop-section-v1",
    }


def test_section_stops_at_max_items_and_at_another_heading() -> None:
    book = Rulebook([rule("drop-section", r"related", max_items=2), rule("drop-line", r"also")])
    doc = book.apply(doc_of("Related\n\nOne\n\nTwo\n\nThree"))
    assert "Three" not in removed(doc)
    sections = Rulebook([rule("drop-section", r"related", items="any"), Rule(id="other-v1", description="t", kind="drop-section", patterns=("more",), drop=("x",))])
    doc = sections.apply(doc_of("Related\n\nA blurb. It is prose.\n\nMore\n\nItem"))
    assert removed(doc) == {"Related": "test-drop-section-v1", "A blurb. It is prose.": "test-drop-section-v1", "More": "other-v1", "Item": "other-v1"}


def test_cut_after_is_guarded_near_the_start() -> None:
    book = Rulebook([rule("cut-after", r"leave a comment", min_position=0.5)])
    late = book.apply(doc_of(BODY + "\n\nLeave a comment\n\nNice post"))
    assert set(removed(late)) == {"Leave a comment", "Nice post"}
    early = book.apply(doc_of("Leave a comment\n\n" + BODY))
    assert removed(early) == {}


def test_cut_before_is_guarded_near_the_end() -> None:
    book = Rulebook([rule("cut-before", r"\d+ min read", max_position=0.3)])
    early = book.apply(doc_of("Menu\n\n5 min read\n\n" + BODY))
    assert set(removed(early)) == {"Menu", "5 min read"}
    late = book.apply(doc_of(BODY + "\n\nOther story\n\n5 min read"))
    assert removed(late) == {}


def test_scope_limits_a_rule_to_domains_and_sources() -> None:
    book = Rulebook([rule("drop-line", r"chrome", scope=Scope(domains=("example.com",), sources=("site-a/*",)))])
    assert removed(book.apply(doc_of("chrome", url="https://news.example.com/x")))
    assert removed(book.apply(doc_of("chrome", source="site-a/page.txt")))
    assert not removed(book.apply(doc_of("chrome", url="https://example.org/x")))
    assert not removed(book.apply(doc_of("chrome", url="https://notexample.com/x")))


def test_an_invalid_url_has_no_host_and_only_unscoped_rules_apply() -> None:
    book = Rulebook([rule("drop-line", r"chrome"), rule("drop-line", r"site chrome", scope=Scope(domains=("oops",)))])
    doc = book.apply(doc_of("chrome\nsite chrome", url="https://[oops/story"))
    assert removed(doc) == {"chrome": "test-drop-line-v1"}


def test_a_page_with_an_invalid_canonical_link_is_cleaned() -> None:
    paragraphs = "".join(
        f"<p>Paragraph {n} of the story says the harbour reopened after months of repairs to the sea wall.</p>"
        for n in range(8)
    )
    html = (
        '<html><head><title>Harbour</title><link rel="canonical" href="https://[oops/story"></head>'
        f"<body><article><h1>Harbour</h1><p>5 min read</p>{paragraphs}</article></body></html>"
    )
    doc = clean_html(html)
    assert doc.url == "https://[oops/story"
    assert doc.rejection is None
    assert "reading-time-v1" in doc.removed and "Paragraph 7 of the story" in doc.text


def test_pathological_pattern_runs_in_linear_time() -> None:
    book = Rulebook([rule("drop-line", r"(a+)+$", match="search"), rule("drop-line", r"(x|x)*y")])
    doc = doc_of("a" * 50_000 + "!\n\n" + "x" * 50_000)
    started = time.perf_counter()
    book.apply(doc)
    assert time.perf_counter() - started < 1.0


def write_rules(directory: Path, name: str, body: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(body, encoding="utf-8")
    return path


GOOD = """
[[rules]]
id = "{id}"
description = "d"
kind = "drop-line"
patterns = ['{pattern}']
drop = ["5 min read"]
keep = ["I read."]
"""


@pytest.mark.parametrize(
    "body, message",
    [
        (GOOD.format(id="x-v1", pattern=r"(?<=a)b"), "bad pattern"),
        (GOOD.format(id="x-v1", pattern=r"(\d) \1"), "bad pattern"),
        (GOOD.format(id="x-v1", pattern="(").replace("'('", "'('"), "bad pattern"),
        (GOOD.format(id="x-v1", pattern="a").replace("drop-line", "drop-lines"), "unknown kind 'drop-lines'; known kinds: drop-line"),
        (GOOD.format(id="x-v1", pattern="a").replace("description", "descripton"), "unknown key(s) ['descripton']"),
        (GOOD.format(id="Bad Id", pattern="a"), "id must be"),
        (GOOD.format(id="x-v1", pattern="a").replace('drop = ["5 min read"]', ""), "needs at least one 'drop' example"),
        ("[[rules]\n", "not valid TOML"),
        (GOOD.format(id="x-v1", pattern="a").replace("drop-line", "cut-after"), "needs an 'example' document"),
        # every key's type and range
        (GOOD.format(id="x-v1", pattern="a").replace('id = "x-v1"', "id = 5"), "rule number 1: 'id' must be a string, not the integer 5"),
        ("rules = [1, 2]\n", "rules entry 1 must be a table ([[rules]]), not the integer 1"),
        ("scope = 5\n" + GOOD.format(id="x-v1", pattern="a"), "'scope' must be a table"),
        ("[scope]\ndomains = 5\n" + GOOD.format(id="x-v1", pattern="a"), "[scope] 'domains' must be a string or a list of strings"),
        (GOOD.format(id="x-v1", pattern="a") + "domains = 5\n", "rule x-v1: 'domains' must be a string or a list of strings, not the integer 5"),
        (GOOD.format(id="x-v1", pattern="a") + "sources = [1]\n", "'sources' must be a string or a list of strings, not an array holding a non-string (1)"),
        (GOOD.format(id="x-v1", pattern="a") + 'case_sensitive = "false"\n', "'case_sensitive' must be true or false, not the string 'false'"),
        (GOOD.format(id="x-v1", pattern="a") + "max_items = true\n", "'max_items' must be an integer, not the boolean true"),
        (GOOD.format(id="x-v1", pattern="a") + "max_items = 0\n", "'max_items' must be at least 1, not 0"),
        (GOOD.format(id="x-v1", pattern="a") + "min_position = 2\n", "'min_position' must be between 0 and 1, not 2"),
        (GOOD.format(id="x-v1", pattern="a").replace('description = "d"', "description = 3"), "'description' must be a string"),
        (GOOD.format(id="x-v1", pattern="a") + "match = 1\n", "'match' must be a string, not the integer 1"),
        (GOOD.format(id="x-v1", pattern="a") + 'match = "anywhere"\n', "'match' must be one of line, search, not 'anywhere'"),
    ],
)
def test_validation_errors_name_file_rule_and_problem(tmp_path: Path, body: str, message: str) -> None:
    path = write_rules(tmp_path, "bad.toml", body)
    with pytest.raises(RuleFileError) as caught:
        load_rule_file(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_a_single_domain_string_is_one_domain(tmp_path: Path) -> None:
    path = write_rules(tmp_path, "one.toml", GOOD.format(id="x-v1", pattern="a") + 'domains = "example.com"\n')
    assert load_rule_file(path)[0].scope.domains == ("example.com",)


def test_case_sensitive_false_stays_false(tmp_path: Path) -> None:
    path = write_rules(tmp_path, "cs.toml", GOOD.format(id="x-v1", pattern="a") + "case_sensitive = false\n")
    assert load_rule_file(path)[0].case_sensitive is False


# Compiles alone (RE2 refuses nothing), but the rule set built from it exceeds RE2's memory limit; a
# search of a set that failed to compile crashes the process.
TOO_LARGE_FOR_A_SET = r"(?:\pL|\pN){999}"


def test_a_pattern_too_large_for_the_rule_set_is_named(tmp_path: Path) -> None:
    path = write_rules(tmp_path, "big.toml", GOOD.format(id="big-v1", pattern=TOO_LARGE_FOR_A_SET) + 'match = "search"\n')
    with pytest.raises(RuleFileError) as caught:
        Rulebook(load_rule_file(path))
    assert f"{path}: rule big-v1: its patterns exceed RE2's memory limit" in str(caught.value)


@pytest.mark.usefixtures("pool_for_one_task")  # what happens in a worker process
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_run_with_a_rule_set_re2_cannot_compile_is_a_one_line_error(
    tmp_path: Path, workers: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from cleaner.cli import main

    rules = tmp_path / "rules"
    rules.mkdir()
    write_rules(rules, "big.toml", GOOD.format(id="big-v1", pattern=TOO_LARGE_FOR_A_SET) + 'match = "search"\n')
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("The cat sat on the mat today. " * 20)
    code = main(["run", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--rules", str(rules), "--workers", workers, "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "rule big-v1: its patterns exceed" in err


def test_duplicate_ids_are_an_error(tmp_path: Path) -> None:
    write_rules(tmp_path, "a.toml", GOOD.format(id="same-v1", pattern="a"))
    write_rules(tmp_path, "b.toml", GOOD.format(id="same-v1", pattern="b"))
    with pytest.raises(RuleFileError, match="duplicate id"):
        load_rules([tmp_path], default_rules=False)


def test_user_rule_replaces_shipped_rule_with_the_same_id(tmp_path: Path) -> None:
    shipped = {r.id: r for r in load_rules()}
    assert "reading-time-v1" in shipped
    write_rules(tmp_path, "mine.toml", GOOD.format(id="reading-time-v1", pattern=r"\d+ min read"))
    rules = load_rules([tmp_path])
    mine = [r for r in rules if r.id == "reading-time-v1"]
    assert len(mine) == 1 and mine[0].patterns == (r"\d+ min read",)
    assert len(rules) == len(shipped)


def test_no_default_rules(tmp_path: Path) -> None:
    write_rules(tmp_path, "mine.toml", GOOD.format(id="mine-v1", pattern="a"))
    assert [r.id for r in load_rules([tmp_path], default_rules=False)] == ["mine-v1"]


def test_failing_examples_are_reported() -> None:
    wrong = Rule(id="wrong-v1", description="d", kind="drop-line", patterns=("share",), drop=("Tweet",), keep=("share",))
    assert check_examples(wrong) == ["should drop: 'Tweet'", "should keep unchanged: 'share' (got '')"]


def test_a_rules_expression_is_compiled_when_a_document_first_needs_it() -> None:
    book = Rulebook([rule("drop-line", r"share"), rule("drop-section", r"related", until=("more",))])
    share, related = sorted(book._compiled, key=lambda c: c.rule.kind)  # noqa: SLF001 - what was compiled
    assert not {"regex", "until"} & (vars(share).keys() | vars(related).keys())
    assert removed(book.apply(doc_of("SHARE\n\nShare prices rose."))) == {"SHARE": "test-drop-line-v1"}
    # The set finds the lines (`TextView.lines_by_rule`): a drop-line rule's own expression is never needed.
    assert not {"regex", "until"} & (vars(share).keys() | vars(related).keys())
    anchored = Rulebook([rule("drop-line", r"\Ashare"), rule("drop-section", r"related", until=("more",))])
    first, section = sorted(anchored._compiled, key=lambda c: c.rule.kind)  # noqa: SLF001
    assert removed(anchored.apply(doc_of("SHARE\n\nShare prices rose."))) == {"SHARE": "test-drop-line-v1"}
    assert "regex" in vars(first) and not {"regex", "until"} & vars(section).keys()


def test_lines_are_found_by_the_set_unless_a_rule_reads_the_texts_own_ends() -> None:
    assert Rulebook([rule("drop-line", r"share"), rule("drop-line", r"^more$")])._lines_by_set  # noqa: SLF001
    for pattern in (r"\Ashare", r"share\z", r"(?-m:^share)", r"(?i-m)^share"):
        assert not Rulebook([rule("drop-line", r"share"), rule("drop-line", pattern, match="search")])._lines_by_set  # noqa: SLF001


def test_the_set_finds_the_lines_each_rules_own_expression_finds() -> None:
    lines = [f"Line {n} with share and related" if n % 5 == 0 else f"Read more about item {n}" for n in range(300)]
    text = "\n".join(lines)
    rules = [rule("drop-line", r"share", match="search"), rule("drop-line", r"^read more.*$"),
             replace(rule("drop-line", r"related$", match="search"), id="test-related-v1", max_chars=30)]
    by_set, by_rule = Rulebook(rules), Rulebook(rules)
    by_rule._lines_by_set = False  # noqa: SLF001 - the other path
    assert by_set._lines_by_set and removed(by_set.apply(doc_of(text))) == removed(by_rule.apply(doc_of(text)))  # noqa: SLF001


def test_a_pattern_re2_refuses_is_named_with_re2s_reason() -> None:
    from cleaner.rulebook import pattern_problem

    assert pattern_problem(r"\bshare\b") is None
    assert "missing )" in pattern_problem("(share")
