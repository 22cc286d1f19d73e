import gzip
from pathlib import Path

import pytest

from cleaner.errors import OutputError
from cleaner.writer import CorpusWriter


def test_shards_rotate_and_files_appear_only_on_commit(tmp_path: Path) -> None:
    writer = CorpusWriter(tmp_path / "out", shard_size=2)
    for n in range(5):
        writer.write_record(f'{{"n": {n}}}\n')
    assert not list((tmp_path / "out").glob("corpus-*"))
    writer.commit({"ok": True})
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["corpus-00000.jsonl", "corpus-00001.jsonl", "corpus-00002.jsonl", "rejects.jsonl", "summary.json"]


def test_gzip_shards_are_reproducible(tmp_path: Path) -> None:
    outputs = []
    for run in ("a", "b"):
        writer = CorpusWriter(tmp_path / run, compress="gzip")
        writer.write_record('{"n": 1}\n')
        writer.commit({})
        outputs.append((tmp_path / run / "corpus-00000.jsonl.gz").read_bytes())
    assert outputs[0] == outputs[1]
    assert gzip.decompress(outputs[0]) == b'{"n": 1}\n'


def test_non_empty_output_is_refused_without_overwrite(tmp_path: Path) -> None:
    (tmp_path / "corpus-00000.jsonl").write_text("old\n")
    with pytest.raises(OutputError):
        CorpusWriter(tmp_path)


def test_overwrite_replaces_old_shards_and_keeps_other_files(tmp_path: Path) -> None:
    for name in ("corpus-00000.jsonl", "corpus-00001.jsonl", "notes.md"):
        (tmp_path / name).write_text("old\n")
    writer = CorpusWriter(tmp_path, overwrite=True)
    writer.write_record("new\n")
    writer.commit({})
    assert (tmp_path / "corpus-00000.jsonl").read_text() == "new\n"
    assert not (tmp_path / "corpus-00001.jsonl").exists()
    assert (tmp_path / "notes.md").exists()


def test_abort_leaves_earlier_output_untouched(tmp_path: Path) -> None:
    (tmp_path / "corpus-00000.jsonl").write_text("old\n")
    writer = CorpusWriter(tmp_path, overwrite=True)
    writer.write_record("new\n")
    writer.abort()
    assert (tmp_path / "corpus-00000.jsonl").read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["corpus-00000.jsonl"]
