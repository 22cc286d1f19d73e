import gc
from pathlib import Path

from cleaner.config import Config
from cleaner.document import Document
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
