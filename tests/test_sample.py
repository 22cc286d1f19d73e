import gzip
import json
import pickle
import random
from dataclasses import replace
from pathlib import Path

from cleaner.cli import main
from cleaner.config import SampleLimits
from cleaner.document import Document, Line, Rejection
from cleaner.sample import (
    EXAMPLE_CHARS, REPORT_DATA, Observed, ReasonStats, Sample, SiteStats, TopK, content_hash, encode_data, expand,
    length_bin, measure, read_report_data, sample_lines, shown, text_json, uniform_keys,
)

LIMITS = SampleLimits()


def document(n: int, removed: int, reason: str = "heuristic.boilerplate-line-v1", site: str = "a.example",
             rejected: bool = False) -> Document:
    """A document of 10 lines, `removed` of them removed by `reason`."""
    lines = [Line(f"line {i} of document {n} on {site}", para_start=i == 5) for i in range(10)]
    for line in lines[:removed]:
        line.removed_by = reason
        line.note = "a note"
    doc = Document(f"{site}/doc-{n}.txt", "text", lines=lines, url=f"https://{site}/{n}", lang="en")
    if rejected:
        doc.rejection = Rejection("too_short", "3 words < --min-words 50")
    return doc


def corpus(count: int = 600, seed: int = 7) -> list[tuple[Document, str]]:
    rng = random.Random(seed)
    reasons = ["repeated", "heuristic.body-bounds-v3", "cookie-notice-v1", "heuristic.link-run-v1"]
    docs = []
    for n in range(count):
        site = f"site{rng.randrange(40)}.example"
        doc = document(n, rng.randrange(11), rng.choice(reasons), site, rejected=rng.random() < 0.05)
        docs.append((doc, site))
    return docs


def sampled(docs: list[tuple[Document, str]], tasks: int, limits: SampleLimits = LIMITS, reverse: bool = False) -> dict:
    """The merged sample when `docs` are cut into `tasks` consecutive partials (merged in order, or the other way round)."""
    size = -(-len(docs) // tasks)
    partials = []
    for start in range(0, len(docs), size):
        part = Sample(limits)
        for doc, site in docs[start : start + size]:
            part.observe(doc, site)
        partials.append(part)
    total = Sample(limits)
    for part in reversed(partials) if reverse else partials:
        total.merge(part)
    return total.to_json()


def test_measure_counts_lines_characters_edits_and_the_title_per_reason() -> None:
    doc = Document("a.txt", "text", headline="A headline", lines=[
        Line("kept prose line"), Line("Menu | Home", removed_by="heuristic.boilerplate-line-v1"), Line("Body text. Share this"),
    ])
    doc.edit(2, "Body text.", "share-phrase-v1")
    seen = measure(doc, "site")
    assert seen.chars_before == len("A headline") + len("kept prose line") + len("Menu | Home") + len("Body text. Share this")
    assert seen.chars_after == len("kept prose line") + len("Body text.")
    assert seen.removed == {"title": [1, 10], "heuristic.boilerplate-line-v1": [1, 11], "share-phrase-v1": [1, 11]}


def test_top_k_keeps_the_smallest_keys_whatever_the_order() -> None:
    items = [((random.Random(n).random(),), f"s{n}") for n in range(500)]
    one, two = TopK(10), TopK(10)
    for key, source in items:
        one.add(key, source)
    halves = TopK(10), TopK(10)
    for index, (key, source) in enumerate(reversed(items)):
        halves[index % 2].add(key, source)
    two.merge(halves[1])
    two.merge(halves[0])
    assert one.sources() == two.sources() == [source for _key, source in sorted(items)[:10]]


def test_the_sample_does_not_depend_on_how_documents_are_split_into_tasks_or_merged() -> None:
    docs = corpus()
    whole = sampled(docs, 1)
    assert sampled(docs, 7) == whole
    assert sampled(docs, 19, reverse=True) == whole
    assert whole["documents"] == len(docs)


def test_the_sample_covers_every_reason_the_largest_losses_and_the_top_sites() -> None:
    docs = corpus()
    data = sampled(docs, 5)
    samples = {item["source"]: item for item in data["samples"]}
    removed = {line[1] for item in samples.values() for line in sample_lines(item) if line[1]}
    assert removed == set(data["reasons"]) == {"repeated", "heuristic.body-bounds-v3", "cookie-notice-v1", "heuristic.link-run-v1"}
    assert {item["rejection"][0] for item in samples.values() if item["rejection"]} == {"too_short"}
    most = max(docs, key=lambda pair: sum(not line.kept for line in pair[0].lines))
    assert sum(not line[1] is None for line in sample_lines(samples[most[0].source])) == 10  # a document that lost everything is shown
    top_site = data["sites"]["top"][0]["site"]
    assert any(item["site"] == top_site for item in samples.values())
    assert all("why" in item and item["why"] for item in samples.values())


def varied_corpus(count: int = 300, seed: int = 11) -> list[tuple[Document, str]]:
    """Documents with repeated and long removed lines, several reasons, titles and edits, in a few sites."""
    rng = random.Random(seed)
    reasons = ["repeated", "heuristic.body-bounds-v3", "cookie-notice-v1", "rare-rule-v1"]
    docs = []
    for n in range(count):
        site = f"site{rng.randrange(3)}.example"
        lines = []
        for i in range(rng.randrange(1, 60)):
            text = rng.choice([f"Menu item {rng.randrange(30)}", f"line {i} of {n}", "x" * rng.randrange(290, 320) + str(rng.randrange(4))])
            line = Line(text + " Share this" if rng.random() < 0.05 else text)
            if i == 0 and n in (40, 200):
                line.removed_by = reasons[3]  # a reason seen twice: its example slots never fill
            elif rng.random() < 0.6:
                line.removed_by = rng.choice(reasons[:3])
            lines.append(line)
        doc = Document(f"{site}/{n}.txt", "text", lines=lines, headline=f"Title {n % 7}" if n % 3 else "")
        for index, line in enumerate(lines):
            if line.text.endswith(" Share this"):
                doc.edit(index, line.text.removesuffix(" Share this"), "share-phrase-v1")
        docs.append((doc, site))
    return docs


def test_examples_and_site_lines_are_those_of_offering_every_removed_line() -> None:
    """The sample offers a document's line to its reason only when it can enter: the result is that of every document
    offering one line of each of its reasons, chosen by its key; and a task's sites' most removed lines are its exact counts."""
    docs = varied_corpus()
    limits = LIMITS
    reasons: dict[str, ReasonStats] = {}
    sites: dict[str, SiteStats] = {}
    for doc, site in reversed(docs):  # the order does not matter
        removed = ([("title", doc.headline)] if doc.headline else []) + [(line.removed_by, line.text) for line in doc.lines if not line.kept]
        stats = sites.setdefault(site, SiteStats())
        key = content_hash(doc.source)
        for reason, text in removed:
            stats.removed_lines[reason, text[:EXAMPLE_CHARS]] += 1
        for reason in {reason for reason, _text in removed}:
            texts = [text for name, text in removed if name == reason]
            reasons.setdefault(reason, ReasonStats()).add_example(key, texts[key % len(texts)], site, doc.source, limits.reason_examples)
    data = sampled(docs, 1)  # one task counts its sites' removed lines exactly
    for reason, stats in reasons.items():
        assert data["reasons"][reason]["examples"] == [{"text": text, "site": site, "source": source} for _key, text, site, source in stats.examples]
    assert len(data["reasons"]["rare-rule-v1"]["examples"]) == 2 and len(data["reasons"]["repeated"]["examples"]) == limits.reason_examples
    for entry in data["sites"]["top"]:
        counted = sorted(sites[entry["site"]].removed_lines.items(), key=lambda item: (-item[1], item[0]))[: limits.site_lines]
        assert [(line["reason"], line["text"], line["count"]) for line in entry["lines"]] == [(r, t, n) for (r, t), n in counted]
    assert any(len(line["text"]) == EXAMPLE_CHARS for entry in data["sites"]["top"] for line in entry["lines"])
    examples = [example["text"] for example in data["reasons"]["repeated"]["examples"]]
    assert len(set(examples)) == len(examples)  # distinct texts


def test_a_shown_document_reads_back_line_by_line() -> None:
    """The data's compact form (texts joined, reasons and notes as runs) gives back every line as the viewer shows it."""
    limits = replace(LIMITS, max_lines=6, max_line_chars=20)
    for headline in ("", "A title"):
        lines = [Line("kept", para_start=True), Line("menu", removed_by="r1", note="n"), Line("menu 2", removed_by="r1", note="n"),
                 Line("x" * 30, removed_by="r2"), Line("edited Share this " + "y" * 30),
                 Line("new paragraph", para_start=True), Line("past max_lines")]
        doc = Document("s/a.txt", "text", lines=lines, headline=headline)
        doc.edit(4, "edited", "phrase-v1")
        got = sample_lines(expand(shown(doc, "s", measure(doc, "s"), limits), limits))
        want = [(line.text[:20], line.removed_by, line.note, line.para_start, [[r, was[:20]] for r, was in line.edits]) for line in lines[:6]]
        assert got == ([("A title", "title", "the first line, taken as the title", False, [])] if headline else []) + want
    broken = Document("s/b.txt", "text", lines=[Line("one\ntwo"), Line("three", removed_by="r1")])
    data = expand(shown(broken, "s", measure(broken, "s"), limits), limits)
    assert isinstance(data["text"], list) and [line[0] for line in sample_lines(data)] == ["one\ntwo", "three"]


def test_statistics_add_up() -> None:
    docs = corpus()
    data = sampled(docs, 3)
    lines = sum(sum(not line.kept for line in doc.lines) for doc, _site in docs)
    assert sum(reason["lines"] for reason in data["reasons"].values()) == lines
    assert sum(data["length_before"]) == len(docs) == sum(data["share_removed"])
    rejected = sum(doc.rejection is not None for doc, _site in docs)
    assert sum(data["length_after"]) == len(docs) - rejected == data["languages"]["en"]["documents"]
    assert data["rejections"] == {"too_short": rejected}
    assert sum(site["documents"] for site in data["sites"]["top"]) == len(docs)
    assert length_bin(99) == length_bin(50) != length_bin(100)


def test_memory_stays_bounded_and_site_counts_are_estimated_past_the_limit() -> None:
    limits = replace(LIMITS, uniform=20, most_removed_share=10, most_removed_chars=10, top_sites=5, max_sites=50, reason_sites=32)
    docs = [(document(n, 1 + n % 9, f"reason-{n % 4}", f"site{n}.example"), f"site{n}.example") for n in range(3000)]
    total = Sample(limits)
    for start in range(0, len(docs), 32):
        part = Sample(limits)
        for doc, site in docs[start : start + 32]:
            part.observe(doc, site)
        total.merge(part)
        assert len(total.sites) <= 2 * limits.max_sites
        assert len(total.docs) <= 2 * (20 + 10 + 10 + 4 * limits.per_reason + 8 * limits.top_sites) + 32
    data = total.to_json()
    assert not data["sites"]["exact"]
    estimate = data["reasons"]["reason-0"]
    assert not estimate["sites_exact"] and 750 * 0.6 < estimate["sites"] < 750 * 1.4  # 750 distinct sites, estimated
    assert len(data["samples"]) <= 20 + 10 + 10 + 4 * limits.per_reason + limits.top_sites


def test_a_partial_merges_the_same_whether_it_stays_in_its_process_or_is_pickled() -> None:
    """A task in the parent's process hands its sample over unpickled; one in a worker pickles it once, whatever the
    number of times its result is pickled (marker, pipe); the merged data is the same bytes either way."""
    docs = varied_corpus()
    merged_data = []
    for travels in (False, True):
        total = Sample(LIMITS)
        for start in range(0, len(docs), 64):
            part = Sample(LIMITS, total.cutoffs())
            for doc, site in docs[start : start + 64]:
                part.observe(doc, site)
            partial = part.partial()
            if travels:
                once = pickle.dumps(partial)
                assert pickle.dumps(partial) == once and partial.packed is not None  # packed once
                partial = pickle.loads(once)
                assert partial.sample is None
            total.merge(partial.opened())
        merged_data.append(json.dumps(total.to_json()))
    assert merged_data[0] == merged_data[1]


def test_a_task_holds_few_documents_and_then_only_their_columns() -> None:
    """Documents wait to be measured only until they hold `held_lines` lines, then only their columns (no `Line`) wait to
    be counted, until `pending_lines`; the task's partial is the same as one that measured and counted each at once."""
    docs = varied_corpus()
    part = Sample(LIMITS)
    for doc, site in docs:
        part.observe(doc, site)
        assert part.held_lines < LIMITS.held_lines and sum(len(doc.lines) for doc, _site in part.held) == part.held_lines
        assert part.pending_lines < LIMITS.pending_lines
        assert all(isinstance(seen, Observed) and not any(isinstance(text, Line) for text in seen.texts) for seen in part.pending)
    at_once = Sample(LIMITS)
    for doc, site in docs:
        at_once.observe(doc, site)
        at_once.measure_held()
        at_once.count_pending()
    assert json.dumps(part.to_json()) == json.dumps(at_once.to_json())


def test_the_batching_limits_change_the_work_and_not_the_data() -> None:
    """`held_lines` and `pending_lines` only batch a task's work: other values hold other documents and give the same
    data, whose `limits` leave them out."""
    docs = varied_corpus()
    data = []
    for limits in (LIMITS, replace(LIMITS, held_lines=0, pending_lines=0), replace(LIMITS, held_lines=10**6, pending_lines=10**6)):
        part = Sample(limits)
        for doc, site in docs:
            part.observe(doc, site)
        if limits.held_lines > 10**5:
            assert len(part.held) == len(docs)
        elif limits.held_lines == 0:
            assert not part.held and not part.pending
        data.append(json.dumps(part.to_json()))
    assert data[0] == data[1] == data[2]
    limits = json.loads(data[0])["limits"]
    assert "held_lines" not in limits and "pending_lines" not in limits and limits["max_lines"] == LIMITS.max_lines


def test_the_keys_pass_1_read_bound_the_uniform_pick_from_the_start() -> None:
    """Given the keys of every document to be cleaned (`expect`), a task admits to the uniform pick only those that stay,
    and the merged data is the same as without."""
    docs = varied_corpus()
    data, admitted = [], []
    for bounded in (False, True):
        total = Sample(LIMITS)
        if bounded:
            for start in range(0, len(docs), 50):  # per parse task, as `parse_task` gives them
                total.expect(uniform_keys([doc.source for doc, _site in docs[start : start + 50]], LIMITS))
        count = 0
        for start in range(0, len(docs), 64):
            part = Sample(LIMITS, total.cutoffs())
            for doc, site in docs[start : start + 64]:
                part.observe(doc, site)
            part.seal()
            count += len(part.picks["uniform"].items)
            total.merge(part)
        data.append(json.dumps(total.to_json()))
        admitted.append(count)
    same = data[0] == data[1]  # (not compared in the assert: pytest's diff of two such strings takes minutes)
    assert same
    assert admitted[1] == LIMITS.uniform < admitted[0]


def run_fixtures(fixtures_dir: Path, out: Path, *extra: str) -> None:
    assert main(["run", str(fixtures_dir / "input"), "--output", str(out), "--quiet", *extra]) == 0


def test_the_data_is_encoded_as_json_dumps_encodes_it() -> None:
    """`encode_data` escapes the sampled texts by bytes: the same bytes as `json.dumps` and a UTF-8 encoding."""
    texts = ['plain\nlines', 'a "quote" and a \\ backslash\n', "tab\there", "a \x01 control", "é ü 中文 \U0001F600",
             "escaped \udc80\udcff bytes", "", "\n", "\x7f \u2028 \u0085"]
    data = {"version": 2, "reasons": {"r": {"lines": 1, "examples": [{"text": 'x "y"'}]}}, "samples": [
        {"source": f"s{i}", "title": 'a "t"', "chars_before": 1.5, "text": text, "marks": [[1, None, ""]], "why": ["uniform"]}
        for i, text in enumerate(texts)] + [{"source": "list", "text": ["a\nb", "c"], "why": []}, {"text": "last key"},
                                            {"text": "first", "then": 1}, {"no": "text"}]}
    expected = json.dumps(data, ensure_ascii=False, sort_keys=False, separators=(",", ":")).encode("utf-8", "surrogateescape")
    assert encode_data(data) == expected
    assert encode_data({**data, "samples": []}) == json.dumps({**data, "samples": []}, ensure_ascii=False,
                                                              separators=(",", ":")).encode("utf-8")
    assert encode_data({}) == b"{}" and encode_data({"samples": [{"text": "a"}]}) == b'{"samples":[{"text":"a"}]}'
    assert text_json("tab\there") is None and text_json("a\nb") == b'"a\\nb"'


def test_report_data_is_identical_for_any_number_of_workers(fixtures_dir: Path, tmp_path: Path) -> None:
    run_fixtures(fixtures_dir, tmp_path / "one", "--workers", "1")
    run_fixtures(fixtures_dir, tmp_path / "two", "--workers", "2")
    first = (tmp_path / "one" / REPORT_DATA).read_bytes()
    assert first == (tmp_path / "two" / REPORT_DATA).read_bytes()
    data = read_report_data(tmp_path / "one" / REPORT_DATA)
    assert json.loads(gzip.decompress(first)) == data
    summary = json.loads((tmp_path / "one" / "summary.json").read_text())
    rejected_before_cleaning = sum(n - data["rejections"].get(reason, 0) for reason, n in summary["rejects"].items() if reason != "duplicate")
    assert data["documents"] + rejected_before_cleaning == summary["records_seen"]


def test_the_sample_changes_no_other_output(fixtures_dir: Path, tmp_path: Path) -> None:
    run_fixtures(fixtures_dir, tmp_path / "with", "--workers", "1")
    run_fixtures(fixtures_dir, tmp_path / "without", "--workers", "1", "--no-report-data")
    assert not (tmp_path / "without" / REPORT_DATA).exists()
    names = sorted(p.name for p in (tmp_path / "without").iterdir())
    assert sorted(p.name for p in (tmp_path / "with").iterdir()) == sorted([*names, REPORT_DATA])
    for name in names:
        if name != "summary.json":
            assert (tmp_path / "with" / name).read_bytes() == (tmp_path / "without" / name).read_bytes()
    summaries = [json.loads((tmp_path / which / "summary.json").read_text()) for which in ("with", "without")]
    for summary in summaries:
        summary.pop("seconds"), summary.pop("docs_per_s")
    assert summaries[0] == summaries[1]


def test_a_time_limit_in_the_cleaning_pass_leaves_the_uniform_bound_exact(fixtures_dir: Path, tmp_path: Path, monkeypatch) -> None:
    """A document that runs out of time while cleaned is measured as a `timeout`: it stays among the documents pass 1
    counted for the uniform bound, and the data is the same as a run that learns no bound from pass 1."""
    from cleaner import runner
    from cleaner.config import RunOptions
    from cleaner.pipeline import Pipeline
    from cleaner.runner import run
    from cleaner.stages import with_cutoffs
    from cleaner.timelimit import TimeLimitExceeded

    sources = sorted(p.relative_to(fixtures_dir / "input").as_posix() for p in (fixtures_dir / "input").rglob("*") if p.is_file())
    slow = set(sorted(sources, key=content_hash)[:3])  # among the smallest keys: in the uniform pick of any run
    filtered = Pipeline.filtered  # the last of a document's cleaning steps (`Pipeline.clean_batch`)

    def timing_out(self: Pipeline, doc: Document) -> Document:
        if doc.source in slow:
            raise TimeLimitExceeded("took longer than 1 s")
        return filtered(self, doc)

    def fixtures_run(out: Path) -> None:  # a uniform pick of 5 of the 19 documents: pass 1 gives it a bound
        run(RunOptions(inputs=(fixtures_dir / "input",), output=out, sample=replace(LIMITS, uniform=5)))

    monkeypatch.setattr(Pipeline, "filtered", timing_out)
    cutoffs = []
    monkeypatch.setattr(runner, "with_cutoffs", lambda job, task, run: cutoffs.append(job[1]) or with_cutoffs(job, task, run))
    fixtures_run(tmp_path / "bounded")
    assert cutoffs and all("uniform" in given.picks for given in cutoffs)
    monkeypatch.setattr(Sample, "expect", lambda self, keys: None)
    fixtures_run(tmp_path / "unbounded")
    bounded = read_report_data(tmp_path / "bounded" / REPORT_DATA)
    uniform = [sample for sample in bounded["samples"] if "uniform" in sample["why"]]
    assert len(uniform) == 5 and any(sample["rejection"] and sample["rejection"][0] == "timeout" for sample in uniform)
    assert (tmp_path / "bounded" / REPORT_DATA).read_bytes() == (tmp_path / "unbounded" / REPORT_DATA).read_bytes()
