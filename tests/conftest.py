from pathlib import Path

import os

import pytest
from hypothesis import HealthCheck, settings

# Property-based tests (test_fuzz.py): few examples by default so the suite stays fast, many when asked.
settings.register_profile("default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("deep", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite fixtures/expected from the current output")
    parser.addoption("--run-slow", action="store_true", help="also run the tests marked slow (CI does)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slow tests (real runs killed and resumed in subprocesses) run only with --run-slow, to keep the default suite fast."""
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def modules_loaded_by(code: str) -> set[str]:
    """The top-level packages loaded in a fresh interpreter after running `code` (output and exit silenced)."""
    import subprocess
    import sys

    script = (
        "import contextlib, io, sys\n"
        f"with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n    {code}\n"
        "print(' '.join(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=Path(__file__).parent.parent, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


@pytest.fixture
def warm_caches() -> None:
    """The language profiles and the stopword index in the user's cache, as after a first run.

    Building them reads jusText's stoplists (importing jusText, and lxml with
    it) once per machine; a test of what a later start imports needs them built.
    """
    from cleaner.language import load_profiles
    from cleaner.stopwords import stopword_index

    load_profiles()
    stopword_index()


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


ARTICLE_WORDS = "harbour council bridge ferry market school winter festival station library garden museum village farmer teacher doctor storm bakery tower river".split()


def article(seed: int, paragraphs: int = 5) -> list[str]:
    """Paragraphs of English prose that the cleaner keeps: stopwords, sentence ends, a body of its own."""
    import random

    rng = random.Random(seed)
    return [
        " ".join(
            f"The {rng.choice(ARTICLE_WORDS)} and the {rng.choice(ARTICLE_WORDS)} were in the news again on day {seed}, "
            f"because the {rng.choice(ARTICLE_WORDS)} of the {rng.choice(ARTICLE_WORDS)} is what people there talk about."
            for _ in range(3)
        )
        for _ in range(paragraphs)
    ]


def html_page(seed: int, site: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in article(seed))
    return (f"<html><head><title>Story {seed}</title></head><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
            f"<article><h1>Story {seed} on {site}</h1>{body}</article><footer>Copyright {site}</footer></body></html>").encode()


@pytest.fixture
def mixed_corpus(tmp_path: Path) -> Path:
    """A small crawl as users hold one: loose text and HTML, a WARC of two sites, JSONL, Parquet and bad files.

    Holds near duplicates (a JSONL record copies a WARC page's article) and a
    WARC large enough to be read as several units.
    """
    import io
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    root = tmp_path / "mixed"
    (root / "loose").mkdir(parents=True)
    (root / "loose" / "note.txt").write_text("A note on the harbour\n\n" + "\n\n".join(article(1)))
    (root / "loose" / "page.html").write_bytes(html_page(2, "loose.example"))
    (root / "loose" / "empty.txt").write_text("")
    with open(root / "crawl.warc.gz", "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(writer.create_warcinfo_record("crawl.warc.gz", {"software": "test"}))
        for n in range(150):
            site = ("a.example", "b.example")[n % 2]
            url = f"https://{site}/story/{n}"
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", site)], is_http_request=True)
            writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=request))
            status = "404 Not Found" if n % 50 == 7 else "200 OK"
            http = StatusAndHeaders(status, [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(html_page(100 + n, site)), http_headers=http))
    lines = [json.dumps({"id": f"j{n}", "text": "\n\n".join(article(300 + n)), "metadata": {"url": f"https://c.example/{n}"}})
             for n in range(6)]
    lines.append('{"id": "broken", "text": ')
    lines.append(json.dumps({"id": "copy", "text": "\n\n".join(article(100)), "source": "mirror"}))
    (root / "corpus.jsonl").write_text("\n".join(lines) + "\n")
    table = pa.table({"id": [f"p{n}" for n in range(4)], "text": ["\n\n".join(article(400 + n)) for n in range(3)] + [None],
                      "url": [f"https://d.example/{n}" for n in range(4)]})
    pq.write_table(table, root / "table.parquet", row_group_size=2)
    return root


@pytest.fixture
def pool_for_one_task(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs with two workers or more start their process pool even for a stage of one task.

    By default such a stage runs in the parent (`executor.POOL_MIN_TASKS`);
    tests about what happens in a worker process, on inputs small enough to
    make one task, use this to have one.
    """
    monkeypatch.setattr("cleaner.executor.POOL_MIN_TASKS", 1)
