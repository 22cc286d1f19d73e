import json
import shutil
from pathlib import Path

import pytest

from cleaner.cli import main

from conftest import modules_loaded_by

TIMING_KEYS = ("seconds", "docs_per_s")


def run_cli(*args: str) -> int:
    return main(["run", *args, "--quiet"])


def read_outputs(out: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(out.iterdir()) if p.name not in ("summary.json", "report-data.json.gz")}


def stable_summary(out: Path) -> dict:
    summary = json.loads((out / "summary.json").read_text())
    for key in TIMING_KEYS:
        summary.pop(key)
    return summary


def test_fixtures_match_golden_output(fixtures_dir: Path, tmp_path: Path, update_golden: bool) -> None:
    out = tmp_path / "out"
    assert run_cli(str(fixtures_dir / "input"), "--output", str(out), "--workers", "1") == 0
    expected_dir = fixtures_dir / "expected"
    if update_golden:
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(out, expected_dir)
        (expected_dir / "summary.json").write_text(json.dumps(stable_summary(out), indent=2, ensure_ascii=False) + "\n")
    assert read_outputs(out) == read_outputs(expected_dir)
    assert stable_summary(out) == json.loads((expected_dir / "summary.json").read_text())


def test_every_input_file_is_accounted_for(fixtures_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_cli(str(fixtures_dir / "input"), "--output", str(out), "--workers", "1")
    inputs = sorted(p.relative_to(fixtures_dir / "input").as_posix() for p in (fixtures_dir / "input").rglob("*") if p.is_file())
    kept = [json.loads(line)["source"] for line in (out / "corpus-00000.jsonl").read_text().splitlines()]
    rejected = {json.loads(line)["source"]: json.loads(line)["reason"] for line in (out / "rejects.jsonl").read_text().splitlines()}
    assert sorted(kept + list(rejected)) == inputs
    assert rejected == {
        "bad/binary.txt": "binary",
        "bad/empty.txt": "empty",
        "bad/login-page.html": "empty",
        "bad/no-main-text.html": "no_main_text",
        "bad/not-really.txt.gz": "bad_gzip",
        "bad/too-short.txt": "too_short",
        "bad/truncated.html.gz": "bad_gzip",
        "bad/undecodable.txt": "decode_error",
        "bad/whitespace-only.txt": "empty",
        "text/cafe-controls-crlf.txt": "duplicate",
        "text/cafe-cp1252.txt": "duplicate",
        "text/cafe-utf16-bom.txt": "duplicate",
        "text/cafe.txt.gz": "duplicate",
    }


def test_record_schema(fixtures_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_cli(str(fixtures_dir / "input/pages"), "--output", str(out))
    record = json.loads((out / "corpus-00000.jsonl").read_text().splitlines()[0])
    assert list(record) == ["id", "text", "title", "source", "url", "lang", "lang_prob", "n_words", "n_chars", "encoding", "removed", "metadata", "cleaner", "schema"]
    assert record["metadata"]["format"] == "file" and record["metadata"]["extractor"] == "trafilatura"
    assert record["schema"] == 2


@pytest.mark.usefixtures("pool_for_one_task")  # what happens in a worker process
def test_output_is_identical_for_any_number_of_workers(fixtures_dir: Path, tmp_path: Path) -> None:
    for workers in ("1", "2"):
        run_cli(str(fixtures_dir / "input"), "--output", str(tmp_path / workers), "--workers", workers, "--shard-size", "3")
    assert read_outputs(tmp_path / "1") == read_outputs(tmp_path / "2")
    assert len(list((tmp_path / "1").glob("corpus-*.jsonl"))) == 2


def test_gzip_output(fixtures_dir: Path, tmp_path: Path) -> None:
    run_cli(str(fixtures_dir / "input/text"), "--output", str(tmp_path), "--compress", "gzip")
    assert [p.name for p in tmp_path.glob("corpus-*")] == ["corpus-00000.jsonl.gz"]


def test_language_and_length_options(fixtures_dir: Path, tmp_path: Path) -> None:
    run_cli(str(fixtures_dir / "input/pages"), "--output", str(tmp_path), "--lang", "de", "--min-words", "0")
    rejects = [json.loads(line) for line in (tmp_path / "rejects.jsonl").read_text().splitlines()]
    assert {r["reason"] for r in rejects} == {"language"}
    assert len((tmp_path / "corpus-00000.jsonl").read_text().splitlines()) == 1


def test_include_exclude(fixtures_dir: Path, tmp_path: Path) -> None:
    run_cli(str(fixtures_dir / "input"), "--output", str(tmp_path), "--include", "*.html*", "--exclude", "bad/*")
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["files_seen"] == 3


def test_missing_input_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert run_cli(str(tmp_path / "nope"), "--output", str(tmp_path / "out")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "input path not found" in err


def test_a_link_loop_or_dangling_link_input_says_so(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "loop").symlink_to("loop")
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")
    assert run_cli(str(tmp_path / "loop"), str(tmp_path / "dangling"), "--output", str(tmp_path / "out")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "loop: too many levels of symbolic links" in err and "dangling symbolic link" in err


def test_unusable_output_is_a_one_line_error(fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert run_cli(str(fixtures_dir / "input/text"), "--output", str(blocker / "out")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot create output directory" in err


def test_non_empty_output_needs_overwrite(fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    args = (str(fixtures_dir / "input/text"), "--output", str(tmp_path))
    assert run_cli(*args) == 0
    first = read_outputs(tmp_path)
    assert run_cli(*args) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert read_outputs(tmp_path) == first
    assert run_cli(*args, "--overwrite") == 0


def test_summary_table_goes_to_stderr(fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["run", str(fixtures_dir / "input/text"), "--output", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "documents written" in captured.err and "docs/s" in captured.err


def test_explain_marks_every_line(fixtures_dir: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["explain", str(fixtures_dir / "input/text/cafe-cp1252.txt"), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["title"] == "Café culture in the old town"
    title, *body = payload["lines"]
    assert (title["n"], title["kept"], title["reason"], title["text"]) == (0, False, "title", "Café culture in the old town")
    assert all(line["kept"] for line in body)


def test_explain_names_the_rule_or_heuristic_behind_each_removal(fixtures_dir: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["explain", str(fixtures_dir / "input/seeds/000_53b6d9f3f8bb2356.txt"), "--color", "never"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("- reading-time-v1") and line.endswith("| 5 min read") for line in lines)
    assert any(line.startswith("- heuristic.inline-headline-v1") and "Putin Sends Message" in line for line in lines)
    assert any(line.startswith("+ kept") and "Kazakh forces" in line for line in lines)


def test_explain_colours_only_when_asked(fixtures_dir: Path, capsys: pytest.CaptureFixture) -> None:
    main(["explain", str(fixtures_dir / "input/text/cafe.txt.gz"), "--color", "always"])
    assert "\033[32m" in capsys.readouterr().out
    main(["explain", str(fixtures_dir / "input/text/cafe.txt.gz")])
    assert "\033[" not in capsys.readouterr().out


@pytest.mark.parametrize("value", ["-1", "soon", "nan", "inf"])
def test_a_bad_time_limit_is_a_usage_error(value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["run", str(tmp_path), "-o", str(tmp_path / "out"), "--time-limit", value])
    assert exit_info.value.code == 2
    assert "--time-limit" in capsys.readouterr().err


def test_an_unreadable_directory_is_reported_in_the_summary(fixtures_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    import cleaner.readers

    real_scandir = os.scandir

    def scandir(path):
        if isinstance(path, (str, os.PathLike)) and Path(path).name == "bad":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(cleaner.readers.os, "scandir", scandir)
    run_cli(str(fixtures_dir / "input"), "--output", str(tmp_path / "out"), "--workers", "1")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["skipped_files"] == {"unreadable_directory": 1}
    assert summary["unreadable_directories"] == [f"{fixtures_dir / 'input' / 'bad'}: Permission denied"]


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_shards_load_with_hugging_face_datasets(fixtures_dir: Path, tmp_path: Path, fmt: str) -> None:
    datasets = pytest.importorskip("datasets")
    out = tmp_path / "out"
    assert run_cli(str(fixtures_dir / "input"), "--output", str(out), "--format", fmt, "--workers", "1") == 0
    (shard,) = out.glob("corpus-*")
    loaded = datasets.load_dataset("json" if fmt == "jsonl" else "parquet", data_files=str(shard), split="train",
                                   cache_dir=str(tmp_path / "cache"))
    assert len(loaded) == 6 and loaded[0]["source"] == "pages/cycling-network.html"
    assert set(loaded.column_names) >= {"id", "text", "metadata", "schema"}


def test_a_parquet_file_without_the_text_column_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    (tmp_path / "in").mkdir()
    text = "The council met on Monday and agreed to build the new bridge over the river next year."
    pq.write_table(pa.table({"id": ["a"], "body": [text]}), tmp_path / "in" / "t.parquet")
    assert run_cli(str(tmp_path / "in"), "--output", str(tmp_path / "out")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no column 'text'" in err and "its columns: id, body" in err
    assert run_cli(str(tmp_path / "in"), "--output", str(tmp_path / "out2"), "--text-field", "body", "--min-words", "1") == 0
    record = json.loads((tmp_path / "out2" / "corpus-00000.jsonl").read_text())
    assert record["source"] == "t.parquet#0" and record["text"] == text and record["metadata"]["id"] == "a"


def test_explain_refuses_a_container_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "c.jsonl").write_text('{"text": "hello"}\n')
    assert main(["explain", str(tmp_path / "c.jsonl")]) == 2
    assert "single-document file" in capsys.readouterr().err


def blog_inputs(folder: Path) -> Path:
    """The English and German blog posts with their comment threads, as text dumps and HTML pages."""
    from blogs import BLOGS

    folder.mkdir()
    for blog in BLOGS:
        (folder / f"{blog.lang}.txt").write_text(blog.dump(), encoding="utf-8")
        (folder / f"{blog.lang}.html").write_text(blog.html(), encoding="utf-8")
    return folder


def corpus_records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "corpus-00000.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.mark.usefixtures("pool_for_one_task")  # what happens in a worker process
def test_comments_field_end_to_end(tmp_path: Path) -> None:
    from blogs import BLOGS

    inputs = blog_inputs(tmp_path / "in")
    for name, args in {"drop": [], "field1": ["--comments", "field"], "field2": ["--comments", "field", "--workers", "2"]}.items():
        assert run_cli(str(inputs), "--output", str(tmp_path / name), "--workers", "1", "--no-dedup", *args) == 0
    dropped, field = corpus_records(tmp_path / "drop"), corpus_records(tmp_path / "field1")
    assert read_outputs(tmp_path / "field1") == read_outputs(tmp_path / "field2")  # any number of workers
    assert all("comments" not in rec for rec in dropped)
    assert [{k: v for k, v in rec.items() if k != "comments"} for rec in field] == dropped  # text, ids, counts as with drop
    by_source = {rec["source"]: rec["comments"] for rec in field}
    for blog in BLOGS:
        for kind in ("txt", "html"):
            comments = by_source[f"{blog.lang}.{kind}"].split("\n")
            assert [line for line in comments if line in blog.comment_texts] == blog.comment_texts, (blog.lang, kind)
    summary = json.loads((tmp_path / "field1" / "summary.json").read_text())
    assert summary["config"]["comments"] == "field"


def test_comments_field_in_parquet_shards(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    inputs = blog_inputs(tmp_path / "in")
    assert run_cli(str(inputs), "--output", str(tmp_path / "out"), "--comments", "field", "--format", "parquet", "--workers", "1") == 0
    table = pq.read_table(tmp_path / "out" / "corpus-00000.parquet")
    assert table.column_names[:3] == ["id", "text", "comments"] and all(table.column("comments").to_pylist())


def test_explain_shows_the_thread_removed_with_comments_field(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from blogs import BLOGS

    inputs = blog_inputs(tmp_path / "in")
    assert main(["explain", str(inputs / "en.txt"), "--comments", "field", "--color", "never"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("- title") and BLOGS[0].title in lines[1]
    for text in BLOGS[0].comment_texts:
        assert any(line.startswith("- heuristic.comment-thread-v1") and text in line for line in lines)
    assert main(["explain", str(inputs / "en.html"), "--comments", "field", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["comments"] == BLOGS[0].comment_texts


def test_help_names_the_comments_field(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    assert "separate 'comments' field" in " ".join(capsys.readouterr().out.split())


# ---------------------------------------------------------------- start-up: what each command imports

EXTRACTORS_AND_MODELS = ("trafilatura", "langdetect", "resiliparse", "justext", "lxml", "htmldate", "courlan")
WORKER_MACHINERY = ("numpy", "rensa", "scipy", "pyarrow", "ray", "tqdm", "fastwarc", "charset_normalizer")


@pytest.mark.parametrize("argv", [["--help"], ["run", "--help"], ["explain", "--help"], ["--version"]])
def test_help_imports_no_extractor_model_or_worker_machinery(argv: list[str]) -> None:
    loaded = modules_loaded_by(f"from cleaner.cli import main; main({argv!r})")
    assert "cleaner" in loaded
    assert loaded.isdisjoint(EXTRACTORS_AND_MODELS + WORKER_MACHINERY), loaded & set(EXTRACTORS_AND_MODELS + WORKER_MACHINERY)


def test_rules_list_imports_no_extractor_or_language_model() -> None:
    loaded = modules_loaded_by("from cleaner.cli import main; main(['rules', 'list'])")
    assert "re2" in loaded  # it did load the rules
    assert loaded.isdisjoint(EXTRACTORS_AND_MODELS + WORKER_MACHINERY), loaded & set(EXTRACTORS_AND_MODELS + WORKER_MACHINERY)


@pytest.mark.parametrize("name", ["cafe-controls-crlf.txt", "cafe-cp1252.txt"])
def test_explaining_a_text_file_imports_no_extractor_or_mojibake_repair(fixtures_dir: Path, name: str, warm_caches: None) -> None:
    """A text file needs no HTML extractor, text without mojibake no ftfy (70 ms of a start), and explaining
    one file without --corpus no line counts (sqlite3)."""
    path = fixtures_dir / "input" / "text" / name
    loaded = modules_loaded_by(f"from cleaner.cli import main; main(['explain', {str(path)!r}])")
    assert "langdetect" in loaded  # it did clean the file
    assert loaded.isdisjoint(("trafilatura", "resiliparse", "lxml", "ftfy", "sqlite3")), loaded & {"trafilatura", "resiliparse", "lxml", "ftfy", "sqlite3"}


def test_explaining_text_with_mojibake_imports_ftfy(fixtures_dir: Path) -> None:
    path = fixtures_dir / "input" / "text" / "cafe-mojibake.txt"
    assert "ftfy" in modules_loaded_by(f"from cleaner.cli import main; main(['explain', {str(path)!r}])")


def test_importing_the_errors_or_the_package_loads_nothing_heavy() -> None:
    loaded = modules_loaded_by("import cleaner.errors, cleaner.config, cleaner")
    assert loaded.isdisjoint(EXTRACTORS_AND_MODELS + WORKER_MACHINERY + ("ftfy", "re2")), loaded
