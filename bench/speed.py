"""Measure how fast the cleaner runs, where its time goes, and check the speed targets.

Runs on the shared dev set (trafilatura-eval: 990 pages as full-page text
dumps in ``text/`` and as HTML in ``html/``), once per input path. The data
lives outside the repository (see ``../shared/datasets/README.md``).

Units: MB is 10^6 bytes and KB 10^3 bytes, always of *input after gunzip*
(the bytes the cleaner decodes: the text dump, or the HTML page). "docs" are
input files, whether the cleaner kept them or rejected them.

What each figure means
----------------------

``subprocess N worker(s)``
    Wall-clock time of the real command line, ``python -m cleaner run DIR
    --output TMP --overwrite --quiet --workers N --min-words 0`` plus any
    arguments given after ``--``, started with ``subprocess.Popen`` and reaped
    with ``os.wait4``. It *includes* interpreter start-up, imports
    (trafilatura, langdetect), loading language profiles, the walk, and
    writing the corpus; nothing is subtracted. With ``--repeat K`` the
    fastest of K runs is reported (each worker count, each kind of run).
    ``peak RSS`` is the
    ``ru_maxrss`` that ``wait4`` reports for the child: on Linux that is the
    peak resident set of the *largest single process* among the CLI process
    and the worker processes it waited for, not the sum over the tree (with
    2 workers the tree's total can be about three times as much).

``scaling 2/1 workers``
    docs/s with 2 workers divided by docs/s with 1 worker, both subprocess runs.

``start-up`` and ``scaling 2/1 workers, start-up excluded``
    The same command on the first file alone, per worker count: interpreter
    start-up, imports, building each worker's pipeline (langdetect profiles,
    stoplists, datasketch), and one document. The fixed part of a run is
    about 2.5 s, a quarter of a run over the dev set but nothing on a real
    crawl, so the scaling is also given once started: (docs - 1) / (seconds
    of the full run - seconds of the one-file run), 2 workers over 1. This
    line is information; the target is checked on the whole runs.

``time deduplication adds``
    The 1-worker subprocess run (deduplication on, the default) against one
    more 1-worker run with ``--no-dedup``: seconds with / seconds without - 1.
    Includes importing datasketch (about a second, once per run) and
    signing every kept document.

``in-process 1 worker``
    ``cleaner.pipeline.Pipeline(config).process_file(...)`` timed per file
    in this process, after a warm-up (the pipeline is built, which loads the
    langdetect profiles, and 5 files are processed untimed; trafilatura and
    the package are imported before any timing). Reading the file, gunzip and
    decoding are included, writing the corpus is not. With ``--repeat K``
    the pass with the lowest total of K passes is reported. ``config`` is
    ``Config(min_words=0)`` with the cleaning options given after ``--``
    (``--lang``, ``--favor``, ...) applied, parsed by the cleaner's own CLI
    parser.

``part trafilatura / langdetect / cleaner own``
    The in-process total split in three. trafilatura: time inside
    ``cleaner.extract.extract_html`` (wrapped in that module's namespace),
    i.e. ``bare_extraction`` and the small wrapper around it; zero for text
    dumps. langdetect: time inside the pipeline's ``language.detect`` (wrapped
    on the instance), i.e. langdetect plus the sampling in front of it.
    cleaner own = total - trafilatura - langdetect: reading, gunzip,
    decoding, normalisation, building lines, the cleaning steps (rules and
    heuristics as they are added) and the filters. Given in ms per document,
    in ms per 10 KB of input, and as a share of the total. ``cleaner own:
    rules`` and ``cleaner own: heuristics`` are the time inside those two
    pipeline steps, parts of the cleaner's own share.

``trafilatura alone`` (HTML only)
    trafilatura on the same pages in this process, after the same kind of
    warm-up, with reading, gunzip and decoding done outside the timer. Two
    versions: (a) the very ``trafilatura.bare_extraction`` call that
    ``cleaner/extract.py`` makes, on the decoded page: its keyword arguments
    are captured from a real call of ``cleaner.extract.extract_html`` so they
    stay in sync (if they cannot be captured, ``extract_html`` itself is
    timed and the label says so); (b) plain ``trafilatura.extract(raw_bytes)``
    with its defaults (it detects the encoding itself). ``pipeline / ...``
    is the in-process pipeline total divided by each. Both are timed in the
    same pass as the pipeline, on each page right beside it (before it on
    odd pages, after it on even ones): timed in passes of their own, minutes
    apart, the ratio moved by 10% with the machine's speed.

Targets (PASS/MISS printed next to the figure, and again at the end)
    - text path: >= 200 docs/s per worker, in-process, 1 worker, langdetect included;
    - cleaner's own code: <= 1 ms per 10 KB of input (checked on each path;
      on the HTML path the 10 KB are of HTML, so the text path is the one
      that matters);
    - heuristics: <= 0.5 ms per 10 KB of input (issue 4; the text path is the one that matters);
    - HTML: whole pipeline <= 1.15x trafilatura alone (checked against both versions);
    - 2 workers >= 1.7x the docs/s of 1 worker (subprocess runs);
    - deduplication adds at most 30% to a 1-worker run (subprocess runs).

Usage::

    python bench/speed.py [--data DIR] [--paths text,html] [--limit N]
        [--repeat K] [--json FILE] [-- extra cleaner args]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "datasets" / "trafilatura-eval"
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

# Imported before any timing: importing trafilatura takes a noticeable part of a second.
import trafilatura  # noqa: E402

import cleaner.extract  # noqa: E402
import cleaner.pipeline  # noqa: E402
from cleaner.cli import build_parser, config_from  # noqa: E402
from cleaner.config import Config  # noqa: E402
from cleaner.errors import InputError  # noqa: E402
from cleaner.pipeline import Pipeline  # noqa: E402
from cleaner.readers import InputFile, Walker, decode  # noqa: E402

PATHS = ("text", "html")
WORKER_COUNTS = (1, 2)
WARMUP_FILES = 5
MB = 1_000_000
TEN_KB = 10_000
LABEL_WIDTH = 50  # figure lines: path, label padded to this, figures

TARGET_DOCS_PER_S = 200.0
TARGET_OWN_MS_PER_10KB = 1.0
TARGET_HEURISTICS_MS_PER_10KB = 0.5
TARGET_HTML_RATIO = 1.15
TARGET_SCALING = 1.7
TARGET_DEDUP_ADDED_PERCENT = 30.0


# ---------------------------------------------------------------- data


@dataclass
class Corpus:
    """The input files of one path, in the order a run walks them, and their size after gunzip."""

    path: str
    directory: Path
    files: list[InputFile]
    bytes_in: int

    @property
    def docs(self) -> int:
        return len(self.files)


def read_input(path: Path) -> bytes:
    """A file's bytes, gunzipped when the name ends in .gz (no size cap, unlike the cleaner's reader)."""
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.lower().endswith(".gz") else data


def input_size(item: InputFile) -> int:
    """Bytes of one input after gunzip (0 for a file that cannot be read)."""
    try:
        return len(read_input(Path(item.path)))
    except (OSError, EOFError, gzip.BadGzipFile):
        return 0


def load_corpus(data: Path, path: str, limit: int | None) -> Corpus:
    """Walk `data/path` with the cleaner's own walker; keep the first `limit` files."""
    directory = data / path
    files = list(Walker().walk((directory,)))
    if limit is not None:
        files = files[:limit]
    return Corpus(path, directory, files, sum(input_size(item) for item in files))


@contextmanager
def staged_input(corpus: Corpus, limited: bool) -> Iterator[Path]:
    """The directory to give the CLI: the data dir itself, or a copy of the first N files."""
    if not limited:
        yield corpus.directory
        return
    with tempfile.TemporaryDirectory(prefix="speed-input-") as tmp:
        root = Path(tmp) / corpus.path
        for item in corpus.files:
            target = root / item.source
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(item.path, target)
        yield root


# ---------------------------------------------------------------- figures


@dataclass
class Throughput:
    """Documents and input bytes handled in some seconds."""

    docs: int
    bytes_in: int
    seconds: float

    @property
    def docs_per_s(self) -> float:
        return self.docs / self.seconds if self.seconds > 0 else 0.0

    @property
    def mb_per_s(self) -> float:
        return self.bytes_in / MB / self.seconds if self.seconds > 0 else 0.0

    @property
    def ms_per_doc(self) -> float:
        return 1000 * self.seconds / self.docs if self.docs else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "docs": self.docs, "bytes_in": self.bytes_in, "seconds": round(self.seconds, 4),
            "docs_per_s": round(self.docs_per_s, 2), "mb_per_s": round(self.mb_per_s, 4),
        }


@dataclass
class CliRun:
    """One subprocess run of the CLI."""

    workers: int
    throughput: Throughput
    peak_rss_kib: int
    summary: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "workers": self.workers, **self.throughput.as_json(), "peak_rss_mib": round(self.peak_rss_kib / 1024, 1),
            "peak_rss_is": "max over single processes (wait4), not the sum",
            "documents_written": self.summary.get("documents_written"), "rejects": self.summary.get("rejects"),
        }


@dataclass
class Breakdown:
    """In-process pipeline time, split into trafilatura, langdetect and the cleaner's own code."""

    total: Throughput
    trafilatura_s: float
    langdetect_s: float
    trafilatura_calls: int
    langdetect_calls: int
    rejects: Counter[str] = field(default_factory=Counter)
    steps_s: dict[str, float] = field(default_factory=dict)
    alone_s: dict[str, float] = field(default_factory=dict)

    @property
    def own_s(self) -> float:
        return self.total.seconds - self.trafilatura_s - self.langdetect_s

    def parts(self) -> list[tuple[str, float]]:
        return [
            ("trafilatura", self.trafilatura_s),
            ("langdetect", self.langdetect_s),
            ("cleaner own", self.own_s),
            ("total", self.total.seconds),
        ]

    def step_parts(self) -> list[tuple[str, float]]:
        """Cleaning steps timed inside the cleaner's own share (rules, heuristics)."""
        return [(f"cleaner own: {name}", seconds) for name, seconds in self.steps_s.items()]

    def ms_per_10kb(self, seconds: float) -> float:
        return 1000 * seconds / (self.total.bytes_in / TEN_KB) if self.total.bytes_in else 0.0

    def as_json(self) -> dict[str, Any]:
        docs = self.total.docs or 1
        return {
            **self.total.as_json(),
            "parts": {
                name: {
                    "seconds": round(seconds, 4),
                    "ms_per_doc": round(1000 * seconds / docs, 4),
                    "ms_per_10kb": round(self.ms_per_10kb(seconds), 4),
                    "share": round(seconds / self.total.seconds, 4) if self.total.seconds else 0.0,
                }
                for name, seconds in self.parts() + self.step_parts()
            },
            "trafilatura_alone_paired_seconds": {label: round(seconds, 4) for label, seconds in self.alone_s.items()},
            "trafilatura_calls": self.trafilatura_calls,
            "langdetect_calls": self.langdetect_calls,
            "rejects": dict(sorted(self.rejects.items())),
        }


@dataclass
class Target:
    """A speed target: `value` must be >= (or <=) `limit`."""

    path: str
    name: str
    value: float
    limit: float
    at_least: bool
    unit: str = ""

    @property
    def passed(self) -> bool:
        return self.value >= self.limit if self.at_least else self.value <= self.limit

    def verdict(self) -> str:
        sign = ">=" if self.at_least else "<="
        return f"target {sign} {self.limit:g}{self.unit}  {'PASS' if self.passed else 'MISS'}"

    def line(self) -> str:
        return f"{self.path:<5} {self.name:<{LABEL_WIDTH}} {self.value:8.3f}{self.unit}  {self.verdict()}"

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.path, "name": self.name, "value": round(self.value, 4), "limit": self.limit,
            "at_least": self.at_least, "passed": self.passed,
        }


# ---------------------------------------------------------------- subprocess runs


def cli_command(input_dir: Path, output: Path, workers: int, extra_args: Sequence[str]) -> list[str]:
    return [
        sys.executable, "-m", "cleaner", "run", str(input_dir), "--output", str(output), "--overwrite",
        "--quiet", "--workers", str(workers), "--min-words", "0", *extra_args,
    ]


def best_cli_run(corpus: Corpus, input_dir: Path, workers: int, extra_args: Sequence[str], repeat: int) -> CliRun:
    """The fastest of `repeat` runs of the CLI (the machine's speed varies from run to run)."""
    return min((run_cli(corpus, input_dir, workers, extra_args) for _ in range(repeat)), key=lambda r: r.throughput.seconds)


class CliFailed(RuntimeError):
    """The cleaner CLI exited with an error."""


def run_cli(corpus: Corpus, input_dir: Path, workers: int, extra_args: Sequence[str]) -> CliRun:
    """Run the CLI once, timing it from Popen to wait4 and taking its peak RSS from wait4."""
    with tempfile.TemporaryDirectory(prefix="speed-out-") as output, tempfile.TemporaryFile() as stderr:
        command = cli_command(input_dir, Path(output), workers, extra_args)
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            stderr.seek(0)
            tail = stderr.read().decode("utf-8", "replace").strip().splitlines()[-3:] or ["(no stderr)"]
            raise CliFailed(f"cleaner run exited {process.returncode} on {corpus.path}: " + " | ".join(tail))
        summary = json.loads((Path(output) / "summary.json").read_text(encoding="utf-8"))
    docs = int(summary.get("records_seen", corpus.docs))
    if docs != corpus.docs:
        log(f"warning: the CLI saw {docs} files, this script counted {corpus.docs}; MB/s uses this script's bytes")
    return CliRun(workers, Throughput(docs, corpus.bytes_in, seconds), usage.ru_maxrss, summary)


def measure_startup(corpus: Corpus, extra_args: Sequence[str], repeat: int) -> dict[int, float]:
    """Seconds of a subprocess run on the first file alone, per worker count: start-up, imports and one document."""
    first = Corpus(corpus.path, corpus.directory, corpus.files[:1], input_size(corpus.files[0]))
    seconds = {}
    with staged_input(first, limited=True) as input_dir:
        for workers in WORKER_COUNTS:
            log(f"{corpus.path}: subprocess run on one file, {workers} worker(s) ...")
            run = best_cli_run(first, input_dir, workers, extra_args, repeat)
            seconds[workers] = run.throughput.seconds
            emit(f"{corpus.path:<5} {f'start-up, {workers} worker(s) (a run on one file)':<{LABEL_WIDTH}} "
                 f"{run.throughput.seconds:8.2f} s")
    return seconds


def steady_docs_per_s(run: CliRun, startup_s: float) -> float:
    """docs/s once started: the documents after the first over the time the full run took beyond a one-file run."""
    seconds = run.throughput.seconds - startup_s
    return (run.throughput.docs - 1) / seconds if seconds > 0 else 0.0


# ---------------------------------------------------------------- in-process runs


class Stopwatch:
    """Accumulates time spent inside wrapped calls."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0

    def wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
                self.calls += 1

        return timed


@contextmanager
def patched(owner: Any, name: str, replacement: Any) -> Iterator[None]:
    """Set `owner.name` to `replacement` for the duration of the block."""
    original = getattr(owner, name)
    setattr(owner, name, replacement)
    try:
        yield
    finally:
        setattr(owner, name, original)


def in_process_config(extra_args: Sequence[str]) -> Config:
    """Config(min_words=0) with the cleaning options after `--` applied, as the CLI would parse them."""
    args, _unknown = build_parser().parse_known_args(["run", "IN", "--output", "OUT", "--min-words", "0", *extra_args])
    return config_from(args)


def warm_pipeline(config: Config, files: Sequence[InputFile]) -> Pipeline:
    """Build the pipeline (loads langdetect profiles) and process a few files untimed."""
    pipeline = Pipeline(config)
    for item in files[:WARMUP_FILES]:
        pipeline.process_file(item.path, item.source, item.kind)
    return pipeline


TIMED_STEPS = ("rules", "heuristics")
PageCall = Callable[[bytes, str], Any]


def profile_pass(pipeline: Pipeline, corpus: Corpus, paired: Sequence[tuple[str, PageCall]] = ()) -> Breakdown:
    """One timed pass of `pipeline.process` over every file, with trafilatura, langdetect and some steps timed apart.

    Each of `paired` (trafilatura alone) is timed on the same page right
    before or after the pipeline (the order alternates from page to page), so
    that the ratio of the two does not drift with the machine's speed.
    """
    extraction, detection = Stopwatch(), Stopwatch()
    steps = {name: Stopwatch() for name in TIMED_STEPS}
    timed_steps = [(name, steps[name].wrap(step) if name in steps else step) for name, step in pipeline.steps]
    alone = {label: 0.0 for label, _call in paired}
    rejects: Counter[str] = Counter()
    total = 0.0
    with (
        patched(cleaner.extract, "extract_html", extraction.wrap(cleaner.extract.extract_html)),
        patched(pipeline.language, "detect", detection.wrap(pipeline.language.detect)),
        patched(pipeline, "steps", timed_steps),
    ):
        for number, item in enumerate(corpus.files):
            page = decoded_page(item) if paired else None
            if page is not None and number % 2:
                time_paired(paired, page, alone)
            started = time.perf_counter()
            doc = pipeline.process_file(item.path, item.source, item.kind)
            total += time.perf_counter() - started
            if page is not None and not number % 2:
                time_paired(paired, page, alone)
            if doc.rejection is not None:
                rejects[doc.rejection.reason] += 1
    return Breakdown(
        Throughput(corpus.docs, corpus.bytes_in, total),
        extraction.seconds, detection.seconds, extraction.calls, detection.calls, rejects,
        {name: watch.seconds for name, watch in steps.items() if watch.calls}, alone,
    )


def time_paired(paired: Sequence[tuple[str, PageCall]], page: tuple[bytes, str], alone: dict[str, float]) -> None:
    for label, call in paired:
        started = time.perf_counter()
        try:
            call(*page)
        except Exception:  # noqa: BLE001 - a page trafilatura chokes on still took its time
            pass
        alone[label] += time.perf_counter() - started


def profile_pipeline(corpus: Corpus, config: Config, repeat: int, paired: Sequence[tuple[str, PageCall]] = ()) -> Breakdown:
    """The best (lowest total) of `repeat` timed passes, after warming up."""
    pipeline = warm_pipeline(config, corpus.files)
    for page in filter(None, map(decoded_page, corpus.files[:WARMUP_FILES])):
        time_paired(paired, page, {label: 0.0 for label, _call in paired})
    return min((profile_pass(pipeline, corpus, paired) for _ in range(repeat)), key=lambda b: b.total.seconds)


def capture_extraction_kwargs(html: str) -> dict[str, Any] | None:
    """The keyword arguments `cleaner.extract.extract_html` passes to `trafilatura.bare_extraction`.

    None when they cannot be captured (extract_html no longer makes exactly
    one such call with the page as its only positional argument).
    """
    calls: list[tuple[tuple, dict]] = []
    original = trafilatura.bare_extraction

    def recorder(*args: Any, **kwargs: Any) -> Any:
        calls.append((args, kwargs))
        return original(*args, **kwargs)

    with patched(trafilatura, "bare_extraction", recorder):
        try:
            cleaner.extract.extract_html(html)
        except InputError:
            pass
    if len(calls) != 1 or len(calls[0][0]) != 1 or "url" not in calls[0][1]:
        return None
    return calls[0][1]


def decoded_page(item: InputFile) -> tuple[bytes, str] | None:
    """Raw bytes (after gunzip) and the text the pipeline would decode them to; None if unusable."""
    try:
        data = read_input(Path(item.path))
        return data, decode(data, item.kind)[0]
    except (OSError, EOFError, gzip.BadGzipFile, InputError):
        return None


def trafilatura_calls(corpus: Corpus) -> list[tuple[str, PageCall]]:
    """trafilatura alone on a page: the cleaner's bare_extraction call, and extract() with defaults."""
    sample = next((p for p in (decoded_page(item) for item in corpus.files) if p), None)
    kwargs = capture_extraction_kwargs(sample[1]) if sample else None
    if kwargs is not None:
        same_call = ("trafilatura alone, cleaner's call", lambda raw, text: trafilatura.bare_extraction(text, **kwargs))
    else:
        log("warning: could not capture extract_html's bare_extraction arguments; timing extract_html itself")
        same_call = ("trafilatura alone, cleaner.extract_html", lambda raw, text: cleaner.extract.extract_html(text))
    return [same_call, ("trafilatura alone, extract() defaults", lambda raw, text: trafilatura.extract(raw))]


# ---------------------------------------------------------------- report


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def emit(line: str) -> None:
    print(line, flush=True)


def throughput_line(path: str, label: str, figures: Throughput, note: str = "") -> str:
    size = f"({figures.docs} docs, {figures.bytes_in / MB:.1f} MB{note})"
    return f"{path:<5} {label:<{LABEL_WIDTH}} {figures.docs_per_s:8.1f} docs/s  {figures.mb_per_s:6.2f} MB/s  {size}"


def cli_line(path: str, run: CliRun) -> str:
    label = f"subprocess {run.workers} worker{'s' if run.workers > 1 else ''}"
    rss = f"peak RSS {run.peak_rss_kib / 1024:.0f} MiB (largest single process, wait4; not the sum)"
    return throughput_line(path, label, run.throughput, "; includes start-up and imports") + f"  {rss}"


def part_lines(path: str, breakdown: Breakdown) -> list[str]:
    lines = []
    for name, seconds in breakdown.parts() + breakdown.step_parts():
        share = 100 * seconds / breakdown.total.seconds if breakdown.total.seconds else 0.0
        ms_doc = 1000 * seconds / breakdown.total.docs if breakdown.total.docs else 0.0
        lines.append(
            f"{path:<5} {'in-process part ' + name:<{LABEL_WIDTH}} {ms_doc:8.3f} ms/doc  "
            f"{breakdown.ms_per_10kb(seconds):7.3f} ms/10 KB  {share:5.1f}%"
        )
    return lines


def check_wrappers(path: str, breakdown: Breakdown) -> None:
    """Warn when a timing wrapper saw no calls although the path should make them."""
    docs = breakdown.total.docs
    if path == "html" and docs and breakdown.trafilatura_calls == 0:
        log("warning: cleaner.extract.extract_html was never called on HTML: the trafilatura share is not measured")
    if docs and breakdown.langdetect_calls == 0:
        log(f"warning: language.detect was never called on {path}: the langdetect share is not measured")


def measure_path(corpus: Corpus, args: argparse.Namespace, config: Config, report: dict) -> list[Target]:
    """Every figure for one input path, printed as it is measured; returns the targets checked."""
    path, targets = corpus.path, []
    figures: dict[str, Any] = {"docs": corpus.docs, "bytes_in": corpus.bytes_in}
    report["paths"][path] = figures

    paired = trafilatura_calls(corpus) if path == "html" else []
    with_alone = ", trafilatura alone timed on each page beside it" if paired else ""
    log(f"{path}: in-process pipeline, {corpus.docs} files, best of {args.repeat}{with_alone} ...")
    breakdown = profile_pipeline(corpus, config, args.repeat, paired)
    check_wrappers(path, breakdown)
    figures["in_process"] = breakdown.as_json()
    line = throughput_line(path, "in-process 1 worker", breakdown.total)
    if path == "text":
        target = Target(path, "in-process docs/s per worker", breakdown.total.docs_per_s, TARGET_DOCS_PER_S, True, " docs/s")
        targets.append(target)
        line += f"  {target.verdict()}"
    emit(line)
    for part in part_lines(path, breakdown):
        emit(part)
    own = Target(path, "cleaner own ms per 10 KB of input", breakdown.ms_per_10kb(breakdown.own_s), TARGET_OWN_MS_PER_10KB, False, " ms")
    targets.append(own)
    emit(own.line())
    if "heuristics" in breakdown.steps_s:
        cost = breakdown.ms_per_10kb(breakdown.steps_s["heuristics"])
        heuristics = Target(path, "heuristics ms per 10 KB of input", cost, TARGET_HEURISTICS_MS_PER_10KB, False, " ms")
        targets.append(heuristics)
        emit(heuristics.line())
    emit(f"{path:<5} in-process outcomes: {corpus.docs - sum(breakdown.rejects.values())} kept, rejected "
         f"{dict(sorted(breakdown.rejects.items())) or 0}")

    if paired:
        figures["trafilatura_alone"] = {}
        for label, seconds in breakdown.alone_s.items():
            alone = Throughput(corpus.docs, corpus.bytes_in, seconds)
            figures["trafilatura_alone"][label] = alone.as_json()
            emit(throughput_line(path, label, alone) + f"  {alone.ms_per_doc:.2f} ms/doc")
            ratio = breakdown.total.seconds / alone.seconds if alone.seconds else float("inf")
            target = Target(path, f"pipeline / {label}", ratio, TARGET_HTML_RATIO, False, "x")
            targets.append(target)
            emit(target.line())

    runs: dict[int, CliRun] = {}
    with staged_input(corpus, args.limit is not None) as input_dir:
        for workers in WORKER_COUNTS:
            log(f"{path}: subprocess run, {workers} worker(s), best of {args.repeat} ...")
            runs[workers] = best_cli_run(corpus, input_dir, workers, args.cleaner_args, args.repeat)
            emit(cli_line(path, runs[workers]))
        log(f"{path}: subprocess run, 1 worker, --no-dedup ...")
        plain = best_cli_run(corpus, input_dir, 1, [*args.cleaner_args, "--no-dedup"], args.repeat)
        emit(cli_line(path, plain) + "  (--no-dedup)")
    startup = measure_startup(corpus, args.cleaner_args, args.repeat)
    figures["subprocess"] = [run.as_json() for run in runs.values()]
    figures["startup_seconds"] = {workers: round(seconds, 3) for workers, seconds in startup.items()}
    low, high = runs[WORKER_COUNTS[0]].throughput.docs_per_s, runs[WORKER_COUNTS[-1]].throughput.docs_per_s
    scaling = Target(path, "scaling 2/1 workers (subprocess docs/s)", high / low if low else 0.0, TARGET_SCALING, True, "x")
    targets.append(scaling)
    emit(scaling.line())
    steady = {workers: steady_docs_per_s(runs[workers], startup[workers]) for workers in WORKER_COUNTS}
    figures["steady_docs_per_s"] = {workers: round(rate, 2) for workers, rate in steady.items()}
    low, high = steady[WORKER_COUNTS[0]], steady[WORKER_COUNTS[-1]]
    emit(f"{path:<5} {'scaling 2/1 workers, start-up excluded':<{LABEL_WIDTH}} {high / low if low else 0.0:8.3f}x  "
         f"(information: {low:.1f} and {high:.1f} docs/s once started)")
    added = 100 * (runs[1].throughput.seconds / plain.throughput.seconds - 1)
    dedup = Target(path, "time deduplication adds (1 worker)", added, TARGET_DEDUP_ADDED_PERCENT, False, "%")
    targets.append(dedup)
    emit(dedup.line())
    return targets


# ---------------------------------------------------------------- command line


def split_extra_args(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    argv = list(argv)
    if "--" in argv:
        cut = argv.index("--")
        return argv[:cut], argv[cut + 1:]
    return argv, []


def parse_paths(value: str) -> list[str]:
    paths = [p.strip() for p in value.split(",") if p.strip()]
    if not paths or set(paths) - set(PATHS):
        raise argparse.ArgumentTypeError(f"expected a comma-separated subset of {','.join(PATHS)}, got {value!r}")
    return list(dict.fromkeys(paths))


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return number


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    own, extra = split_extra_args(argv)
    parser = argparse.ArgumentParser(
        description="Time the cleaner on the trafilatura-eval text dumps and HTML and check the speed targets.",
        epilog="Arguments after -- are passed to `python -m cleaner run` (cleaning options also apply in-process).",
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, metavar="DIR",
                        help="trafilatura-eval dir with text/ and html/ (default: %(default)s)")
    parser.add_argument("--paths", type=parse_paths, default=list(PATHS), metavar="LIST",
                        help="inputs to time, comma-separated from text,html (default: text,html)")
    parser.add_argument("--limit", type=positive_int, metavar="N", help="only the first N files of each path")
    parser.add_argument("--repeat", type=positive_int, default=1, metavar="K",
                        help="every timing: best of K passes or runs (default: 1)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write all figures to FILE as JSON")
    args = parser.parse_args(own)
    args.cleaner_args = extra
    if not args.data.is_dir():
        parser.error(f"dataset dir not found: {args.data} (set --data)")
    return args


def header(args: argparse.Namespace) -> str:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    extra = " ".join(args.cleaner_args) or "none"
    return (
        f"# speed.py  data {args.data}  limit {args.limit or 'none'}  repeat {args.repeat}  extra args {extra}\n"
        f"# python {platform.python_version()}  trafilatura {trafilatura.__version__}  {cpus} CPUs usable  "
        f"MB = 10^6 bytes of input after gunzip  {load_average()}"
    )


def load_average() -> str:
    """The 1-minute load average: other processes on the machine skew every figure here."""
    return f"load average {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else ""


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = time.monotonic()
    config = in_process_config(args.cleaner_args)
    report: dict[str, Any] = {
        "data": str(args.data), "limit": args.limit, "repeat": args.repeat, "cleaner_args": args.cleaner_args,
        "config": asdict(config), "paths": {},
    }
    emit(header(args))
    targets: list[Target] = []
    try:
        for path in args.paths:
            corpus = load_corpus(args.data, path, args.limit)
            if not corpus.files:
                log(f"speed.py: error: no input files in {corpus.directory}")
                return 2
            targets += measure_path(corpus, args, config, report)
    except CliFailed as error:
        log(f"speed.py: error: {error}")
        return 1
    emit("\n# targets")
    for target in targets:
        emit(target.line())
    report["targets"] = [target.as_json() for target in targets]
    report["seconds"] = round(time.monotonic() - started, 1)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    emit(f"# done in {report['seconds']:.0f} s, {load_average()} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
