import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from cleaner.cli import main
from cleaner.report import REPORT_FILE, embedded_json, render_report, write_report
from cleaner.sample import REPORT_DATA, read_report_data

CHARTS = ("chart-reasons", "chart-sites", "chart-languages", "chart-lengths", "chart-share", "chart-duplicates")
BROWSER_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync")


@pytest.fixture(scope="module")
def fixtures_run(tmp_path_factory: pytest.TempPathFactory, fixtures_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("report") / "out"
    assert main(["run", str(fixtures_dir / "input"), "--output", str(out), "--quiet", "--workers", "1", "--report"]) == 0
    return out


def embedded_samples(page: str) -> list[dict]:
    match = re.search(r"<script type=application/json id=sample-data>(.*?)</script>", page, re.S)
    assert match
    return json.loads(match.group(1))["samples"]


def test_run_with_report_writes_one_self_contained_page(fixtures_run: Path) -> None:
    page = (fixtures_run / REPORT_FILE).read_text(encoding="utf-8")
    for chart in CHARTS:
        assert re.search(rf"<figure class='chart( wide)?' id={chart}><svg", page), chart
    assert not re.search(r"<link|<img|<iframe|\bsrc=|@import|url\(\s*['\"]?https?:", page)  # nothing fetched: no CDN, no network
    data = read_report_data(fixtures_run / REPORT_DATA)
    assert [doc["source"] for doc in embedded_samples(page)] == [doc["source"] for doc in data["samples"]]
    for reason in data["reasons"]:
        assert f"<tr data-reason='{reason}'>" in page
    assert "lines removed (count)" in page and "document length (characters)" in page  # axes say what they count, in what unit
    assert len(page.encode()) < 5_000_000


def test_sampled_copies_are_marked_as_duplicates(fixtures_run: Path) -> None:
    samples = {doc["source"]: doc for doc in embedded_samples(render_report(fixtures_run))}
    clusters = [json.loads(line) for line in (fixtures_run / "duplicates.jsonl").read_text().splitlines()]
    removed = {copy["source"]: cluster["kept"]["source"] for cluster in clusters for copy in cluster["removed"]}
    marked = {source: doc["duplicate"]["kept"] for source, doc in samples.items() if "duplicate" in doc}
    assert marked and marked == {source: kept for source, kept in removed.items() if source in samples}


def test_report_command_writes_where_asked(fixtures_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    target = tmp_path / "elsewhere.html"
    assert main(["report", str(fixtures_run), "-o", str(target)]) == 0
    assert capsys.readouterr().out.strip() == str(target)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_embedded_json_cannot_close_its_script_element() -> None:
    text = embedded_json({"text": "</script><script>alert(1)</script>"})
    assert "</" not in text and json.loads(text) == {"text": "</script><script>alert(1)</script>"}


def test_a_run_without_report_data_is_a_one_line_error(fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "out"
    assert main(["run", str(fixtures_dir / "input" / "pages"), "--output", str(out), "--quiet", "--no-report-data"]) == 0
    assert main(["report", str(out)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "--no-report-data" in error
    assert main(["report", str(tmp_path / "missing")]) == 2


def test_a_later_run_replaces_an_earlier_report(fixtures_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["run", str(fixtures_dir / "input" / "pages"), "--output", str(out), "--quiet", "--report"]) == 0
    assert main(["run", str(fixtures_dir / "input" / "text"), "--output", str(out), "--quiet", "--overwrite", "--no-report-data"]) == 0
    assert not (out / REPORT_FILE).exists() and not (out / REPORT_DATA).exists()  # a report of the earlier run would mislead


def browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def run_browser(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess:
    executable = browser()
    if executable is None:
        pytest.skip("no headless Chromium found (Debian: apt-get install -y chromium); the report's browser test needs one")
    return subprocess.run([executable, *BROWSER_FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
                          capture_output=True, text=True, timeout=180, check=True)


def test_the_report_renders_in_headless_chromium(fixtures_run: Path, tmp_path: Path) -> None:
    page = fixtures_run / REPORT_FILE
    data = read_report_data(fixtures_run / REPORT_DATA)
    started = time.perf_counter()
    dom = run_browser(page, tmp_path / "profile-dom", "--dump-dom").stdout
    seconds = time.perf_counter() - started
    assert re.search(r'data-rendered-ms="\d+"', dom), "the viewer's script did not finish"
    for chart in CHARTS:
        assert re.search(rf'<figure class="chart( wide)?" id="{chart}"><svg', dom), chart
    options = re.search(r'<select id="f-reason">(.*?)</select>', dom, re.S).group(1)
    for reason in data["reasons"]:  # the fixtures' reasons, offered by the viewer's filter once the script ran
        assert f'<option value="{reason}">' in options, reason
    items = re.search(r'<ul id="doc-list">(.*?)</ul>', dom, re.S).group(1)
    assert items.count("<li") == len(data["samples"])
    view = re.search(r'<div id="doc-view">(.*?)</div></div>', dom, re.S).group(1)
    shown = re.findall(r'<span class="reason">([^<]+)</span>', view)
    assert shown and set(shown) <= set(data["reasons"])  # the first document's removed lines, struck through, with their reasons
    assert '<p class="line removed' in view and "<del" in view and '<p class="line kept' in view
    screenshot = tmp_path / "report.png"
    run_browser(page, tmp_path / "profile-shot", "--window-size=1280,2000", f"--screenshot={screenshot}")
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 20_000
    assert seconds < 120
