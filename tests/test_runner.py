"""The batch run's two passes: per-site repeated lines, learned rule files, explain with a corpus."""

import json
import os
import random
from pathlib import Path

import pytest

from cleaner import runner
from cleaner.cli import main
from cleaner.rulebook import check_examples, load_rules

from conftest import modules_loaded_by

# Random word bodies: real enough for repetition, too thin in stopwords for the
# heuristics, which the tests of repetition therefore turn off.
WORDS = "river council market school winter harbour festival bridge station library garden museum village farmer teacher doctor storm bakery ferry tower".split()


def make_crawl(root: Path, sites: tuple[str, ...] = ("news.example", "blog.example"), pages: int = 5) -> None:
    """One folder per site; every page has its site's chrome around a body of its own."""
    rng = random.Random(7)
    for site in sites:
        (root / site).mkdir(parents=True)
        for n in range(pages):
            body = "\n\n".join("The " + " ".join(rng.choice(WORDS) for _ in range(18)) + " said on Monday." for _ in range(6))
            chrome_top = "Home | World | Business | Sport\n\nSign in to your account"
            chrome_bottom = f"Contact the {site} team at the front desk\n\nAbout us"
            (root / site / f"{n}.txt").write_text(f"The {site} headline of page {n} today\n\n{chrome_top}\n\n{body}\n\n{chrome_bottom}\n")


def records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "corpus-00000.jsonl").read_text().splitlines()]


def test_lines_a_site_repeats_are_removed_and_bodies_stay(tmp_path: Path) -> None:
    make_crawl(tmp_path / "crawl")
    assert main(["run", str(tmp_path / "crawl"), "-o", str(tmp_path / "out"), "-q", "--workers", "1", "--no-heuristics"]) == 0
    found = records(tmp_path / "out")
    assert len(found) == 10
    for record in found:
        assert record["removed"] == {"repeated": 4}
        assert "Sign in" not in record["text"] and "About us" not in record["text"]
        assert record["text"].count("said on Monday.") == 6
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["removed_lines"] == {"repeated": 40}
    assert [p.name for p in (tmp_path / "out").iterdir()] and not list((tmp_path / "out").glob(".cleaner-staging-*"))


def test_repetition_is_per_site_and_needs_enough_documents(tmp_path: Path) -> None:
    make_crawl(tmp_path / "crawl", sites=("tiny.example",), pages=2)
    main(["run", str(tmp_path / "crawl"), "-o", str(tmp_path / "out"), "-q", "--workers", "1"])
    assert all("repeated" not in record["removed"] for record in records(tmp_path / "out"))


def test_site_by_none_turns_repetition_off(tmp_path: Path) -> None:
    make_crawl(tmp_path / "crawl")
    main(["run", str(tmp_path / "crawl"), "-o", str(tmp_path / "out"), "-q", "--site-by", "none"])
    assert all("repeated" not in record["removed"] for record in records(tmp_path / "out"))


@pytest.mark.usefixtures("pool_for_one_task")  # what happens in a worker process
def test_two_passes_give_the_same_output_for_any_number_of_workers(tmp_path: Path) -> None:
    make_crawl(tmp_path / "crawl")
    for workers in ("1", "2"):
        main(["run", str(tmp_path / "crawl"), "-o", str(tmp_path / workers), "-q", "--workers", workers, "--shard-size", "3"])
    shards = sorted(p.name for p in (tmp_path / "1").glob("corpus-*"))
    assert shards == sorted(p.name for p in (tmp_path / "2").glob("corpus-*"))
    for name in [*shards, "rejects.jsonl"]:
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes()


def test_learn_rules_writes_checked_rule_files_that_a_run_can_use(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    make_crawl(tmp_path / "crawl")
    assert main(["learn-rules", str(tmp_path / "crawl"), "-o", str(tmp_path / "rules"), "--workers", "1"]) == 0
    assert sorted(p.name for p in (tmp_path / "rules").iterdir()) == ["blog.example.toml", "news.example.toml"]
    learned = load_rules([tmp_path / "rules"], default_rules=False)
    assert len(learned) == 8 and all(check_examples(rule) == [] for rule in learned)
    assert "# in 5 of 5 documents" in (tmp_path / "rules" / "news.example.toml").read_text()
    assert main(["learn-rules", str(tmp_path / "crawl"), "-o", str(tmp_path / "rules")]) == 2
    assert "--overwrite" in capsys.readouterr().err
    main(["run", str(tmp_path / "crawl"), "-o", str(tmp_path / "out"), "-q", "--site-by", "none", "--no-heuristics", "--rules", str(tmp_path / "rules")])
    assert all(sum(record["removed"].values()) == 4 for record in records(tmp_path / "out"))


def test_explain_with_a_corpus_shows_repeated_lines_and_their_counts(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    make_crawl(tmp_path / "crawl")
    page = tmp_path / "crawl" / "news.example" / "2.txt"
    assert main(["explain", str(page), "--corpus", str(tmp_path / "crawl"), "--color", "never"]) == 0
    out = capsys.readouterr().out
    assert "- repeated | Sign in to your account  [in 5 of 5 documents of site news.example]" in out
    main(["explain", str(page), "--color", "never"])
    assert "repeated" not in capsys.readouterr().out


def die_in_worker(batch, run) -> list:
    """Stands in for a worker that crashes hard (as a segfault in a C extension would)."""
    os._exit(1)


@pytest.mark.usefixtures("pool_for_one_task")  # what happens in a worker process
def test_a_dying_worker_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "parse_and_clean_task", die_in_worker)
    make_crawl(tmp_path / "crawl", sites=("a.example",), pages=2)
    assert main(["run", str(tmp_path / "crawl"), "-o", str(tmp_path / "out"), "-q", "--workers", "2", "--site-by", "none"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "a worker process died" in err
    assert not list((tmp_path / "out").glob("corpus-*"))


@pytest.mark.usefixtures("pool_for_one_task")  # what happens in a worker process
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_page_that_extracts_forever_is_a_timeout_reject_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    import multiprocessing

    import cleaner.extract

    if workers != "1" and multiprocessing.get_start_method() != "fork":
        pytest.skip("the workers see the patched extractor only when they are forked")
    extract = cleaner.extract.extract_html

    def stuck_on_one_page(html: str, **kwargs):
        while "STUCK" in html:
            pass
        return extract(html, **kwargs)

    monkeypatch.setattr(cleaner.extract, "extract_html", stuck_on_one_page)  # worker processes are forked with it
    body = "".join(f"<p>The council met on day {n} and talked about the harbour for a long time.</p>" for n in range(20))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.html").write_text(f"<html><body><article>{body}</article></body></html>")
    (tmp_path / "in" / "b.html").write_text(f"<html><body><article>STUCK {body}</article></body></html>")
    out = tmp_path / "out"
    # 3 s, not less: the good page's extraction also imports trafilatura, which a loaded machine makes slow.
    assert main(["run", str(tmp_path / "in"), "-o", str(out), "-q", "--workers", workers, "--time-limit", "3", "--min-words", "5"]) == 0
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text().splitlines()]
    assert [(r["source"], r["reason"]) for r in rejects] == [("b.html", "timeout")]
    assert rejects[0]["detail"] == "reading and extraction took longer than 3 s (--time-limit)"
    assert [r["source"] for r in records(out)] == ["a.html"]


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_mixed_corpus_accounts_for_every_record_the_same_way_with_any_number_of_workers(mixed_corpus: Path, tmp_path: Path) -> None:
    outputs = {}
    for workers in ("1", "2"):
        out = tmp_path / f"out-{workers}"
        assert main(["run", str(mixed_corpus), "-o", str(out), "-q", "--workers", workers, "--shard-size", "40"]) == 0
        outputs[workers] = {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.name != "summary.json"}
    assert outputs["1"] == outputs["2"]
    out = tmp_path / "out-2"
    summary = json.loads((out / "summary.json").read_text())
    kept = [r for shard in sorted(out.glob("corpus-*")) for r in read_lines(shard)]
    rejects = read_lines(out / "rejects.jsonl")
    assert summary["formats"] == {
        "file": {"files": 3, "records": 3},
        "jsonl": {"files": 1, "records": 8},
        "parquet": {"files": 1, "records": 4},
        "warc": {"files": 1, "records": 147},
    }
    assert summary["skipped_records"] == {"http_status_4xx": 3, "warc_request": 150, "warc_warcinfo": 1}
    assert len(kept) + len(rejects) == summary["records_seen"] == 162
    assert len({r["source"] for r in kept + rejects}) == 162
    reasons = {r["source"]: r["reason"] for r in rejects}
    assert reasons["loose/empty.txt"] == "empty"
    assert reasons["corpus.jsonl#6"] == "bad_record" and "line 7" in next(r for r in rejects if r["source"] == "corpus.jsonl#6")["detail"]
    assert reasons["table.parquet#3"] == "no_text"
    assert reasons["crawl.warc.gz#2"] == "duplicate"  # its article is corpus.jsonl#7's, whose source sorts first
    warc_page = next(r for r in kept if r["source"] == "crawl.warc.gz#4")
    assert warc_page["url"] == "https://b.example/story/1" and warc_page["metadata"]["format"] == "warc"
    assert warc_page["metadata"]["id"].startswith("<urn:uuid:") and warc_page["metadata"]["extractor"] == "trafilatura"
    jsonl = next(r for r in kept if r["source"] == "corpus.jsonl#0")
    assert jsonl["url"] == "https://c.example/0" and jsonl["metadata"]["id"] == "j0" and jsonl["encoding"] == ""
    assert [r["source"] for r in kept] == sorted((r["source"] for r in kept), key=lambda s: [
        ["corpus.jsonl", "crawl.warc.gz", "loose", "table.parquet"].index(s.split("#")[0].split("/")[0]),
        int(s.split("#")[1]) if "#" in s else 0])


def test_one_large_warc_is_read_as_several_tasks(mixed_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cleaner import stages

    seen: list[tuple[str, int]] = []
    parse = stages.parse_task

    def counting_parse(batch, run):
        seen.extend((unit.source, unit.first_index) for unit in batch.units)
        return parse(batch, run)

    monkeypatch.setattr(runner, "parse_task", counting_parse)
    main(["run", str(mixed_corpus / "crawl.warc.gz"), "-o", str(tmp_path / "out"), "-q", "--workers", "1"])
    # a unit per runner.UNIT_RECORDS responses, each after its request; the first unit also holds the warcinfo record
    step = 2 * runner.UNIT_RECORDS
    starts = [0, *range(1 + step, 1 + 2 * 150, step)]
    assert len(starts) >= 3
    assert [first for source, first in seen if source == "crawl.warc.gz"] == starts


def test_a_compressed_jsonl_file_is_read_whole_and_every_record_accounted_for(tmp_path: Path) -> None:
    import zstandard

    from conftest import article

    lines = [json.dumps({"id": n, "text": "\n\n".join(article(1000 + n))}) for n in range(70)] + ["not json"]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "big.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(("\n".join(lines) + "\n").encode()))
    assert main(["run", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-q", "--workers", "2"]) == 0
    kept = records(tmp_path / "out")
    rejects = read_lines(tmp_path / "out" / "rejects.jsonl")
    assert [r["source"] for r in kept] == [f"big.jsonl.zst#{n}" for n in range(70)]
    assert [r["metadata"]["id"] for r in kept[:2]] == ["0", "1"]
    assert [(r["source"], r["reason"]) for r in rejects] == [("big.jsonl.zst#70", "bad_record")]


def test_a_quiet_run_imports_no_progress_bar_and_progress_shows_one(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    make_crawl(tmp_path / "crawl", sites=("a.example",), pages=2)
    assert main(["run", str(tmp_path / "crawl"), "-o", str(tmp_path / "shown"), "--progress", "--workers", "1"]) == 0
    assert "records" in capsys.readouterr().err
    run = f"from cleaner.cli import main; main(['run', {str(tmp_path / 'crawl')!r}, '-o', {str(tmp_path / 'quiet')!r}, '-q'])"
    loaded = modules_loaded_by(run)
    assert "tqdm" not in loaded and (tmp_path / "quiet" / "corpus-00000.jsonl").is_file()


# --- the run's fingerprint (what a resumed run must match) --------------------------------------------


def test_the_fingerprint_follows_each_input_file_and_nothing_else(tmp_path: Path) -> None:
    from cleaner.config import RunOptions

    folder = tmp_path / "in"
    (folder / "site").mkdir(parents=True)
    for n in range(3):
        (folder / "site" / f"{n}.txt").write_text(f"page {n}\n", encoding="utf-8")
    options = RunOptions(inputs=(folder,), output=tmp_path / "out")
    first = runner.run_fingerprint(options)
    assert runner.run_fingerprint(options) == first
    page = folder / "site" / "1.txt"
    os.utime(page, ns=(page.stat().st_atime_ns, page.stat().st_mtime_ns + 1_000_000))
    touched = runner.run_fingerprint(options)
    page.write_text("page 1, longer\n", encoding="utf-8")
    grown = runner.run_fingerprint(options)
    (folder / "site" / "3.txt").write_text("page 3\n", encoding="utf-8")
    added = runner.run_fingerprint(options)
    assert len({first, touched, grown, added}) == 4
    assert runner.run_fingerprint(RunOptions(inputs=(folder,), output=tmp_path / "out", workers=4)) == added


def test_the_fingerprint_follows_the_version_of_each_library_that_makes_the_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import metadata

    from cleaner.config import RunOptions

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "page.txt").write_text("page\n", encoding="utf-8")
    options = RunOptions(inputs=(tmp_path / "in",), output=tmp_path / "out")
    installed = runner.library_versions()
    assert installed["rensa"] and installed["trafilatura"] == metadata.version("trafilatura")
    first = runner.run_fingerprint(options)
    for name in runner.OUTPUT_LIBRARIES:
        monkeypatch.setattr(runner, "library_versions", lambda name=name: {**installed, name: installed[name] + ".post1"})
        assert runner.run_fingerprint(options) != first, name
    monkeypatch.setattr(runner, "library_versions", lambda: dict(installed))
    assert runner.run_fingerprint(options) == first


def test_the_fingerprint_of_many_inputs_takes_no_more_memory_than_of_a_few(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tracemalloc

    from cleaner import readers
    from cleaner.config import RunOptions

    # What the fingerprint reads once, whatever the inputs (the rule files, the libraries' versions), is looked up
    # before the measure: the rule files' text alone peaks higher than a chunk of files, and would hide it.
    digest, versions = runner.rules_digest(RunOptions(inputs=(tmp_path,), output=tmp_path / "out").config), runner.library_versions()
    monkeypatch.setattr(runner, "rules_digest", lambda config: digest)
    monkeypatch.setattr(runner, "library_versions", lambda: dict(versions))

    def beyond_the_walk(count: int) -> int:
        """The fingerprint's peak memory for a folder of `count` files, the walk's files made before the measure."""
        folder = tmp_path / f"in-{count}"
        folder.mkdir()
        for n in range(count):
            os.close(os.open(folder / f"{n:05d}-{'x' * 40}.txt", os.O_CREAT | os.O_WRONLY))
        walked = list(readers.Walker().walk((folder,)))
        for item in walked:
            str(item.path)  # a `Path` keeps its string once made: made here, not in the measure
        walker = type("Walker", (), {"__init__": lambda self, *rules: None, "walk": lambda self, inputs: iter(walked)})
        monkeypatch.setattr(runner, "Walker", walker)
        options = RunOptions(inputs=(folder,), output=tmp_path / "out")
        tracemalloc.start()
        try:
            runner.run_fingerprint(options)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    few, many = beyond_the_walk(2 * runner.FINGERPRINT_CHUNK), beyond_the_walk(8 * runner.FINGERPRINT_CHUNK)
    # As a list of every file, the fingerprint held about 630 bytes a file (3.9 MB more here); hashed a chunk at a time, none.
    assert many < few + 50_000, (few, many)
