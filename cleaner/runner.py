"""A batch run: the stages of `stages.STAGES` in order, scheduled by an executor.

The walk gives input files in sorted order; each becomes units (a whole
file, or slices of a container), grouped into tasks. With per-site
repetition on (the default), a run has two passes: parse tasks read,
extract and normalise, spill their parsed documents to the staging
directory and send back line keys, which the executor counts (the count
reduce); then cleaning tasks clean the spilled batches, write their records
and rejects to part files and send back signatures. The executor clusters
the signatures (the dedup reduce), and write tasks assemble the corpus
shards from the part files in input order, leaving the duplicates out.

The parent (this process) sees units, line keys, signatures, ids and counts,
never a document's text (but when it runs a stage of a single task itself,
see `executor.LocalExecutor`), and everything it waits for comes back in
input order, so the output is byte-identical for any number of workers.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from cleaner import __version__
from cleaner.config import Config, RunOptions
from cleaner.dedup import Duplicates, SignatureStore, drops_of, duplicate_reject_lines, report_lines
from cleaner.errors import ConfigError, OutputError, RunError
from cleaner.executor import LocalExecutor, make_executor
from cleaner.locations import check_output_url, is_url, stage_url, upload_output, url_problem
from cleaner.locations import file_identity as url_identity
from cleaner.readers import InputFile, Walker, units_of
from cleaner.records import Unit
from cleaner.repetition import LineCounts
from cleaner.rulebook import rule_files, shipped_rules_dir
from cleaner.sample import NO_CUTOFFS, REPORT_DATA, Cutoffs, Sample, write_report_data
from cleaner.stages import (
    CleanedBatch,
    RunContext,
    UnitBatch,
    batches,
    clean_task,
    finished,
    mark_finished,
    parse_and_clean_task,
    parse_task,
    with_cutoffs,
    write_task,
)
from cleaner.summary import Tally, format_table
from cleaner.versions import installed_versions
from cleaner.writer import OUTPUT_PATTERNS, OutputDir, check_format, join_files, kill_point, plan_shards

if TYPE_CHECKING:
    from tqdm import tqdm

R = TypeVar("R")
T = TypeVar("T")

@dataclass(frozen=True, slots=True)
class Part:
    """A cleaning task's part files and how many records it wrote."""

    records: str
    count: int
    rejects: str


BATCH_RECORDS = 8  # one pass (--site-by none): records a unit and a task hold
# Two passes: records a container's unit holds (a slice of a WARC, JSONL or Parquet file), so a small container
# is still several units; and records a task holds (one spill file each), the same under every executor, since
# each cleaning task's partial report sample depends on which records it holds. 64-record tasks rather than 32
# halve the tasks and with them Ray's cost per task (ray timeline on 20,617 synthetic records, load average 5-7:
# a worker waits a median 9.5 ms between tasks and Ray's task handling takes another ~4% of its main thread,
# 12.8 ms of worker CPU a task more than a local worker; Ray / local throughput 0.71x -> 0.80x on that set, the
# local run unchanged). The first tasks ramp up from FIRST_TASK_RECORDS (16, 32, then 64), so a run of 40 files
# is still several tasks (16, 12, 12), and one of up to 16 records one task run in this process, as before. The
# last ramp down to about LAST_TASK_RECORDS (the 990 dev pages' tail 55, 28, 14, 13 instead of 64, 46): a pass
# ends when its last task does, and on the fast HTML path the last 46-page parse task (0.25 s) ran while the
# other worker sat idle (2 workers over those pages: wall 5.12 -> 4.99 s, median of 10 alternated runs).
UNIT_RECORDS = 32
TASK_RECORDS = 64
FIRST_TASK_RECORDS = 16
LAST_TASK_RECORDS = 8
COUNTS_FILE = "line-counts.sqlite"
STAGED_INPUTS = "inputs"  # in scratch: the copies of containers given by URL, which their tasks read


def run(options: RunOptions) -> dict:
    """Clean every input into `options.output`; returns the summary."""
    check_inputs(options.inputs)
    check_format(options.format, options.compress)
    if is_url(options.output):
        return run_to_url(options)
    started = time.perf_counter()
    try:
        out = OutputDir(options.output, options.overwrite, options.resume, run_fingerprint(options))
    except (OSError, sqlite3.Error) as exc:
        raise OutputError(storage_failure(exc, options.output)) from None
    scratch = scratch_folder(options, out.staging)
    if out.summary is not None:  # a resumed run whose commit was under way: it is finished now
        shutil.rmtree(scratch, ignore_errors=True)
        return out.summary
    try:
        open_scratch(scratch, out.staging, fresh=not out.resumed)
        with progress_bar(options.progress) as bar, make_executor(options) as executor:
            tally, shards, extra = run_stages(executor, options, out.staging, bar, str(out.markers), scratch)
        summary = tally.summary(options.config, shards, time.perf_counter() - started)
        out.commit([*shards, "rejects.jsonl", *extra], summary)
        shutil.rmtree(scratch, ignore_errors=True)
    except (OSError, sqlite3.Error) as exc:
        out.abort(keep=True)
        raise OutputError(f"{storage_failure(exc, options.output)}; {RESUMABLE}") from None
    except RunError as exc:
        out.abort(keep=True)
        raise RunError(f"{exc}; {RESUMABLE}") from None
    except BaseException:
        out.abort()
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return summary


def run_to_url(options: RunOptions) -> dict:
    """A run whose output is a URL: written into a local folder (under --scratch, else the temporary directory) and uploaded at the end.

    The lock is the local folder's: nothing stops two machines writing one
    output URL at once. On a Ray cluster the tasks write into that folder, so
    it must be on a path every node mounts (`--scratch`).
    """
    url = str(options.output)
    if options.resume:
        raise ConfigError(f"--resume needs a local output directory, not the URL {url}")
    if options.executor == "ray" and options.ray_address is not None and options.scratch is None:
        raise ConfigError(f"an output URL on a Ray cluster needs --scratch DIR on a path every node mounts (the output is assembled there before it is uploaded to {url})")
    check_output_url(url, options.overwrite)
    if options.scratch is not None:
        open_scratch(options.scratch.absolute(), Path(), fresh=False)
    local = Path(tempfile.mkdtemp(prefix="cleaner-output-", dir=options.scratch))
    try:
        summary = run(replace(options, output=local / "output", overwrite=False))
        try:
            upload_output(local / "output", url, OUTPUT_PATTERNS)
        except Exception as exc:  # the filesystem library's own errors (network, credentials) as well as OSError
            raise OutputError(f"uploading the output to {url} failed: {exc}; earlier output there may be mixed with new") from None
    finally:
        shutil.rmtree(local, ignore_errors=True)
    return summary


def scratch_folder(options: RunOptions, staging: Path) -> Path:
    """Where a run's intermediate files go: the staging directory, or with `--scratch DIR` a folder of DIR named by the output.

    The name depends only on the output directory's absolute path, so a
    resumed run finds its predecessor's files there; two runs into one
    output cannot both hold its lock.
    """
    if options.scratch is None:
        return staging
    output = str(options.output.absolute()).encode("utf-8", "surrogateescape")
    return options.scratch.absolute() / f"cleaner-{hashlib.sha256(output).hexdigest()[:16]}"


def open_scratch(scratch: Path, staging: Path, fresh: bool) -> None:
    """Make the scratch folder (emptied first unless the run resumes); a folder that cannot be made is a one-line error."""
    if scratch == staging:
        return
    if fresh:
        shutil.rmtree(scratch, ignore_errors=True)
    try:
        scratch.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the scratch directory {scratch}: {exc.strerror or exc}") from None


RESUMABLE = "finished work is kept: rerun with --resume to continue"


def run_fingerprint(options: RunOptions) -> str:
    """What makes a run's output: its options, the rule files' text, the libraries' versions and every input file's path, size and time.

    A resumed run must match it. The number of workers is left out (the
    output does not depend on it). The files are hashed as the walk gives
    them, `FINGERPRINT_CHUNK` at a time, so memory stays the same whatever
    the number of inputs (a list of them took 630 bytes a file, 12.6 MB for
    20,000), and each file's size and time are the walk's own (`InputFile.identity`).
    """
    described = {
        "cleaner": __version__, "inputs": [path if is_url(path) else str(path.resolve()) for path in options.inputs],
        "include": options.include, "exclude": options.exclude, "shard_size": options.shard_size,
        "format": options.format, "compress": options.compress, "config": repr(options.config),
        "rules": rules_digest(options.config), "report_data": repr(options.sample) if options.report_data else None,
        "libraries": library_versions(),
        **({"scratch": str(options.scratch.absolute())} if options.scratch is not None else {}),
    }
    digest = hashlib.sha256(json.dumps(described).encode("utf-8", "surrogateescape"))
    walked = Walker(options.include, options.exclude).walk(options.inputs)
    while chunk := list(islice(walked, FINGERPRINT_CHUNK)):
        digest.update("".join(map(identity_line, chunk)).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


# Input files hashed at a time by `run_fingerprint`.
FINGERPRINT_CHUNK = 1024

# The libraries whose results reach the output: extraction and its parse, decoding, normalising, language, stopword
# lists, MinHash signatures. A run resumed after one of them changed would mix two versions' work (near copies signed
# by two MinHash schemes never match), so their versions are part of the run's fingerprint.
OUTPUT_LIBRARIES = ("trafilatura", "lxml", "resiliparse", "charset-normalizer", "ftfy", "langdetect", "justext", "rensa")


def library_versions() -> dict[str, str]:
    """The installed version of each of `OUTPUT_LIBRARIES` ("" for one that is not installed)."""
    return installed_versions(OUTPUT_LIBRARIES)


def identity_line(item: InputFile) -> str:
    """An input file in the run's fingerprint: its source, path, size and modification time, NUL-separated (no path holds a NUL)."""
    size, mtime = item.identity if item.identity is not None else file_identity(item.path)
    return f"{item.source}\0{item.path}\0{size}\0{mtime}\n"


def rules_digest(config: Config) -> str:
    """A hash of the text of every rule file the run applies (editing one changes what a resumed run would remove)."""
    folders = [*([shipped_rules_dir()] if config.default_rules else []), *(Path(folder) for folder in config.rule_dirs)]
    digest = hashlib.sha256()
    for folder in folders:
        for path in rule_files(folder):
            digest.update(str(path).encode("utf-8", "surrogateescape") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def file_identity(path: Path | str) -> tuple[int, int]:
    if is_url(path):
        return url_identity(path)
    try:
        stat = path.stat()
    except OSError:
        return -1, -1
    return stat.st_size, stat.st_mtime_ns


FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)


def storage_failure(exc: OSError | sqlite3.Error, output: Path) -> str:
    """One line for a write that failed, in this process or a worker's (whose exception arrives here as it was raised).

    A full disk is the common case, and SQLite reports it in words of its own.
    """
    if isinstance(exc, sqlite3.Error):
        if "full" in str(exc):
            return f"no space left on the device of {output} (the line counts database: {exc}); earlier output is untouched"
        return f"the line counts database failed: {exc}"
    if exc.errno in FULL_ERRNOS:
        return f"no space left on the device of {output} ({exc.strerror}); earlier output is untouched"
    where = f": {exc.filename}" if exc.filename else ""
    return f"the run failed: {exc.strerror or exc}{where}"


def run_stages(executor: LocalExecutor, options: RunOptions, staging: Path, bar: tqdm,
               markers: str = "", scratch: Path | None = None) -> tuple[Tally, list[str], list[str]]:
    """Every stage of a run, into `staging` (intermediate files into `scratch`, by default `staging`); returns the tally,
    the shard names and the other files written.

    With `markers`, the run is resumable: finished tasks leave markers there
    and are skipped when the run is resumed, and the files the reduce steps
    read stay until the run commits, so the reduces can be done again.
    """
    walker = Walker(options.include, options.exclude)
    tally = Tally()
    scratch = scratch or staging
    limits = options.sample if options.report_data else None
    context = RunContext(options.config, str(scratch), markers=markers, keep_spill=getattr(executor, "retries", False),
                         sample=limits)
    sample = Sample(limits) if limits is not None else None
    cleaned = map_stages(executor, tally.count_files(walker.walk(options.inputs)), context, tally, bar, sample)
    store = SignatureStore(scratch / "dedup") if options.config.dedup else None
    parts = collect_cleaned(executor, cleaned, store, tally, bar, keep=bool(markers), sample=sample)
    tally.skipped_files.update(walker.skipped)
    tally.unreadable_directories = walker.unreadable_dirs
    duplicates = deduplicate(executor, store, options.config.dedup_threshold, tally, bar) if store is not None else None
    shards = write_corpus(executor, parts, duplicates, staging, options, tally, markers)
    extra = write_rejects_and_clusters(parts, duplicates, staging, delete_parts=not markers)
    if sample is not None:
        write_report_data(sample, staging / REPORT_DATA)
        extra.append(REPORT_DATA)
    if store is not None:
        store.close()
    return tally, shards, extra


def map_stages(executor: LocalExecutor, files: Iterable[InputFile], context: RunContext, tally: Tally,
               bar: tqdm, sample: Sample | None = None) -> Iterator[CleanedBatch]:
    """Read to sign: in one pass with nothing to count, else the parse pass, the count reduce and the cleaning pass.

    With the report's `sample`, each cleaning task is sent what the sample
    merged so far no longer admits (`Sample.cutoffs`, which the parse pass
    adds to: `Sample.expect`): the task's partial leaves it out.
    """
    config, staging = context.config, Path(context.scratch)
    cutoffs = sample.cutoffs if sample is not None else None
    if config.site_by == "none":
        staged = StagedInputs(staging / STAGED_INPUTS)
        units = input_units(files, config, BATCH_RECORDS, staged)
        tasks = staged.track(batches(units, executor.records_per_task(BATCH_RECORDS)))
        return staged.release_after(executor.map(partial(with_cutoffs, task=parse_and_clean_task, run=context),
                                                 given_cutoffs(tasks, cutoffs)))
    counts_path = staging / COUNTS_FILE
    bar.set_description("pass 1: counting lines")
    counted = finished(context.markers, "counts", "all") is not None
    if not counted:
        counts_path.unlink(missing_ok=True)  # a killed run's partial counts: the reduce is done again
    with LineCounts(counts_path) as counts:
        staged = StagedInputs(staging / STAGED_INPUTS)
        tasks = count_lines(executor, input_units(files, config, UNIT_RECORDS, staged), counts, context, tally, bar,
                            reduce=not counted, staged=staged, sample=sample)
    if context.markers and not counted:
        mark_finished(context.markers, "counts", "all", tasks, [counts_path])
        shutil.rmtree(staging / "counted", ignore_errors=True)
    kill_point("counted")
    bar.refresh()  # the first pass's last count, which the bar's minimum interval may not have drawn yet
    bar.set_description("pass 2: cleaning", refresh=False)
    bar.reset()
    return executor.map(partial(with_cutoffs, task=clean_task, run=replace(context, counts=str(counts_path))),
                        given_cutoffs(range(tasks), cutoffs))


def given_cutoffs(items: Iterable[T], cutoffs: Callable[[], Cutoffs] | None) -> Iterator[tuple[T, Cutoffs]]:
    """Each cleaning task's item with the cut-offs as it is sent (the executors read their items only as tasks go out)."""
    for item in items:
        yield item, cutoffs() if cutoffs is not None else NO_CUTOFFS


def deduplicate(executor: LocalExecutor, store: SignatureStore, threshold: float, tally: Tally, bar: tqdm) -> Duplicates:
    bar.set_description("deduplicating")
    duplicates = executor.deduplicate(store, threshold)
    tally.duplicates = duplicates.stats()
    if tally.duplicates["removed"]:
        tally.rejects["duplicate"] += tally.duplicates["removed"]
    kill_point("dedup")
    return duplicates


def write_rejects_and_clusters(parts: list[Part], duplicates: Duplicates | None, staging: Path,
                               delete_parts: bool = True) -> list[str]:
    """rejects.jsonl (the parts' rejects, then the duplicates) and duplicates.jsonl; the part files are deleted.

    A resumable run keeps its part files until it commits: a run killed
    before then redoes this step from them.
    """
    join_files((Path(part.rejects) for part in parts), staging / "rejects.jsonl",
               duplicate_reject_lines(duplicates) if duplicates is not None else ())
    for part in parts if delete_parts else ():
        Path(part.records).unlink()
        Path(part.rejects).unlink()
    if duplicates is None:
        return []
    with open(staging / "duplicates.jsonl", "w", encoding="utf-8") as report:
        report.writelines(report_lines(duplicates))
    return ["duplicates.jsonl"]


def input_units(items: Iterable[InputFile], config: Config, records_per_unit: int = UNIT_RECORDS,
                staged: StagedInputs | None = None) -> Iterator[Unit]:
    """The read stage's work: every input file's units of about `records_per_unit` records, in walk order.

    With `staged`, containers given by URL are copied into scratch and read from there (`readers.units_of`).
    """
    for item in items:
        yield from units_of(item, config, records_per_unit, staged.copy if staged is not None else None)


class StagedInputs:
    """The copies in scratch of the containers given by URL, each deleted once every task that reads it has given its result.

    So scratch holds the copies of the files being read, not of every input.
    A copy serves one input (a URL given twice is copied twice) and an
    input's units are consecutive, so once a batch ends with a unit of
    another file no later batch reads the copy; results come back in batch
    order, so once the result of its last batch is in, no task opens it
    again (a Ray task is retried only before its result is in). A resumed
    run plans its containers again, so it fetches again those whose copies
    were deleted (a copy still there with the size the store reports is
    used as it is).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.given: Counter[str] = Counter()  # URL -> copies made
        self.last: dict[str, int] = {}  # copy -> the last batch so far holding one of its units
        self.done: list[tuple[int, str]] = []  # (last batch, copy) for copies no later batch reads

    def copy(self, url: str) -> Path:
        """Copy `url` into the folder (`locations.stage_url`); the copy's path."""
        occurrence = self.given[url]
        self.given[url] += 1
        return stage_url(url, self.folder, occurrence)

    def track(self, tasks: Iterable[UnitBatch]) -> Iterator[UnitBatch]:
        """Pass on the batches, noting which batch is the last to read each copy."""
        prefix = str(self.folder) + os.sep
        for batch in tasks:
            for unit in batch.units:
                if unit.path.startswith(prefix):
                    self.last[unit.path] = batch.number
            self.settle(batch.units[-1].path)
            yield batch
        self.settle(None)

    def settle(self, tail: str | None) -> None:
        for path in [path for path in self.last if path != tail]:
            self.done.append((self.last.pop(path), path))

    def release(self, number: int) -> None:
        """The result of batch `number` is in (and those before it): delete the copies no task will read again."""
        if not self.done:
            return
        for last, path in self.done:
            if last <= number:
                Path(path).unlink(missing_ok=True)
        self.done = [(last, path) for last, path in self.done if last > number]

    def release_after(self, results: Iterable[R]) -> Iterator[R]:
        """Pass on batch results (in batch order), releasing the copies each one finishes, and the rest once all are in."""
        for result in results:
            self.release(result.number)
            yield result
        self.release(sys.maxsize)


def task_batches(units: Iterable[Unit], records: int = TASK_RECORDS) -> Iterator[UnitBatch]:
    """The tasks of a two-pass run: `records` records each, between the ramps from `FIRST_TASK_RECORDS` and down to `LAST_TASK_RECORDS` (`stages.batches`)."""
    return batches(units, records, first=min(records, FIRST_TASK_RECORDS), last=LAST_TASK_RECORDS)


def count_lines(executor: LocalExecutor, units: Iterable[Unit], counts: LineCounts, context: RunContext,
                tally: Tally | None = None, bar: tqdm | None = None, reduce: bool = True,
                staged: StagedInputs | None = None, sample: Sample | None = None) -> int:
    """Pass 1: parse every unit and count its documents' lines per site (the count reduce); returns the number of tasks.

    The report's `sample` is given each parse task's keys (`Sample.expect`).

    With `context.spill`, the parsed documents wait in the staging directory
    for `clean_task`. A resumable run (`context.markers`) keeps the line keys
    files, so a resumed run can count again; `reduce=False` when a resumed
    run finds the counts complete. `staged` deletes the copies of URL
    containers as the tasks reading them finish.
    """
    tasks = 0
    task = executor.counting_task(partial(parse_task, run=context), counts if reduce else None)
    work = task_batches(units, executor.records_per_task(TASK_RECORDS))
    parsed = executor.map(task, staged.track(work) if staged is not None else work)
    if staged is not None:
        parsed = staged.release_after(parsed)
    for batch in executor.count_lines(parsed, counts if reduce else None, delete=not context.markers):
        if tally is not None:
            tally.add_parsed(batch)
        if sample is not None:
            sample.expect(batch.sample_keys)
        if bar is not None:
            bar.update(sum(batch.records.values()))
        tasks += 1
        kill_point("parse", tasks)
    return tasks


def collect_cleaned(executor: LocalExecutor, cleaned: Iterable[CleanedBatch], store: SignatureStore | None, tally: Tally,
                    bar: tqdm, keep: bool = False, sample: Sample | None = None) -> list[Part]:
    """Tally each cleaned batch, have the executor store its signatures and merge its partial sample; returns the part files in input order.

    With `keep` (a resumable run), the signature files stay: a resumed run
    builds its store again from them.
    """
    parts = []
    for batch in cleaned:
        tally.add_cleaned(batch)
        if sample is not None and batch.sample is not None:
            sample.merge(batch.sample.opened())
        if store is not None:
            executor.store_signatures(store, batch, delete=not keep)
        elif not keep:
            Path(batch.kept_path).unlink()
        parts.append(Part(batch.records_path, batch.kept, batch.rejects_path))
        bar.update(batch.kept + sum(batch.rejects.values()))
        bar.set_postfix(rejected=sum(tally.rejects.values()), refresh=False)
        kill_point("clean", len(parts))
    return parts


def write_corpus(executor: LocalExecutor, parts: list[Part], duplicates: Duplicates | None,
                 staging: Path, options: RunOptions, tally: Tally, markers: str = "") -> list[str]:
    """The write stage: shards assembled by the workers from the part files, duplicates left out; returns their names."""
    plans = plan_shards(part_drops(parts, duplicates), options.shard_size, str(staging), options.format, options.compress,
                        options.config.comments == "field")
    shards = []

    def planned() -> Iterator:
        for plan in plans:
            shards.append(plan.name)
            yield plan

    for written, stats in enumerate(executor.map(partial(write_task, markers=markers), planned()), 1):
        tally.add_shard(stats)
        kill_point("write", written)
    return shards


def part_drops(parts: list[Part], duplicates: Duplicates | None) -> Iterator[tuple[str, int, frozenset[int]]]:
    """Each records part with its number of records and which of them are duplicates (store order is part order)."""
    first = 0
    for part in parts:
        yield part.records, part.count, drops_of(duplicates, first, part.count) if duplicates is not None else frozenset()
        first += part.count


def check_inputs(inputs: tuple[Path | str, ...]) -> None:
    """One line naming every input that cannot be opened, and why (a link loop or a dangling link is not "not found")."""
    problems = [problem for problem in map(input_problem, inputs) if problem]
    if problems:
        raise ConfigError("; ".join(problems))


def input_problem(path: Path | str) -> str | None:
    if is_url(path):
        return url_problem(path)
    try:
        path.stat()
    except FileNotFoundError:
        return f"input path is a dangling symbolic link: {path}" if path.is_symlink() else f"input path not found: {path}"
    except OSError as error:
        return f"input path cannot be read: {path}: {(error.strerror or str(error)).lower()}"
    return None


def progress_bar(enabled: bool) -> tqdm | QuietBar:
    """A tqdm bar on stderr, or, when disabled, a stand-in (a quiet run does not import tqdm)."""
    if not enabled:
        return QuietBar()
    from tqdm import tqdm

    return tqdm(unit=" records", file=sys.stderr, dynamic_ncols=True)


class QuietBar:
    """Stands in for a disabled tqdm bar: every method a run calls on its bar does nothing."""

    def __enter__(self) -> QuietBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __getattr__(self, name: str) -> Callable[..., None]:
        return do_nothing


def do_nothing(*args: object, **kwargs: object) -> None:
    return None


def print_summary(summary: dict) -> None:
    print(format_table(summary), file=sys.stderr)
