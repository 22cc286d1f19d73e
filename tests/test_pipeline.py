import gc
import time
from pathlib import Path

from cleaner.config import Config
from cleaner.document import Document, Rejection
from cleaner.pipeline import Pipeline

LONG = "This sentence is part of a body that is long enough to keep. " * 10


def test_steps_run_in_order_and_filters_decide(tmp_path: Path) -> None:
    seen: list[str] = []

    def mark_first_line(doc: Document) -> Document:
        seen.append("mark")
        doc.remove(0, "test-step")
        return doc

    pipeline = Pipeline(Config(min_words=5), steps=[("mark", mark_first_line)])
    path = tmp_path / "a.txt"
    path.write_text("Headline\n\nchrome line\n\n" + LONG)
    doc = pipeline.process_file(path, "a.txt", "text")
    assert seen == ["mark"]
    assert doc.rejection is None
    assert doc.removed == {"test-step": 1}
    assert doc.text == LONG.strip()


def test_a_crashing_step_becomes_a_failed_rejection(tmp_path: Path) -> None:
    def crash(doc: Document) -> Document:
        raise RuntimeError("boom")

    path = tmp_path / "a.txt"
    path.write_text(LONG)
    doc = Pipeline(Config(), steps=[("crash", crash)]).process_file(path, "a.txt", "text")
    assert doc.rejection is not None
    assert (doc.rejection.reason, doc.rejection.detail) == ("failed", "RuntimeError: boom")


def test_language_filter(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(LONG)
    doc = Pipeline(Config(langs=("de", "fr"))).process_file(path, "a.txt", "text")
    assert doc.rejection is not None and doc.rejection.reason == "language"
    assert "detected en" in doc.rejection.detail


def test_the_same_story_in_any_encoding_cleans_to_the_same_text(fixtures_dir: Path) -> None:
    folder = fixtures_dir / "input" / "text"
    names = ["cafe.txt.gz", "cafe-cp1252.txt", "cafe-utf16-bom.txt", "cafe-controls-crlf.txt"]
    pipeline = Pipeline(Config())
    docs = [pipeline.process_file(folder / name, name, "text") for name in names]
    assert all(doc.rejection is None for doc in docs)
    assert len({doc.text for doc in docs}) == 1
    assert "café crème" in docs[0].text


def test_building_a_pipeline_leaves_the_garbage_collector_as_it_was() -> None:
    assert gc.isenabled()
    Pipeline(Config())
    assert gc.isenabled()
    gc.disable()
    try:
        Pipeline(Config())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_document_that_takes_too_long_becomes_a_timeout_rejection(tmp_path: Path) -> None:
    def endless(doc: Document) -> Document:
        while True:
            pass

    path = tmp_path / "a.txt"
    path.write_text(LONG)
    pipeline = Pipeline(Config(time_limit=0.1), steps=[("endless", endless)])
    doc = pipeline.process_file(path, "a.txt", "text")
    assert doc.rejection is not None
    assert (doc.rejection.reason, doc.rejection.detail) == ("timeout", "cleaning took longer than 0.1 s (--time-limit)")
    # The next document is not affected: no timer is left behind.
    assert Pipeline(Config(time_limit=0.1)).process_file(path, "a.txt", "text").rejection is None


def test_with_line_counts_keeps_custom_steps_and_puts_repetition_first(tmp_path: Path) -> None:
    from cleaner.repetition import LineCounts

    def custom(doc: Document) -> Document:
        return doc

    pipeline = Pipeline(Config(), steps=[("custom", custom)])
    with LineCounts(tmp_path / "counts.sqlite") as counts:
        counted = pipeline.with_line_counts(counts)
    assert [name for name, _ in counted.steps] == ["repeated", "custom"]
    assert [name for name, _ in pipeline.steps] == ["custom"]


def test_a_record_with_a_container_charset_and_url_keeps_them() -> None:
    from cleaner.records import Record

    page = "<html><head><link rel=canonical href='https://other.example/x'></head><body><article>" + "".join(
        f"<p>Der Bürgermeister sprach am Tag {n} lange über den Hafen und die Brücke.</p>" for n in range(12)
    ) + "</article></body></html>"
    record = Record("crawl.warc#4", "crawl.warc", "warc", "html", data=page.encode("latin-1"), charset="iso-8859-1",
                    url="https://news.example/a", id="<urn:uuid:4>")
    doc = Pipeline(Config()).load(record)
    assert doc.rejection is None and doc.encoding == "cp1252" and "Bürgermeister" in doc.text
    assert doc.url == "https://news.example/a" and doc.source == "crawl.warc#4" and doc.extractor == "trafilatura"
    assert doc.metadata == {"format": "warc", "id": "<urn:uuid:4>", "url": "https://news.example/a"}


def test_a_record_with_a_problem_is_its_rejection() -> None:
    from cleaner.records import Record

    doc = Pipeline(Config()).process(Record("a.jsonl#3", "a.jsonl", "jsonl", "text", problem=("bad_record", "line 4: not JSON")))
    assert (doc.source, doc.rejection.reason, doc.rejection.detail) == ("a.jsonl#3", "bad_record", "line 4: not JSON")


def test_a_text_record_is_not_extracted() -> None:
    from cleaner.records import Record

    doc = Pipeline(Config(min_words=5)).process(Record("a.jsonl#0", "a.jsonl", "jsonl", "text", text="Title\n\n" + LONG))
    assert doc.rejection is None and doc.extractor == "" and doc.title == "Title" and doc.encoding == ""


def test_a_page_the_fast_path_falls_back_on_is_read_by_trafilatura_and_cleaned_with_its_profile() -> None:
    from cleaner.records import Record

    page = ("<html><body><nav><a href='/'>Home</a></nav><article><p>The harbour reopened on Monday after three months "
            "of repairs to the sea wall, which was damaged in the winter storms.</p></article></body></html>")
    record = Record("a.html", "a.html", "file", "html", data=page.encode("utf-8"))
    fast, default = Pipeline(Config(extractor="resiliparse")).load(record), Pipeline(Config()).load(record)
    assert fast.extractor == default.extractor == "trafilatura"
    assert [(line.text, line.removed_by) for line in fast.lines] == [(line.text, line.removed_by) for line in default.lines]


def documents(pipeline: Pipeline, texts: list[str]) -> list[Document]:
    return [pipeline.parse(text, f"d{i}.txt", "text") for i, text in enumerate(texts)]


def test_a_batch_is_cleaned_a_step_at_a_time_as_each_document_alone() -> None:
    seen: list[tuple[str, str]] = []

    def step(name: str):
        def run(doc: Document) -> Document:
            seen.append((name, doc.source))
            doc.remove(0, f"test-{name}")
            return doc
        return run

    texts = ["Menu\n\n" + LONG, "Sign in\n\nShare\n\n" + LONG, "Subscribe\n\n" + LONG]
    pipeline = Pipeline(Config(min_words=5), steps=[("a", step("a")), ("b", step("b"))])
    batch = pipeline.clean_batch(documents(pipeline, texts))
    assert seen == [("a", "d0.txt"), ("a", "d1.txt"), ("a", "d2.txt"), ("b", "d0.txt"), ("b", "d1.txt"), ("b", "d2.txt")]
    alone = [pipeline.clean_safely(doc) for doc in documents(pipeline, texts)]
    assert [(doc.text, doc.removed, doc.rejection) for doc in batch] == [(doc.text, doc.removed, doc.rejection) for doc in alone]
    assert batch[2].rejection is not None and batch[2].rejection.reason == "empty"  # the filters run last, per document


def test_a_document_a_step_fails_on_is_skipped_by_the_later_steps_and_the_others_go_on() -> None:
    later: list[str] = []

    def crash_on_second(doc: Document) -> Document:
        if doc.source == "d1.txt":
            raise RuntimeError("boom")
        return doc

    def record(doc: Document) -> Document:
        later.append(doc.source)
        return doc

    pipeline = Pipeline(Config(), steps=[("crash", crash_on_second), ("record", record)])
    batch = pipeline.clean_batch(documents(pipeline, [LONG, LONG, LONG]))
    assert [doc.rejection.reason if doc.rejection else None for doc in batch] == [None, "failed", None]
    assert later == ["d0.txt", "d2.txt"]


def test_a_documents_time_limit_spans_all_its_steps() -> None:
    def slow(doc: Document) -> Document:
        stop = time.perf_counter() + 0.06
        while time.perf_counter() < stop:
            pass
        return doc

    # Each step alone is within the limit; together they are not.
    pipeline = Pipeline(Config(time_limit=0.1), steps=[("one", slow), ("two", slow), ("three", slow)])
    (doc,) = pipeline.clean_batch(documents(pipeline, [LONG]))
    assert doc.rejection is not None
    assert (doc.rejection.reason, doc.rejection.detail) == ("timeout", "cleaning took longer than 0.1 s (--time-limit)")


def test_a_document_rejected_before_cleaning_is_passed_on_as_it_is() -> None:
    pipeline = Pipeline(Config(), steps=[])
    rejected = Document(source="bad.txt", kind="text")
    rejected.rejection = Rejection("unreadable", "no")
    batch = pipeline.clean_batch([rejected, *documents(pipeline, [LONG])])
    assert batch[0] is rejected and batch[1].rejection is None


def test_each_loaded_document_keeps_its_limit_while_the_caller_cleans_between_them() -> None:
    """A one-pass run cleans each document before the next is loaded: the two alarms nest."""
    from cleaner.records import FILE, Record

    def endless(doc: Document) -> Document:
        while True:
            pass

    pipeline = Pipeline(Config(time_limit=0.1), steps=[("endless", endless)])
    load = pipeline.load

    def stuck_on_the_second(record: Record) -> Document:
        while record.key == "d1.txt":
            pass
        return load(record)

    pipeline.load = stuck_on_the_second  # type: ignore[method-assign]
    records = [Record(f"d{n}.txt", f"d{n}.txt", FILE, "text", text=LONG) for n in range(3)]
    outcomes = []
    for doc in pipeline.load_each(records):
        (cleaned,) = pipeline.clean_batch([doc])
        outcomes.append((cleaned.rejection.reason, cleaned.rejection.detail.split(" took")[0]))
    assert outcomes == [("timeout", "cleaning"), ("timeout", "reading and extraction"), ("timeout", "cleaning")]


def test_a_text_dump_loaded_with_its_lines_deferred_unpacks_to_the_document_loaded_whole() -> None:
    from cleaner.document import pack, unpack
    from cleaner.repetition import body_line_keys, line_keys

    pipeline = Pipeline(Config())
    text = "A headline\n\nMenu\nHome\n\nThe harbour reopened on Monday after three months of repairs.\n  \n\n\nEnd"
    whole = pipeline.parse(text, "s.txt", "text")
    deferred = pipeline.deferring_lines().parse(text, "s.txt", "text")
    assert deferred.lines == [] and deferred.unsplit is not None and not pipeline.defer_lines
    assert deferred.kept_keys(line_keys, body_line_keys) == whole.kept_keys(line_keys) != []
    assert unpack(pack(deferred)) == whole
    html = "<html><body><article><p>" + "The harbour reopened on Monday. " * 20 + "</p></article></body></html>"
    assert pipeline.deferring_lines().parse(html, "p.html", "html").lines  # a page's lines are made as before
