"""The declared stages and the tasks that carry them out."""

from collections import Counter
from pathlib import Path

from cleaner.config import Config
from cleaner.records import Unit
from cleaner.stages import STAGES, RunContext, batches, clean_task, parse_and_clean_task, parse_task, read_stream

BODY = "The harbour council met on Monday to talk about the new bridge and the ferry timetable for the summer. " * 6


def test_the_stages_are_declared_in_run_order() -> None:
    assert [stage.name for stage in STAGES] == [
        "read", "extract", "normalise", "count", "clean", "language", "filter", "sign", "dedup", "write",
    ]
    assert [stage.name for stage in STAGES if stage.reduce] == ["count", "dedup"]


def test_batches_group_units_by_their_size() -> None:
    units = [Unit(f"{n}.txt", f"{n}.txt") for n in range(5)] + [Unit("big.warc", "big.warc", "warc", size_hint=64)]
    assert [len(b.units) for b in batches(units, 2)] == [2, 2, 2]
    assert [b.number for b in batches(units, 100)] == [0]


def test_batches_ramp_up_then_down_to_the_end_of_the_units() -> None:
    pages = [Unit(f"{n}.html", f"{n}.html") for n in range(990)]
    sizes = [len(b.units) for b in batches(pages, 64, first=16, last=8)]
    assert sizes[:3] == [16, 32, 64] and set(sizes[2:-4]) == {64}
    assert sizes[-4:] == [55, 28, 14, 13]  # half of what is left each, so the workers end a pass together
    assert sum(sizes) == 990 and [len(b.units) for b in batches(pages, 64, first=16)][-1] == 46


def test_a_short_run_keeps_one_task_and_a_ramp_down_keeps_whole_units() -> None:
    assert [len(b.units) for b in batches((Unit(f"{n}", f"{n}") for n in range(16)), 64, first=16, last=8)] == [16]
    slices = [Unit("crawl.warc.gz", "crawl.warc.gz", "warc", size_hint=32) for _ in range(10)]
    assert [len(b.units) for b in batches(slices, 64, first=16, last=8)] == [1, 1, 2, 2, 2, 1, 1]  # 64 records, then 32 and 32


def make_inputs(folder: Path) -> list[Unit]:
    folder.mkdir()
    (folder / "a.txt").write_text("A headline\n\n" + BODY)
    (folder / "b.txt").write_bytes(b"")
    return [Unit(str(folder / name), name) for name in ("a.txt", "b.txt")]


def test_two_pass_tasks_send_back_keys_and_signatures_not_text(tmp_path: Path) -> None:
    units = make_inputs(tmp_path / "in")
    (tmp_path / "scratch").mkdir()
    run = RunContext(Config(min_words=5), str(tmp_path / "scratch"))
    (batch,) = batches(units, 32)
    parsed = parse_task(batch, run)
    assert parsed.records == Counter({"file": 2}) and parsed.documents == 1
    ((site, keys, texts),) = read_stream(parsed.counted_path)
    assert site == "" and texts is None and all(isinstance(key, bytes) and len(key) == 8 for key in keys)
    cleaned = clean_task(batch.number, run)
    assert cleaned.rejects == Counter({"empty": 1}) and cleaned.kept == 1
    ((key, record_id, n_words, exact, minhash),) = read_stream(cleaned.kept_path)
    assert key == "a.txt" and len(minhash) == 4 * 256 and n_words > 50
    assert BODY.split(".")[0] in Path(cleaned.records_path).read_text()
    assert '"reason": "empty"' in Path(cleaned.rejects_path).read_text()
    assert not list((tmp_path / "scratch" / "parsed").iterdir())  # the spilled batch is gone once cleaned


def test_one_pass_task_gives_the_same_records(tmp_path: Path) -> None:
    units = make_inputs(tmp_path / "in")
    (tmp_path / "scratch").mkdir()
    run = RunContext(Config(min_words=5, site_by="none"), str(tmp_path / "scratch"))
    (batch,) = batches(units, 8)
    cleaned = parse_and_clean_task(batch, run)
    assert cleaned.records == Counter({"file": 2}) and [kept[0] for kept in read_stream(cleaned.kept_path)] == ["a.txt"]


def test_a_reader_that_breaks_gives_a_failed_record_after_the_last_one_read(monkeypatch) -> None:
    from cleaner import stages
    from cleaner.records import ReadStats, Record

    def breaking(unit, config, stats):
        yield Record("big.jsonl#64", unit.source, "jsonl", "text", text="one")
        raise RuntimeError("disk went away")

    monkeypatch.setattr(stages, "records_of", breaking)
    unit = Unit("big.jsonl", "big.jsonl", "jsonl", first_index=64)
    records = list(stages.unit_records(unit, Config(), ReadStats()))
    assert [(r.key, r.problem) for r in records] == [
        ("big.jsonl#64", None), ("big.jsonl#65", ("failed", "reading stopped: RuntimeError: disk went away")),
    ]


def test_each_document_is_keyed_once_across_the_two_passes(tmp_path: Path, monkeypatch) -> None:
    from cleaner import repetition
    from cleaner.repetition import LineCounts

    calls = []
    real, real_body = repetition.line_keys, repetition.body_line_keys
    monkeypatch.setattr(repetition, "line_keys", lambda texts: calls.append(len(texts)) or real(texts))
    monkeypatch.setattr(repetition, "body_line_keys", lambda body: calls.append(len(body)) or real_body(body))
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a", "b", "c"):  # a site of three documents: its lines are looked up
        (folder / f"{name}.txt").write_text(f"Headline {name}\n\nHome | News | Sport\n\n{BODY.replace('harbour', name)}")
    units = [Unit(str(folder / f"{name}.txt"), f"{name}.txt") for name in ("a", "b", "c")]
    (tmp_path / "scratch").mkdir()
    run = RunContext(Config(min_words=5), str(tmp_path / "scratch"))
    (batch,) = batches(units, 32)
    parsed = parse_task(batch, run)
    counts_path = tmp_path / "scratch" / "counts.sqlite"
    with LineCounts(counts_path) as counts:
        for site, keys, texts in read_stream(parsed.counted_path):
            counts.add(site, keys, texts)
    cleaned = clean_task(batch.number, RunContext(Config(min_words=5), str(tmp_path / "scratch"), counts=str(counts_path)))
    assert len(calls) == 3  # the repeated-lines step read the keys the count pass made
    assert cleaned.kept == 3 and "Sport" not in Path(cleaned.records_path).read_text()  # the line the site repeats went


def test_cleaning_chunks_hold_a_bounded_count_and_size_of_documents() -> None:
    from cleaner.document import Document
    from cleaner.stages import CLEAN_CHUNK_CHARS, CLEAN_CHUNK_DOCS, cleaning_chunks

    small = [Document(source=f"s{i}", kind="text", chars_in=10) for i in range(CLEAN_CHUNK_DOCS + 5)]
    assert [len(chunk) for chunk in cleaning_chunks(small)] == [CLEAN_CHUNK_DOCS, 5]
    large = [Document(source=f"l{i}", kind="text", chars_in=CLEAN_CHUNK_CHARS // 2) for i in range(5)]
    assert [len(chunk) for chunk in cleaning_chunks(large)] == [2, 2, 1]
    assert [doc.source for chunk in cleaning_chunks(small + large) for doc in chunk] == [doc.source for doc in small + large]
