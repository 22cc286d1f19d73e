import gzip
import json
from pathlib import Path

import pytest

from cleaner.document import Document, Line
from cleaner.errors import ConfigError, OutputError
from cleaner.writer import OutputDir, PartWriter, check_format, plan_shards, record, to_json_line, write_shard


def part_with(folder: Path, number: int, texts: list[str]) -> str:
    with PartWriter(folder, number) as part:
        for text in texts:
            part.write_record(to_json_line(record(Document(f"{text}.txt", "text", lines=[Line(text)]))))
    return str(part.records_path)


def shard_texts(path: Path) -> list[str]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as shard:
        return [json.loads(line)["text"] for line in shard]


def test_shards_take_the_parts_in_order_less_the_dropped_lines(tmp_path: Path) -> None:
    a = part_with(tmp_path / "parts", 0, ["a0", "a1", "a2"])
    b = part_with(tmp_path / "parts", 1, ["b0", "b1"])
    plans = list(plan_shards([(a, 3, frozenset({1})), (b, 2, frozenset())], 2, str(tmp_path)))
    assert [plan.name for plan in plans] == ["corpus-00000.jsonl", "corpus-00001.jsonl"]
    stats = [write_shard(plan) for plan in plans]
    assert shard_texts(tmp_path / "corpus-00000.jsonl") == ["a0", "a2"]
    assert shard_texts(tmp_path / "corpus-00001.jsonl") == ["b0", "b1"]
    assert [s.documents for s in stats] == [2, 2] and stats[0].chars_out == 4


def test_gzip_shards_are_reproducible(tmp_path: Path) -> None:
    part = part_with(tmp_path / "parts", 0, ["one"])
    outputs = []
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        (plan,) = plan_shards([(part, 1, frozenset())], 10, str(tmp_path / run), compress="gzip")
        write_shard(plan)
        outputs.append((tmp_path / run / "corpus-00000.jsonl.gz").read_bytes())
    assert outputs[0] == outputs[1]
    assert shard_texts(tmp_path / "a" / "corpus-00000.jsonl.gz") == ["one"]


def test_parquet_shards_hold_the_records(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    part = part_with(tmp_path / "parts", 0, ["one", "two"])
    (plan,) = plan_shards([(part, 2, frozenset())], 10, str(tmp_path), fmt="parquet")
    write_shard(plan)
    table = pq.read_table(tmp_path / "corpus-00000.parquet")
    assert table.column("text").to_pylist() == ["one", "two"]
    assert json.loads(table.column("metadata")[0].as_py()) == {"format": "file"}


def test_parquet_with_gzip_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="Parquet"):
        check_format("parquet", "gzip")


def test_record_metadata_keeps_the_container_fields_and_the_page_date() -> None:
    doc = Document("crawl.warc.gz#3", "html", lines=[Line("x")], date="2024-01-02", extractor="trafilatura",
                   metadata={"format": "warc", "id": "<urn:uuid:1>", "url": "https://a.example/"})
    assert record(doc)["metadata"] == {
        "format": "warc", "id": "<urn:uuid:1>", "url": "https://a.example/", "published": "2024-01-02",
        "extractor": "trafilatura",
    }


def test_files_appear_only_on_commit(tmp_path: Path) -> None:
    out = OutputDir(tmp_path / "out")
    (out.staging / "rejects.jsonl").write_text("")
    assert [p.name for p in (tmp_path / "out").iterdir()] == [out.staging.name]
    out.commit(["rejects.jsonl"], {"ok": True})
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["rejects.jsonl", "summary.json"]


def test_non_empty_output_is_refused_without_overwrite(tmp_path: Path) -> None:
    (tmp_path / "corpus-00000.jsonl").write_text("old\n")
    with pytest.raises(OutputError):
        OutputDir(tmp_path)


def test_overwrite_replaces_old_shards_and_keeps_other_files(tmp_path: Path) -> None:
    for name in ("corpus-00000.jsonl", "corpus-00001.jsonl", "notes.md"):
        (tmp_path / name).write_text("old\n")
    out = OutputDir(tmp_path, overwrite=True)
    (out.staging / "corpus-00000.jsonl").write_text("new\n")
    out.commit(["corpus-00000.jsonl"], {})
    assert (tmp_path / "corpus-00000.jsonl").read_text() == "new\n"
    assert not (tmp_path / "corpus-00001.jsonl").exists()
    assert (tmp_path / "notes.md").exists()


def test_abort_leaves_earlier_output_untouched(tmp_path: Path) -> None:
    (tmp_path / "corpus-00000.jsonl").write_text("old\n")
    out = OutputDir(tmp_path, overwrite=True)
    (out.staging / "corpus-00000.jsonl").write_text("new\n")
    out.abort()
    assert (tmp_path / "corpus-00000.jsonl").read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["corpus-00000.jsonl"]


def thread_doc() -> Document:
    from cleaner.comments import COMMENT_THREAD

    return Document("post.txt", "text", lines=[
        Line("The article."), Line("Anna, 3 May 2019 10:00", removed_by=COMMENT_THREAD), Line("Reply", removed_by="rule-v1"),
        Line("A comment.", removed_by=COMMENT_THREAD),
    ], comments=["An extractor's comment."])


def test_records_carry_comments_only_when_asked() -> None:
    assert "comments" not in record(thread_doc())
    rec = record(thread_doc(), comments=True)
    assert list(rec)[:3] == ["id", "text", "comments"]
    assert rec["comments"] == "Anna, 3 May 2019 10:00\nA comment.\nAn extractor's comment."
    assert rec["text"] == "The article." and rec["n_words"] == 2 and rec["id"] == record(thread_doc())["id"]
    assert record(Document("a.txt", "text", lines=[Line("text")]), comments=True)["comments"] == ""


def test_parquet_shards_carry_the_comments_column_when_asked(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    with PartWriter(tmp_path / "parts", 0) as part:
        part.write_record(to_json_line(record(thread_doc(), comments=True)))
    (plan,) = plan_shards([(str(part.records_path), 1, frozenset())], 10, str(tmp_path), fmt="parquet", comments=True)
    write_shard(plan)
    table = pq.read_table(tmp_path / "corpus-00000.parquet")
    assert table.column_names[:3] == ["id", "text", "comments"]
    assert table.column("comments").to_pylist() == ["Anna, 3 May 2019 10:00\nA comment.\nAn extractor's comment."]


def test_sync_files_syncs_every_file_side_by_side_and_raises_the_first_error(tmp_path, monkeypatch) -> None:
    import os
    import threading

    from cleaner.writer import sync_files

    paths = [tmp_path / f"{n}.part" for n in range(4)]
    for path in paths:
        path.write_text("data")
    synced, threads = [], set()
    real = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.fstat(fd).st_ino)
        threads.add(threading.current_thread().name)
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    sync_files(paths)
    assert sorted(synced) == sorted(path.stat().st_ino for path in paths)
    assert all(name.startswith("cleaner-sync") for name in threads)
    with pytest.raises(FileNotFoundError):
        sync_files([paths[0], tmp_path / "missing.part"])
