"""The shipped rule files: valid, their own examples pass, and they generalise."""

import subprocess
import sys
from pathlib import Path

import pytest

from cleaner import Config, clean_text
from cleaner.cli import main
from cleaner.rulebook import check_examples, load_rules

SHIPPED = load_rules()


@pytest.mark.parametrize("rule", SHIPPED, ids=[rule.id for rule in SHIPPED])
def test_shipped_rule_examples(rule) -> None:
    assert check_examples(rule) == []


def test_rules_check_command_over_shipped_rules(capsys: pytest.CaptureFixture) -> None:
    assert main(["rules", "check"]) == 0
    assert " 0 failed" in capsys.readouterr().out


def test_rules_check_command_fails_on_a_failing_example(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "r.toml").write_text('[[rules]]\nid = "x-v1"\ndescription = "d"\nkind = "drop-line"\npatterns = ["share"]\ndrop = ["tweet"]\n')
    assert main(["rules", "check", str(tmp_path)]) == 1
    assert "rule x-v1: should drop: 'tweet'" in capsys.readouterr().err


def test_bad_rule_file_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "r.toml").write_text('[[rules]]\nid = "x-v1"\ndescription = "d"\nkind = "drop-line"\npatterns = ["(?<=a)"]\ndrop = ["a"]\n')
    assert main(["run", str(tmp_path), "-o", str(tmp_path / "out"), "--rules", str(tmp_path), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "rule x-v1: bad pattern" in err


# Chrome the rules were not written from: other sites, other wording.
UNSEEN_CHROME = [
    "3 min read",
    "Reading time: 7 min",
    "Listen to this story",
    "Text size",
    "Share this story",
    "Facebook | Twitter | Email",
    "Follow us on Instagram for more stories",
    "Subscribe to our weekly newsletter",
    "Related Articles",
    "You might also like",
    "Most Popular",
    "Comments are closed.",
    "© 2021 Daily Planet Media Group",
    "This website uses cookies to ensure you get the best experience.",
    "Lesen Sie auch: Warum die Mieten steigen",
    "Das könnte Sie auch interessieren",
    "À lire aussi",
    "Lo más leído",
    "Publié le 3 janvier 2022",
    "Zuletzt aktualisiert: 04.05.2023",
]

ARTICLE = [
    "The city council voted on Tuesday to approve a network of protected cycle lanes that will connect the suburbs with the centre.",
    "The plan, which passed by nine votes to four, includes twelve kilometres of separated lanes and new crossings at six junctions.",
    "Shop owners were divided: some welcomed more customers arriving by bike, others worried about the loss of parking spaces.",
    "Construction is expected to begin in the autumn and to be finished within two years, the council said in a statement.",
]


# Chrome that ends an article and takes what follows with it.
UNSEEN_TAIL_CHROME = [
    "Leave a Reply\n\nJohn Smith says:\n\nGreat article, thanks for writing it!",
    "About the Author\n\nJane Doe writes about cities and transport for the paper. She lives in Leeds.",
    "Hinterlasse einen Kommentar\n\nSchöner Beitrag, danke!",
    "Related stories\n\nCouncil approves budget for new library\n\nBus fares to rise in April",
]


@pytest.mark.parametrize("tail", UNSEEN_TAIL_CHROME)
def test_unseen_tail_chrome_is_removed_with_what_follows(tail: str) -> None:
    doc = clean_text("Headline\n\n" + "\n\n".join(ARTICLE) + "\n\n" + tail, config=Config(min_words=0))
    assert doc.text == "\n\n".join(ARTICLE)


@pytest.mark.parametrize("chrome", UNSEEN_CHROME)
def test_unseen_chrome_is_removed(chrome: str) -> None:
    text = "Headline\n\n" + "\n\n".join(ARTICLE[:2] + [chrome] + ARTICLE[2:])
    doc = clean_text(text, config=Config(min_words=0))
    assert chrome not in doc.text
    assert all(paragraph in doc.text for paragraph in ARTICLE)


def test_body_lines_that_resemble_chrome_stay() -> None:
    lookalikes = [
        "Readers were asked to share their memories of the old station, and hundreds did.",
        "The report, published on Monday, found that 5 minutes of exercise a day made a difference.",
        "Comments by the minister were criticised by the opposition as careless and divisive.",
        "She read more than two hundred books a year, according to her diary.",
    ]
    text = "Headline\n\n" + "\n\n".join(ARTICLE[:2] + lookalikes + ARTICLE[2:])
    doc = clean_text(text, config=Config(min_words=0))
    assert all(line.kept for line in doc.lines), [line.text for line in doc.lines if not line.kept]


SEED_000_CHROME = [
    "Published: Updated:", "Read Mode", "100% Font Size", "5 min read", "Google News channel",
    "Read more:", "Kazakhstan says ‘strategic facilities’ under guard after unrest",
    "Beheaded police officer among 12 killed in Kazakhstan clashes",
    "Kazakhstan’s president orders forces to open fire without warning amid unrest", "Top Content Trending",
]
SEED_002_CHROME = [
    "published this video item", "YouTube Channel", "Leave your thoughts in the comments", "comments are moderated",
    "About This Source", "privately held financial", "founded by Michael Bloomberg", "Recent from Bloomberg",
    "Heavy Rain Floods", "In This Story", "officially the Republic of Belarus", "Recent Items",
    "Katie Taylor", "Kyrgyzstan, officially", "Leave a Comment", "We don't require your email",
]


@pytest.mark.parametrize(
    "name, chrome, body_ends_before",
    [("000_53b6d9f3f8bb2356.txt", SEED_000_CHROME, "Read more:"), ("002_13e50f82ca3383ca.txt", SEED_002_CHROME, "Bloomberg Quicktake: Now YouTube")],
)
def test_seeds_come_out_as_their_article_bodies(fixtures_dir: Path, name: str, chrome: list[str], body_ends_before: str) -> None:
    raw = (fixtures_dir / "input/seeds" / name).read_text(encoding="utf-8")
    doc = clean_text(raw)
    assert doc.rejection is None
    assert doc.title == raw.splitlines()[0]
    for snippet in chrome:
        assert snippet not in doc.text, snippet
    article = raw[: raw.index(body_ends_before)]
    body = [p for p in article.split("\n\n")[1:] if len(p.split()) > 25 and not any(c in p for c in chrome)]
    assert len(body) >= 11
    positions = [doc.text.find(paragraph) for paragraph in body]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)


def test_rules_are_shipped_as_package_data(tmp_path: Path) -> None:
    """After a non-editable install the rules load from site-packages, not from the checkout."""
    probe = "import cleaner.rulebook as r; print(r.shipped_rules_dir()); print(len(r.load_rules()))"
    found = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True)
    if found.returncode != 0:
        pytest.skip("cleaner is not installed (pip install .)")
    where, count = found.stdout.split()
    if Path(where).resolve() == (Path(__file__).parent.parent / "rules").resolve():
        pytest.skip("cleaner is installed in editable mode")
    assert "site-packages" in where and int(count) == len(SHIPPED)


def test_rule_directories_inside_hidden_folders_still_load(tmp_path: Path) -> None:
    hidden = tmp_path / ".config" / "rules"
    hidden.mkdir(parents=True)
    (hidden / "r.toml").write_text('[[rules]]\nid = "x-v1"\ndescription = "d"\nkind = "drop-line"\npatterns = ["share"]\ndrop = ["share"]\n')
    (hidden / ".draft.toml").write_text("not toml at all [")
    assert [rule.id for rule in load_rules([hidden], default_rules=False)] == ["x-v1"]
