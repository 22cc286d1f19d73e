"""The Ray executor (`cleaner/ray_executor.py`) on a real local Ray instance of 2 CPUs.

Marked `ray` (deselected by the default test command, run by CI's second
pytest call): starting Ray and its workers costs seconds. The partitioned
reduces are also checked without Ray, as plain functions, against the local
ones.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from cleaner.cli import main
from cleaner.dedup import DOC_DTYPE, Signature, SignatureStore, Signer, bands_for, decision_cut, find_duplicates, groups_of
from cleaner.repetition import LineCounts, PartitionedLineCounts, open_line_counts, partition_file
from cleaner.stages import write_stream
from conftest import ROOT, article, html_page

ray = pytest.importorskip("ray")

from cleaner.ray_executor import (  # noqa: E402 - only with Ray installed
    reduce_counts,
    split_counted,
    store_segments,
    verified_pairs,
    worker_runtime_env,
)

OUTPUTS = ("corpus-00000.jsonl", "rejects.jsonl", "duplicates.jsonl", "report-data.json.gz")


@pytest.fixture(scope="module")
def ray_instance() -> object:
    """One local Ray instance of 2 CPUs for the module; the executor uses it rather than starting its own."""
    ray.init(num_cpus=2, include_dashboard=False, runtime_env=worker_runtime_env(), log_to_driver=False)
    yield ray
    ray.shutdown()


def run_cli(inputs: list[Path], out: Path, *extra: str) -> Path:
    args = ["run", *map(str, inputs), "-o", str(out), "--quiet", "--workers", "2", *extra]
    assert main(args) == 0
    return out


def comparable_summary(out: Path) -> dict:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    summary.pop("seconds")
    summary.pop("docs_per_s")
    return summary


def assert_same_output(local: Path, on_ray: Path) -> None:
    assert sorted(p.name for p in local.iterdir()) == sorted(p.name for p in on_ray.iterdir())
    for name in OUTPUTS:
        if (local / name).exists():
            assert (local / name).read_bytes() == (on_ray / name).read_bytes(), name
    assert comparable_summary(local) == comparable_summary(on_ray)


def sites_crawl(root: Path, sites: int = 4, pages: int = 60) -> Path:
    """Pages of several sites sharing chrome lines (so the line counts matter), with near copies across sites."""
    root.mkdir(parents=True)
    for s in range(sites):
        site = f"site{s}.example"
        (root / site).mkdir()
        for n in range(pages):
            seed = 1000 + (n if n % 10 else 1000 + n // 10)  # every tenth page is the same article on every site
            (root / site / f"page{n:03d}.html").write_bytes(html_page(seed, site))
    return root


# --- the same output ---------------------------------------------------------------


@pytest.mark.ray
def test_ray_writes_the_bytes_of_a_local_run(ray_instance: object, mixed_corpus: Path, fixtures_dir: Path, tmp_path: Path) -> None:
    inputs = [mixed_corpus, fixtures_dir / "input"]
    local = run_cli(inputs, tmp_path / "local")
    on_ray = run_cli(inputs, tmp_path / "ray", "--executor", "ray")
    assert_same_output(local, on_ray)
    summary = comparable_summary(on_ray)
    assert summary["duplicates"]["removed"] >= 1 and sum(summary["rejects"].values()) >= 5
    assert {"file", "warc", "jsonl", "parquet"} <= set(summary["formats"])


def test_ray_tasks_take_the_local_batches_so_the_report_samples_are_the_same() -> None:
    """Each cleaning task trims its partial report sample as it goes: other batches would give other report data
    (on the 990 dev dumps, Ray's former 64-record tasks changed a site's removed-line counts)."""
    from cleaner.config import Config
    from cleaner.executor import LocalExecutor
    from cleaner.ray_executor import RayExecutor

    local, on_ray = LocalExecutor(2, Config()), RayExecutor(Config())
    assert all(on_ray.records_per_task(n) == local.records_per_task(n) for n in (1, 8, 32, 64, 1000))


@pytest.mark.ray
def test_ray_gives_the_same_bytes_in_one_pass_and_as_parquet(ray_instance: object, tmp_path: Path) -> None:
    crawl = sites_crawl(tmp_path / "crawl", sites=2, pages=20)
    for extra in (("--site-by", "none"), ("--format", "parquet", "--shard-size", "7")):
        name = extra[1]
        local = run_cli([crawl], tmp_path / f"local-{name}", *extra)
        on_ray = run_cli([crawl], tmp_path / f"ray-{name}", "--executor", "ray", *extra)
        assert_same_output(local, on_ray)
        for shard in local.glob("corpus-*"):
            assert shard.read_bytes() == (on_ray / shard.name).read_bytes()


@pytest.mark.ray
def test_ray_with_a_scratch_directory_gives_the_local_bytes_and_leaves_it_empty(ray_instance: object, tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import cleaner.runner

    scratch, seen = tmp_path / "scratch", []

    def look(stage: str, number: int | None = None) -> None:
        if stage == "counted":  # the count shuffle is done: what the Ray tasks wrote is in the scratch folder
            (folder,) = scratch.iterdir()
            seen.extend(sorted(p.name for p in folder.iterdir()))
            seen.extend(sorted(p.name for p in (tmp_path / "ray" / ".cleaner-run").iterdir()))

    crawl = sites_crawl(tmp_path / "crawl", sites=2, pages=40)
    local = run_cli([crawl], tmp_path / "local")
    monkeypatch.setattr(cleaner.runner, "kill_point", look)
    on_ray = run_cli([crawl], tmp_path / "ray", "--executor", "ray", "--scratch", str(scratch))
    assert_same_output(local, on_ray)
    assert seen == ["line-counts.sqlite", "line-counts.sqlite.parts", "parsed", "done", "manifest.json", "owner.pid"]
    assert not list(scratch.iterdir())


@pytest.mark.ray
def test_the_zoo_on_ray_accounts_for_every_record_as_locally(ray_instance: object, fixtures_dir: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    zoo = tmp_path / "zoo"
    shutil.copytree(fixtures_dir / "zoo", zoo, symlinks=True)
    os.mkfifo(zoo / "input" / "fifo.txt")
    monkeypatch.chdir(zoo)
    inputs = [Path("input"), Path("a"), Path("b")]
    local = run_cli(inputs, tmp_path / "local", "--time-limit", "0")
    on_ray = run_cli(inputs, tmp_path / "ray", "--time-limit", "0", "--executor", "ray")
    assert_same_output(local, on_ray)


@pytest.mark.ray
def test_a_document_that_fails_in_a_ray_task_is_its_rejects_entry(ray_instance: object, tmp_path: Path) -> None:
    """A page too slow for --time-limit fails alone, in the Ray worker as in a local one.

    The limit is wall-clock time, which a loaded machine stretches for every
    document, so both sides of it have a wide margin: the document that must
    pass is text (11 ms, its worker's first document, on this machine; an
    HTML page's first extraction took 0.35 s, too near a 1 s limit under
    load), the one that must fail is an 8 MB page whose extraction took 19 s
    with no limit, ten times the limit of 2 s.
    """
    crawl = tmp_path / "in"
    crawl.mkdir()
    (crawl / "a.txt").write_text("\n\n".join(article(1)), encoding="utf-8")
    huge = "".join(f"<div><p>{paragraph}</p><span>{n}</span></div>" for n in range(20000) for paragraph in article(n, 1))
    (crawl / "b.html").write_text(f"<html><body><article>{huge}</article></body></html>")
    local = run_cli([crawl], tmp_path / "local", "--time-limit", "2")
    on_ray = run_cli([crawl], tmp_path / "ray", "--time-limit", "2", "--executor", "ray")
    assert_same_output(local, on_ray)
    rejects = [json.loads(line) for line in (on_ray / "rejects.jsonl").read_text().splitlines()]
    assert [(r["source"], r["reason"]) for r in rejects] == [("b.html", "timeout")]
    kept = [json.loads(line)["source"] for line in (on_ray / "corpus-00000.jsonl").read_text().splitlines()]
    assert kept == ["a.txt"]


@pytest.mark.ray
def test_ray_tasks_read_url_containers_from_the_staged_copy(ray_instance: object, mixed_corpus: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Containers by memory:// URL, split over several tasks: each is fetched once, by the driver, and the tasks read the copy in scratch.

    A Ray worker is another process, whose memory:// filesystem is empty: a
    task that opened the URL would find nothing, and its records would be
    `unreadable` rejects rather than the local run's output.
    """
    import fsspec
    from fsspec.implementations.memory import MemoryFileSystem

    containers = tmp_path / "containers"
    containers.mkdir()
    memory = fsspec.filesystem("memory")
    for name in ("crawl.warc.gz", "corpus.jsonl", "table.parquet"):
        (containers / name).write_bytes((mixed_corpus / name).read_bytes())
        memory.pipe_file(f"/ray-in/{name}", (mixed_corpus / name).read_bytes())
    opens: list[str] = []
    real_open = MemoryFileSystem._open

    def counted(self: MemoryFileSystem, path: str, *args: object, **kwargs: object) -> object:
        opens.append(self._strip_protocol(path))
        return real_open(self, path, *args, **kwargs)

    monkeypatch.setattr(MemoryFileSystem, "_open", counted)
    try:
        local = run_cli([containers], tmp_path / "local")
        on_ray = run_cli(["memory://ray-in"], tmp_path / "ray", "--executor", "ray")
    finally:
        memory.rm("/ray-in", recursive=True)
    assert_same_output(local, on_ray)
    assert sorted(opens) == ["/ray-in/corpus.jsonl", "/ray-in/crawl.warc.gz", "/ray-in/table.parquet"]
    summary = comparable_summary(on_ray)
    assert summary["formats"]["warc"]["records"] > 64 and "unreadable" not in summary["rejects"]  # the WARC is more than one Ray task


# --- the progress bar ------------------------------------------------------------------


BAR_STEP = re.compile(r"(pass 1: counting lines|pass 2: cleaning|deduplicating): (?:: )?(\d+) records")


@pytest.mark.parametrize("executor", ["local", pytest.param("ray", marks=pytest.mark.ray)])
def test_the_progress_bar_counts_records_as_the_tasks_finish(executor: str, request: pytest.FixtureRequest, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every state the bar is drawn in (no minimum interval): each pass climbs task by task to the run's records."""
    from tqdm import tqdm

    if executor == "ray":
        request.getfixturevalue("ray_instance")
    monkeypatch.setattr("tqdm.tqdm", partial(tqdm, mininterval=0, miniters=1))  # runner imports it when a run shows a bar
    crawl = sites_crawl(tmp_path / "crawl", sites=2, pages=100)  # 200 pages: a pass is 7 tasks of 32 locally, 4 of 64 on Ray
    assert main(["run", str(crawl), "-o", str(tmp_path / "out"), "--progress", "--workers", "2", "--executor", executor]) == 0
    steps: dict[str, list[int]] = {}
    for stage, count in BAR_STEP.findall(capsys.readouterr().err):
        steps.setdefault(stage, []).append(int(count))
    records = comparable_summary(tmp_path / "out")["records_seen"]
    assert records == 200
    for stage in ("pass 1: counting lines", "pass 2: cleaning"):
        counts = steps[stage]
        assert counts == sorted(counts) and counts[-1] == records, (stage, counts)
        assert len(set(counts) - {0}) >= 4, (stage, counts)  # one step per finished task at least


# --- failures ------------------------------------------------------------------------


def raylet_pid() -> int:
    node = ray._private.worker._global_node
    return node.all_processes["raylet"][0].process.pid


def busy_workers(parent: int) -> list[int]:
    """Our raylet's worker processes running a map task now (their title is `ray::run_task`)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))
        if ppid == parent and cmdline.startswith(b"ray::run_task"):
            found.append(int(entry.name))
    return found


@pytest.mark.ray
def test_a_worker_killed_mid_run_is_retried_without_losing_or_doubling_records(ray_instance: object, tmp_path: Path) -> None:
    crawl = sites_crawl(tmp_path / "crawl", sites=4, pages=80)
    local = run_cli([crawl], tmp_path / "local")
    killed: list[int] = []
    parent = raylet_pid()

    def kill_one_busy_worker() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            for pid in busy_workers(parent):
                time.sleep(0.2)  # let it get into its batch
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    continue
                killed.append(pid)
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_one_busy_worker)
    killer.start()
    on_ray = run_cli([crawl], tmp_path / "ray", "--executor", "ray")
    killer.join()
    assert killed, "no busy Ray worker was found to kill"
    assert_same_output(local, on_ray)


@pytest.mark.ray
def test_a_rule_set_ray_cannot_build_is_one_line(ray_instance: object, fixtures_dir: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("\n\n".join(article(1)))
    rules = fixtures_dir / "zoo" / "rules" / "too-large-for-the-rule-set.toml"
    code = main(["run", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-q", "--executor", "ray", "--rules", str(rules)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "RE2's memory limit" in err


def test_executor_ray_without_ray_installed_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError, as without the extra
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("\n\n".join(article(1)))
    assert main(["run", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-q", "--executor", "ray"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'cleaner[ray]'" in err


@pytest.mark.parametrize("address", ["127.0.0.1:1", "no-port", "ray://"])
def test_a_bad_ray_address_is_one_line(tmp_path: Path, address: str) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("\n\n".join(article(1)))
    done = subprocess.run([sys.executable, "-m", "cleaner", "run", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-q",
                           "--executor", "ray", "--ray-address", address],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr


def test_ray_address_needs_executor_ray(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "in").mkdir()
    assert main(["run", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-q", "--ray-address", "auto"]) == 2
    assert "--executor ray" in capsys.readouterr().err


# --- the partitioned reduces, as functions --------------------------------------------


def random_documents(seed: int, count: int) -> list[tuple[str, list[bytes], list[str]]]:
    rng = random.Random(seed)
    docs = []
    for _ in range(count):
        site = f"s{rng.randrange(5)}.example"
        lines = sorted({rng.randrange(40) for _ in range(rng.randrange(1, 12))})
        docs.append((site, [n.to_bytes(8, "big") for n in lines], [f"line {n} {rng.choice('ab')}" for n in lines]))
    return docs


@pytest.mark.parametrize("partitions", [1, 3, 8])
def test_partitioned_line_counts_answer_as_one_file(tmp_path: Path, partitions: int) -> None:
    docs = random_documents(partitions, 300)
    with LineCounts(tmp_path / "one.sqlite") as one:
        for site, keys, texts in docs:
            one.add(site, keys, texts)
    split = tmp_path / "counts.sqlite.parts" / "split"
    for number in range(0, len(docs), 70):  # batches as parse tasks write them
        path = tmp_path / f"counted-{number}.pickle"
        write_stream(path, docs[number : number + 70])
        split_counted(str(path), number, str(split), partitions)
    for number in range(partitions):
        reduce_counts(str(split), number, str(partition_file(split.parent, number)))
    (tmp_path / "counts.sqlite").touch()
    parted = open_line_counts(tmp_path / "counts.sqlite")
    single = LineCounts(tmp_path / "one.sqlite", readonly=True)
    assert isinstance(parted, PartitionedLineCounts)
    assert list(parted.sites()) == list(single.sites())
    for site, _ in single.sites():
        assert parted.documents(site) == single.documents(site)
        for floor in (1, 3, 10):
            assert list(parted.repeated_texts(site, floor)) == list(single.repeated_texts(site, floor))
        keys = [n.to_bytes(8, "big") for n in range(45)]
        assert parted.counts(site, keys) == single.counts(site, keys)


def test_partitioned_band_pairs_give_the_local_clusters(tmp_path: Path) -> None:
    signer = Signer(5)
    rng = random.Random(7)
    texts = []
    for n in range(300):
        base = " ".join(article(n % 40, 2))
        words = base.split()
        if n >= 40:  # a near copy: a few words changed
            for _ in range(rng.randrange(0, 6)):
                words[rng.randrange(len(words))] = f"w{rng.randrange(1000)}"
        texts.append(" ".join(words))
    store = SignatureStore(tmp_path / "dedup")
    kept = []
    for n, text in enumerate(texts):
        signature = signer.sign(text)
        kept.append((f"doc{n}-é", f"{n:016x}", len(text.split()), signature.exact, signature.minhash))
        store.add(Signature(signature.exact, signature.minhash), f"{n:016x}", len(text.split()), f"doc{n}-é")
    store.close()
    local = find_duplicates(store, 0.8)
    cut = decision_cut(0.8, store.num_perm)
    bands, rows = bands_for(cut, store.num_perm)
    segments = SignatureStore(tmp_path / "segments")  # as the Ray driver keeps it: room reserved, written by store tasks
    rows_dir = tmp_path / "rows"
    for group in range(0, len(kept), 64):  # a store task per 4 cleaning batches of 16
        paths, low, source_at = [], segments.count, None
        for number in range(group, min(group + 64, len(kept)), 16):
            batch, path = kept[number : number + 16], tmp_path / "kept" / f"{number}.pickle"
            write_stream(path, batch)
            paths.append(str(path))
            at = segments.reserve(len(batch), sum(len(source.encode()) for source, *_ in batch))
            source_at = at[1] if source_at is None else source_at
        store_segments(str(segments.folder), segments.num_perm, paths, low, source_at, bands, rows, 4, str(rows_dir))
    segments.close()
    for name in ("minhash.u32", "docs.bin", "sources.txt"):
        assert (segments.folder / name).read_bytes() == (store.folder / name).read_bytes(), name
    from cleaner.dedup import UnionFind

    sets = UnionFind(store.count)
    for partition in range(4):
        for a, b in verified_pairs(str(segments.folder), store.count, store.num_perm, str(rows_dir), partition, cut).tolist():
            sets.union(a, b)
    groups = [group.tolist() for group in groups_of(sets.roots())]
    assert groups == [group.tolist() for group in groups_of(local.roots)]
    assert len(groups) >= 10
    exact = np.fromfile(store.folder / "docs.bin", dtype=DOC_DTYPE)["exact"]
    assert len(np.unique(exact)) < len(exact)  # exact copies among them, joined by the exact-hash rows alone
