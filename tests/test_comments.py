"""Comment threads: found by their repeated header shape in any language, dropped only after an article."""

from __future__ import annotations

import pytest

from cleaner.api import clean_text
from cleaner.comments import COMMENT_THREAD, CommentThreads, find_threads, header_key
from cleaner.config import Config
from cleaner.document import Document, lines_from_text

ARTICLE = [
    "The harbour reopened on Monday after three months of repairs to the old sea wall, the council said in a statement.",
    "Fishermen who had moved their boats to a neighbouring town said they were glad to be back, although the fees have gone up.",
    "The works cost more than planned because storms in the winter damaged the new stones before they had set properly.",
]


def thread(headers: list[str], names: list[str] | None = None) -> list[str]:
    """Comment blocks: an optional name line, the header, a comment and an action line."""
    lines = []
    for k, header in enumerate(headers):
        lines += ([names[k]] if names else []) + [header, f"Comment number {k} says the new wall looks much better than the old one did.", "Reply"]
    return lines


def dropped(lines: list[str]) -> list[str]:
    doc = CommentThreads()(Document(source="t", kind="text", lines=lines_from_text("\n".join(lines))))
    return [line.text for line in doc.lines if line.removed_by == COMMENT_THREAD]


CASES = [
    # (what, lines after the article, lines dropped)
    ("English 'says' template", thread(["March 3, 2019 at 4:15 pm", "March 4, 2019 at 9:02 am", "April 1, 2019 at 11:30 pm"], ["Anna says:", "Bob says:", "Carla says:"]), "all"),
    ("a language no rule lists: Polish", thread(["3 marca 2019 o 16:15", "4 marca 2019 o 9:02", "1 kwietnia 2019 o 23:30"]), "all"),
    ("relative ages", thread(["vor 3 Stunden", "vor 5 Stunden", "vor 2 Tagen"]), "all"),
    ("Chinese dates", thread(["2019年3月3日 16:15", "2019年3月4日 09:02", "2019年4月1日 23:30"]), "all"),
    ("two comments are not a thread", thread(["March 3, 2019 at 4:15 pm", "March 4, 2019 at 9:02 am"]), "none"),
    ("a chronology: dates without a time", thread(["3 March 2019", "4 March 2019", "1 April 2019"]), "none"),
    ("a schedule: times without a date", thread(["4:15 pm", "9:02 am", "11:30 pm"]), "none"),
]


@pytest.mark.parametrize("what, after, expected", CASES, ids=[case[0] for case in CASES])
def test_threads_after_an_article(what: str, after: list[str], expected: str) -> None:
    got = dropped(ARTICLE + after)
    assert not set(got) & set(ARTICLE)
    assert got == (after if expected == "all" else [])


def test_a_forum_thread_without_an_article_before_it_stays() -> None:
    forum = ["Forum", "Topic: the new sea wall"] + thread(["March 3, 2019 at 4:15 pm", "March 4, 2019 at 9:02 am", "April 1, 2019 at 11:30 pm"])
    assert dropped(forum) == []


def test_header_lines_share_one_skeleton_whatever_the_numbers_and_month_names() -> None:
    assert header_key("Mamabaer sagt: 23. Mai 2018 um 21:15 Uhr") == header_key("blah blubb sagt: 1. Januar 2016 um 07:01 Uhr")
    assert header_key("A sentence that ends on 3 May 2019 at 10:00.") is None


def test_detection_reads_lines_the_rules_already_removed() -> None:
    lines = ARTICLE + thread(["March 3, 2019 at 4:15 pm", "March 4, 2019 at 9:02 am", "April 1, 2019 at 11:30 pm"])
    doc = Document(source="t", kind="text", lines=lines_from_text("\n".join(lines)))
    for i, line in enumerate(doc.lines):
        if "2019" in line.text:
            doc.remove(i, "some-rule-v1")
    assert [t.comments for t in find_threads([line.text for line in doc.lines])] == [3]
    CommentThreads()(doc)
    assert {line.removed_by for line in doc.lines if "2019" in line.text} == {"some-rule-v1"}


@pytest.mark.parametrize("comments, kept", [("drop", False), ("keep", True)])
def test_the_comments_option(comments: str, kept: bool) -> None:
    after = thread(["March 3, 2019 at 4:15 pm", "March 4, 2019 at 9:02 am", "April 1, 2019 at 11:30 pm"])
    doc = clean_text("\n\n".join(ARTICLE + after), config=Config(comments=comments, heuristics=False, min_words=0))
    assert ("Comment number 1" in doc.text) is kept
    assert ARTICLE[0] in doc.text
    assert (COMMENT_THREAD in doc.removed) is not kept


# --- `--comments field`: the thread apart from the text --------------------------------------

from blogs import BLOGS, Blog  # noqa: E402

from cleaner.api import clean_html  # noqa: E402
from cleaner.comments import comments_text  # noqa: E402


@pytest.mark.parametrize("blog", BLOGS, ids=[blog.lang for blog in BLOGS])
def test_field_keeps_the_text_of_drop_and_the_thread_apart_in_a_dump(blog: Blog) -> None:
    dropped_doc = clean_text(blog.dump(), config=Config(comments="drop"))
    doc = clean_text(blog.dump(), config=Config(comments="field"))
    assert doc.rejection is None and doc.text == dropped_doc.text and doc.removed == dropped_doc.removed
    comments = comments_text(doc).split("\n")
    assert [line for line in comments if line in blog.comment_texts] == blog.comment_texts  # in page order
    assert comments == [line.text for line in doc.lines if line.removed_by == COMMENT_THREAD]
    assert not set(comments) & set(blog.article) and all(text not in doc.text for text in blog.comment_texts)


@pytest.mark.parametrize("blog", BLOGS, ids=[blog.lang for blog in BLOGS])
def test_field_takes_trafilaturas_comments_apart_from_an_html_body(blog: Blog) -> None:
    dropped_doc = clean_html(blog.html(), config=Config(comments="drop"))
    doc = clean_html(blog.html(), config=Config(comments="field"))
    assert doc.rejection is None and doc.text == dropped_doc.text and blog.article[-1] in doc.text
    assert comments_text(doc) == "\n".join(blog.comment_texts)
    assert clean_html(blog.html(), config=Config(comments="keep")).text.endswith(blog.comment_texts[-1])


def test_comment_lines_are_normalised_like_the_body() -> None:
    blog = BLOGS[0]
    odd = blog.html().replace("far too quiet", "far\u00a0too  quiet").replace("Lovely", "\u200bLovely")
    odd = odd.replace("on Monday", "on\u00a0Monday")
    doc = clean_html(odd, config=Config(comments="field"))
    assert doc.comments[0] == blog.comment_texts[0]
    assert blog.article[0] in doc.text


def test_filters_weigh_the_text_alone() -> None:
    blog = BLOGS[0]
    words = len(clean_text(blog.dump(), config=Config(comments="drop")).text.split())
    doc = clean_text(blog.dump(), config=Config(comments="field", min_words=words + 1))
    assert doc.rejection is not None and doc.rejection.reason == "too_short"  # the comments' words do not count
