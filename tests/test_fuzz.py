"""Property-based tests: the readers, decoding, normalisation, the rulebook and the heuristics on arbitrary input.

Each property holds for any bytes or text hypothesis can make: no exception
but the documented ones (`InputError` with a rejects code, a document's
`Rejection`), normalisation idempotent, every line that leaves a document
with a reason, every input record accounted for. Example counts are kept
small so the default suite stays fast (60 each); `HYPOTHESIS_PROFILE=deep`
(see `conftest.py`) runs each property on 3,000.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from cleaner.config import Config
from cleaner.containers import read_unit
from cleaner.document import Document, lines_from_text
from cleaner.errors import InputError
from cleaner.extract import split_title
from cleaner.heuristics import Heuristics
from cleaner.normalize import normalize
from cleaner.pipeline import Pipeline
from cleaner.readers import decode, read_bytes
from cleaner.records import ReadStats, Record, Unit
from cleaner.rulebook import Rulebook, load_rules

# The rejects codes a record may get (README, "rejects.jsonl"); `failed` is
# the catch-all for an unexpected error, which is a bug for these properties.
REJECTS = {
    "unreadable", "empty", "binary", "decode_error", "bad_gzip", "bad_record", "no_text", "too_large",
    "no_main_text", "too_short", "language", "timeout",
}
PIPELINE = Pipeline(Config(time_limit=0))
RULEBOOK = Rulebook(load_rules())
HEURISTICS = Heuristics("balanced")

# Text that looks like web pages more often than uniform Unicode does: words,
# digits, punctuation of several scripts, chrome-like phrases, odd spaces and
# controls, and line breaks of every kind.
PIECES = st.sampled_from([
    "The", "council", "said", "on", "Monday", ".", ",", "?", "!", "Read more:", "Share", "Menu", "Home »",
    "5 min read", "Comments", "Reply", "© 2024", "|", "—", "“", "”", "der", "und", "la", "的", "。", "日本語",
    "ภาษาไทย", "مرحبا", "Привет", "\u200b", "\u00a0", "\t", "\r\n", "\n", "\n\n", "\r", "\u2028", "\x0c",
    "\ufeff", "Ã©", "â€™", "\x00", "\x1b", "https://example.com/a", "12:30", "3 hours ago",
])
WEB_TEXT = st.one_of(st.text(max_size=400), st.lists(st.one_of(PIECES, st.text(max_size=12)), max_size=80).map(" ".join))
HTML_TAGS = st.sampled_from([
    "<html>", "</html>", "<body>", "<p>", "</p>", "<div class='comment'>", "</div>", "<br>", "<h1>", "</h1>",
    "<meta charset='{}'>", "<script>var a = '<p>';</script>", "<!--", "-->", "<![CDATA[", "]]>", "<a href='x'>",
    "</a>", "<article>", "</article>", "<!DOCTYPE html>", "<text id='u' title='t'>", "&amp;", "&#0;", "&#xD800;",
])
CHARSETS = st.sampled_from(["utf-8", "gb2312", "iso-8859-1", "shift_jis", "utf-16", "base64", "rot13", "x", ""])
HTML = st.lists(st.one_of(HTML_TAGS, PIECES, st.text(max_size=20)), max_size=60).map("".join).flatmap(
    lambda page: CHARSETS.map(lambda charset: page.replace("{}", charset)))
ENCODINGS = st.sampled_from(["utf-8", "utf-16", "cp1252", "gb18030", "shift_jis", "koi8-r", "latin-1"])
ENCODED = st.tuples(WEB_TEXT, ENCODINGS).map(lambda pair: pair[0].encode(pair[1], errors="replace"))
BYTES = st.one_of(st.binary(max_size=600), ENCODED, HTML.map(lambda page: page.encode("utf-8", errors="surrogatepass")))


@given(BYTES, st.sampled_from(["text", "html"]), CHARSETS)
def test_decoding_gives_text_or_a_rejects_code(data: bytes, kind: str, declared: str) -> None:
    try:
        text, encoding = decode(data, kind, declared)
    except InputError as exc:
        assert exc.reason in {"binary", "decode_error"}
        return
    assert isinstance(text, str) and encoding
    text.encode("utf-8", errors="strict")  # no lone surrogates reach the pipeline


@given(st.one_of(st.binary(max_size=400), ENCODED.map(gzip.compress), ENCODED.map(lambda b: gzip.compress(b)[:-5]),
                 st.lists(ENCODED.map(gzip.compress), max_size=5).map(b"".join)))
def test_reading_a_gzip_file_gives_bytes_or_a_rejects_code(tmp_path_factory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("gz") / "page.txt.gz"
    path.write_bytes(data)
    try:
        assert isinstance(read_bytes(path, 1 << 20), bytes)
    except InputError as exc:
        assert exc.reason in {"bad_gzip", "empty", "too_large"}


@given(WEB_TEXT)
@example("a\u2028b\r\n\r\n\r\nc")
@example("Ã©tÃ© \u00a0 \u200b")
def test_normalisation_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


def document(text: str) -> Document:
    return Document(source="fuzz.txt", kind="text", lines=lines_from_text(normalize(text)))


def assert_every_removal_has_a_reason(doc: Document) -> None:
    for line in doc.lines:
        assert line.kept or line.removed_by, line


@given(WEB_TEXT)
def test_the_rulebook_removes_only_with_a_rule_id(text: str) -> None:
    doc = RULEBOOK.apply(document(text))
    ids = set(RULEBOOK.ids)
    assert all(line.kept or line.removed_by in ids for line in doc.lines)


@given(WEB_TEXT)
def test_the_heuristics_remove_only_with_a_reason(text: str) -> None:
    assert_every_removal_has_a_reason(HEURISTICS(document(text)))


@given(WEB_TEXT)
def test_a_title_is_found_or_not_without_error(text: str) -> None:
    found = split_title(normalize(text))
    assert isinstance(found.title, str) and isinstance(found.body, str)


@given(BYTES, st.sampled_from(["text", "html"]))
def test_the_pipeline_gives_a_document_or_a_documented_rejection(data: bytes, kind: str) -> None:
    doc = PIPELINE.process(Record("fuzz", "fuzz", "file", kind, data=data))
    if doc.rejection is not None:
        assert doc.rejection.reason in REJECTS, doc.rejection
    else:
        assert doc.text.strip()
        assert_every_removal_has_a_reason(doc)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | WEB_TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
JSONL_LINES = st.lists(
    st.one_of(
        st.dictionaries(st.sampled_from(["text", "url", "id", "date", "meta", "x"]), JSON_VALUES, max_size=4).map(json.dumps),
        JSON_VALUES.map(json.dumps),
        st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
    ),
    max_size=12,
)


@given(JSONL_LINES)
def test_every_jsonl_line_is_a_record(tmp_path_factory, lines: list[str]) -> None:
    path = tmp_path_factory.mktemp("jsonl") / "part.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8", errors="surrogatepass") + b"\n")
    unit = Unit(str(path), "part.jsonl", "jsonl", "text")
    records = list(read_unit(unit, Config(), ReadStats()))
    non_blank = [line for line in "\n".join(lines).encode("utf-8", "surrogatepass").split(b"\n") if line.strip()]
    assert len(records) == len(non_blank)
    for record in records:
        assert record.problem is None and isinstance(record.text, str) or record.problem[0] in REJECTS
