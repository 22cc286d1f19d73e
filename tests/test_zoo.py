"""The bad-input zoo (`fixtures/zoo`, its README lists the cases) run end to end from the CLI.

Every record of the zoo ends in the corpus or in the rejects with the reason
`expected.json` gives, nothing stops the run, and the output does not depend
on the number of workers. The broken rule files and the wrong-shaped dedup
report each give one line on stderr and exit status 2.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from cleaner.cli import main


@pytest.fixture
def zoo(fixtures_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the zoo (links kept as links) with a FIFO added, as the working directory."""
    copy = tmp_path / "zoo"
    shutil.copytree(fixtures_dir / "zoo", copy, symlinks=True)
    os.mkfifo(copy / "input" / "fifo.txt")
    monkeypatch.chdir(copy)
    return copy


def run_zoo(zoo: Path, workers: int) -> Path:
    out = zoo.parent / f"out-{workers}"
    args = ["run", "input", "a", "b", "-o", str(out), "--workers", str(workers), "--time-limit", "0", "--quiet"]
    assert main(args) == 0
    return out


def outcome(out: Path) -> dict:
    """What became of each record: the corpus's sources with their encodings, the rejects with their reasons."""
    with open(out / "corpus-00000.jsonl", encoding="utf-8") as corpus:
        kept = {record["source"]: record["encoding"] for record in map(json.loads, corpus)}
    with open(out / "rejects.jsonl", encoding="utf-8") as rejects:
        rejected = {entry["source"]: f"{entry['reason']}: {entry['detail']}" for entry in map(json.loads, rejects)}
    return {"corpus": kept, "rejects": rejected}


def test_every_zoo_record_is_accounted_for(zoo: Path, fixtures_dir: Path, update_golden: bool) -> None:
    found = outcome(run_zoo(zoo, 2))
    expected_path = fixtures_dir / "zoo" / "expected.json"
    if update_golden:
        expected_path.write_text(json.dumps(found, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert found == json.loads(expected_path.read_text(encoding="utf-8"))


@pytest.mark.usefixtures("pool_for_one_task")  # what happens in a worker process
def test_the_zoo_gives_the_same_bytes_with_one_and_two_workers(zoo: Path) -> None:
    one, two = run_zoo(zoo, 1), run_zoo(zoo, 2)
    for name in ("corpus-00000.jsonl", "rejects.jsonl", "duplicates.jsonl"):
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


@pytest.mark.parametrize("rule_file", sorted(p.name for p in (Path(__file__).parent.parent / "fixtures/zoo/rules").glob("*.toml")))
def test_each_broken_rule_file_is_a_one_line_error(zoo: Path, rule_file: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "check", f"rules/{rule_file}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"cleaner: error: rules/{rule_file}: ")


def test_a_dedup_report_of_the_wrong_shape_is_a_one_line_error(zoo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dedup-report", "dedup-report"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a duplicate cluster" in err
