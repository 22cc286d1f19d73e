"""The options that decide what a document becomes, in one frozen object.

`Config` holds what changes the cleaned output; `RunOptions` holds how a batch
run reads and writes (workers, shards, output directory). Both are immutable,
so a worker process gets exactly the options the parent parsed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

FAVOR_CHOICES = ("precision", "balanced", "recall")
COMMENTS_CHOICES = ("drop", "keep", "field")
SITE_MODES = ("auto", "host", "folder", "none")  # how `repetition.py` groups documents into sites
OUTPUT_FORMATS = ("jsonl", "parquet")  # the corpus shards `writer.py` writes


@dataclass(frozen=True, slots=True)
class Config:
    """What a document becomes.

    min_words
        Documents with fewer words after cleaning are rejected as `too_short`.
        50 is the Gopher/MassiveText quality filter's floor for training text:
        shorter pages are mostly navigation stubs, error pages and captions.
    langs
        Keep only documents detected in one of these ISO 639-1 codes; empty
        keeps every language (including `und`).
    max_bytes
        Inputs larger than this (after gzip decompression) are rejected as
        `too_large` without being read whole.
    lang_sample_chars
        Language detection reads at most this many characters from the middle
        of the cleaned body: enough for a stable answer, bounded in cost.
    favor
        `precision`, `balanced` or `recall`: how eagerly extraction and
        heuristics cut doubtful lines, as in trafilatura.
    rule_dirs
        The user's rule directories (or files), read after the shipped ones;
        a user rule replaces a shipped rule with the same id.
    default_rules
        Whether the rule files shipped in `rules/` apply.
    heuristics
        Whether the rule-free heuristics (`heuristics.py`) run after the rules.
    site_by
        How a batch run groups documents into sites for repeated-line
        removal: `auto` (the URL's host when the page gives one, else the
        source folder), `host`, `folder`, or `none` (no repetition pass).
    repeat_min_docs, repeat_min_share
        A line is removed as `repeated` when at least this many of its
        site's documents, and at least this share of them, carry it (lines
        that read as sentences or prose need a larger share; see
        `repetition.required_share`). 0.2 was best on cleanportaleval's
        text dumps among 0.1-0.5 with a margin kept (F1 0.923 at 0.15 and
        0.2, 0.916 at 0.3, 0.908 at 0.5).
    time_limit
        Seconds a batch run may spend reading and extracting one input, and
        again cleaning it; a document that takes longer is rejected as
        `timeout` (0: no limit). Pages that make an extractor run for
        minutes exist; a limit far above the usual 0.05 s per page keeps
        output deterministic in practice (see `timelimit.py`).
    text_field, html_field, id_field
        The fields of a JSONL or Parquet record that hold its text, its raw
        HTML (extracted like a page; when set and present, it is used instead
        of the text) and its id, as in Hugging Face datasets, datatrove and
        dolma output (`text`, `id`).
    comments
        `drop`, `keep` or `field`: readers' comment threads. `drop` (the default): a
        thread after an article is removed from the text, in text dumps and in
        an extractor's body alike (`comments.py`), and trafilatura leaves the
        comment sections it knows out. `keep`: nothing is removed for being a
        comment, and trafilatura's comments are added after the body. A
        training corpus wants the article: comments are another kind of text
        with a quality of their own, and article gold leaves them out.
        `field`: `text` exactly as with `drop`, and the comments in a separate
        `comments` field of the record (the lines the thread detector removed,
        then trafilatura's comments, as trafilatura's own JSON keeps them), for
        a user who trains on them apart or filters them with their own measure.
    extractor
        The HTML extractor (`extract.EXTRACTORS`: `trafilatura`, or
        `resiliparse`, the fast path: it prunes chrome from resiliparse's
        tree before reading the text (`second.FAST_PATH`), gives a page it
        reads too little of to trafilatura, and the heuristics clean its
        body with their own profile (`heuristics.EXTRACTOR_HTML_THRESHOLDS`);
        figures in the README's "The fast HTML path"); the document records
        which one made it.
    second_extractor
        `resiliparse` or `none`: a second, differently built extractor whose
        prose trafilatura lacks is added to an HTML page's lines
        (`second.py`): between two lines both have, the run of prose just
        before trafilatura's first line (a lede it left out), and at both
        edges when trafilatura's text is under half the second's; what it
        adds that is not prose, or is a teaser cut off with an ellipsis, is
        removed as `extract.one-extractor-v1`. On by default: on
        trafilatura-eval it lifts HTML F1 from 0.935 to 0.943 (TP 2778 ->
        2839, FP 213 -> 234), cleanportaleval 0.936 -> 0.937, zh-news
        0.929 -> 0.9275 (0.9272 without either change), for about a
        tenth more time than trafilatura's extraction. With it,
        trafilatura runs its fallback chain only where the second's text
        says it may differ (`extract.FastFirst`); with `none`, always.
    dedup, dedup_threshold, dedup_shingle
        Whether a batch run removes exact and near-duplicate documents after
        cleaning, the estimated Jaccard similarity of word `dedup_shingle`-gram
        sets at which two documents count as near duplicates, and that
        shingle size (5 words, as in datatrove and the Gopher/RefinedWeb
        deduplication; see `dedup.py`).
    """

    min_words: int = 50
    langs: tuple[str, ...] = ()
    max_bytes: int = 20_000_000
    lang_sample_chars: int = 400
    favor: str = "balanced"
    rule_dirs: tuple[str, ...] = ()
    default_rules: bool = True
    heuristics: bool = True
    site_by: str = "auto"
    repeat_min_docs: int = 3
    repeat_min_share: float = 0.2
    dedup: bool = True
    dedup_threshold: float = 0.8
    dedup_shingle: int = 5
    time_limit: float = 120.0
    text_field: str = "text"
    html_field: str = ""
    id_field: str = "id"
    extractor: str = "trafilatura"
    second_extractor: str = "resiliparse"
    comments: str = "drop"


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How a batch run finds its inputs and writes its outputs."""

    inputs: tuple[Path | str, ...]  # a str is a URL (locations.py)
    output: Path | str
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    workers: int = 1
    shard_size: int = 100_000
    format: str = "jsonl"
    compress: str = "none"
    overwrite: bool = False
    progress: bool = False
    resume: bool = False
    config: Config = field(default_factory=Config)
    executor: str = "local"  # or "ray" (see ray_executor.py)
    ray_address: str | None = None
    scratch: Path | None = None  # where intermediate files go (runner.scratch_folder); None: the staging directory
    report_data: bool = True  # keep a bounded sample and statistics for `cleaner report` (report-data.json.gz)
    sample: SampleLimits = field(default_factory=lambda: SampleLimits())
    own_process: bool = False  # the run owns its process (the CLI): tasks run in it may settle its heap (`stages.settle_heap`)


@dataclass(frozen=True, slots=True)
class SampleLimits:
    """The bounds of what a run keeps for its report (`sample.py`): memory and disk stay constant whatever the corpus.

    Documents are chosen by keys taken from their content (a hash of the
    source, their scores), never by the order they arrive in, so every
    number of workers and every executor keeps the same ones.

    per_reason
        Documents kept for each removal reason (and each rejection reason
        given after cleaning): every reason has examples in the viewer.
    most_removed_share, most_removed_chars
        Documents that lost the largest share of their text, and the most
        characters: where a rule may be eating an article.
    uniform
        Documents drawn uniformly (the smallest hashes of their sources):
        what an ordinary document looks like.
    per_site, top_sites
        Documents kept for each of the `top_sites` sites that lost the most
        characters (the site table keeps one candidate per site).
    max_sites
        Sites whose counts are kept; past twice this many, the table keeps
        the `max_sites` that lost the most characters (exact below it).
    site_lines
        The most frequent removed lines kept per site.
    reason_examples
        Example lines kept per reason (the smallest hashes of their texts).
    reason_sites
        Distinct sites counted exactly per reason; past it, estimated from
        the `reason_sites` smallest site hashes (k minimum values).
    max_lines, max_line_chars
        A sampled document shows at most this many lines of at most this
        many characters each (the report stays a few MB).
    gzip_level
        How hard `report-data.json.gz` is compressed. On the 990 dev text
        dumps' data (2.5 MB of JSON in data version 2): level 1 took 29 ms of
        CPU for 1.02 MB, level 0 (stored, only the CRC) 1.1 ms for 2.54 MB
        (level 9 took 0.22 s of data version 1's 4.2 MB). The report embeds
        the JSON, not the gzip, so only the data file's size moves, and it
        stays bounded (`max_lines` x `max_line_chars` per sampled document);
        29 ms was 0.5% of that run, a sixth of the sample's 3% budget.
    held_lines, pending_lines
        How a cleaning task batches its work (`Sample.observe`), not what it
        keeps: the report's data is the same bytes whatever they are, and
        they are left out of its `limits` (`BATCHING_LIMITS`). A task holds
        the documents it observes until they hold `held_lines` lines, then
        measures them together (a few short documents share the sample's
        code warm in the caches; held, their `Line` objects add to the
        garbage collector's count until they go, and below its threshold of
        700 they rarely set off a collection). With `bench/sample_cost.py`
        (load 2.2 to 4.1): 256 took 4.29% of a run over the 990 dev text
        dumps (144 to 164 collections) and 2.37% over the 10,000-page
        synthetic crawl; 0 (each measured as it comes) 4.50% and 2.78%;
        1,024 4.55% on the dumps (252 collections); holding 2,048 lines, 308
        collections there. The measured documents' columns then wait until
        they hold `pending_lines` lines to be counted into the sample's
        large tables (sites, reasons), which stay in the caches while they
        are: on the dumps, counting each document as it comes (0) took
        4.58% of the run against 4.38% with 2,048 (load 1.5 to 2.1, three
        rounds each).
    """

    per_reason: int = 3
    most_removed_share: int = 40
    most_removed_chars: int = 40
    uniform: int = 100
    per_site: int = 1
    top_sites: int = 40
    max_sites: int = 2_000
    site_lines: int = 8
    reason_examples: int = 6
    reason_sites: int = 256
    max_lines: int = 400
    max_line_chars: int = 1_000
    gzip_level: int = 0
    held_lines: int = 256
    pending_lines: int = 2_048

    def content(self) -> dict[str, int]:
        """The limits that bound what the report's data holds, in field order, as the data records them (`BATCHING_LIMITS` left out)."""
        return {item.name: getattr(self, item.name) for item in fields(self) if item.name not in BATCHING_LIMITS}


# The `SampleLimits` fields that only batch a task's work: the report's data is the same bytes whatever they are.
BATCHING_LIMITS = frozenset({"held_lines", "pending_lines"})
