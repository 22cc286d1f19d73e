"""What a run keeps for its report: a bounded sample of documents line by line, and bounded statistics.

Each cleaning task builds a `Sample` of its own documents (`observe`), which
travels back with the task's result; the parent merges them (`merge`) in
input order and writes the result as `report-data.json.gz` (`report_data`).
Nothing is shared between processes and nothing depends on a path, so a
task on a Ray node builds the same partial as a local worker.

Documents are chosen by keys taken from their content, never from the
order they come in: the smallest hashes of their sources (a uniform
sample), the largest share and number of characters removed, the smallest
source hashes among the documents each reason touched, and for each site
the document that lost the most. A top-k by such a key is the same whatever
the order of the merges, so every number of workers and every executor
keeps the same documents. The site table is bounded too (`max_sites`): past
twice that many sites it keeps those that lost the most characters; the
merges come in input order, so that pruning is deterministic as well.

What a task keeps and sends back is only what can still enter the merged
sample. The parent gives each task the `Cutoffs` of what it has merged so
far: the largest key each full selection keeps, and each reason's largest
example key. The merged selections only shrink (a top-k's k-th key only
falls as items are added), so a document or line at or past a cut-off can
never be in the final sample: leaving it out changes nothing but the work.
The cut-offs a task gets depend on which tasks had finished when it was
sent, so they must not reach the result: nothing in the merged sample
depends on what a partial left out (see `prune`). A task measures its
documents a few at a time (`observe`: a few hundred lines together, where
the sample's code stays in the processor's caches), offers them to the
selections, makes the viewer's copy (`shown`) of those a selection admits
and lets the documents go; the columns of their removed lines wait, a few
thousand lines together, for the work on the sample's large tables
(`count_pending`), and the task's sites' removed lines are counted once,
when it ends (`seal`, which also drops the copies its selections no longer
want; on the 990 dev text dumps only 5% more documents are admitted than
stay wanted then). Holding few documents and then only columns, a run with
the sample collects garbage about as often as one without (144 against 112
collections there; holding 2,048 lines of documents made 308). A task that
ran in the parent's process hands its partial over as it is (`Partial`).

Memory: a partial holds at most a task's documents; the merged sample holds
at most `uniform + most_removed_share + most_removed_chars + per_reason x
reasons + 8 x top_sites` documents (twice that between lazy prunes) of at most `max_lines` lines, plus the
counters (reasons, languages, fixed histograms, `max_sites` sites).
"""

from __future__ import annotations

import bisect
import gzip
import hashlib
import heapq
import io
import json
import pickle
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain, compress, groupby, islice, repeat
from operator import attrgetter, eq, ge, getitem, gt, is_, is_not
from pathlib import Path

from cleaner.config import SampleLimits
from cleaner.document import Document

REPORT_DATA = "report-data.json.gz"
DATA_VERSION = 2  # 2: a sampled document's lines in the compact form of `shown` (1: a list of [text, reason, note, para, edits?])
TITLE = "title"  # the reason shown for a text dump's first line taken as the title (as in `cleaner explain`)
TITLE_NOTE = "the first line, taken as the title"
# Document lengths in characters: a 1-2-5 series of bin edges (the last bin is open).
LENGTH_EDGES = tuple(int(m * 10**e) for e in range(1, 7) for m in (1, 2, 5)) + (10_000_000,)
SHARE_BINS = 20  # the share of a document's characters removed, in bins of 5%
EXAMPLE_CHARS = 300  # an example line (per reason, per site) is cut to this many characters
HASH_SPACE = float(1 << 64)
EXAMPLE_SLICE = slice(0, EXAMPLE_CHARS)
NO_BOUND = 1 << 64  # above every document key: a reason whose example slots are not full yet takes any line
# The sample runs on every cleaned document, so its per-line work is done by C loops (map, compress,
# Counter) over columns of the lines rather than by a Python loop with a call per line.
_EDITS = attrgetter("edits")
_CANDIDATE = attrgetter("candidate")
_NOTE, _PARA_START = attrgetter("note"), attrgetter("para_start")


def content_hash(text: str) -> int:
    """A 64-bit hash of a text: the sample's keys come from it, so they depend only on content."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=8).digest(), "big")


def length_bin(chars: int) -> int:
    """The histogram bin of a length: bin i holds lengths below LENGTH_EDGES[i] (and at least the edge before).

    >>> length_bin(0), length_bin(10), length_bin(150), length_bin(10**9)
    (0, 1, 4, 19)
    """
    return bisect.bisect_right(LENGTH_EDGES, chars)


def share_bin(share: float) -> int:
    """
    >>> share_bin(0.0), share_bin(0.049), share_bin(0.05), share_bin(1.0)
    (0, 0, 1, 19)
    """
    return min(SHARE_BINS - 1, int(share * SHARE_BINS))


@dataclass(frozen=True, slots=True)
class Cutoffs:
    """What can no longer enter a merged sample, sent to each cleaning task (`Sample.cutoffs`).

    `picks`: per selection, the key at and past which a document is not
    admitted (only selections already full); `examples`: per reason, the
    document key at and past which a document offers the reason no line.
    """

    picks: dict[str, tuple] = field(default_factory=dict)
    examples: dict[str, int] = field(default_factory=dict)


NO_CUTOFFS = Cutoffs()


class TopK:
    """The `k` items with the smallest keys seen: the same set whatever order they are added or merged in.

    Items are (key, source); keys are tuples ending with the source's hash,
    and sources are unique within a run, so no two items tie.
    """

    __slots__ = ("k", "items", "bound")

    def __init__(self, k: int) -> None:
        self.k = k
        self.items: list[tuple] = []
        self.bound: tuple | None = None  # the k-th smallest key at the last trim: larger keys can never enter

    def admits(self, key: tuple) -> bool:
        return self.k > 0 and (self.bound is None or key < self.bound)

    def add(self, key: tuple, source: str) -> None:
        if self.admits(key):
            self.items.append((key, source))
            if len(self.items) >= 2 * self.k:
                self.trim()

    def trim(self) -> None:
        self.items.sort()
        del self.items[self.k :]
        if len(self.items) == self.k:
            self.bound = self.items[-1][0]

    def merge(self, other: TopK) -> None:
        for key, source in other.items:
            self.add(key, source)
        self.trim()

    def sources(self) -> list[str]:
        self.trim()
        return [source for _key, source in self.items]


@dataclass(slots=True)
class ReasonStats:
    """What one reason removed: lines, characters, documents, example lines and the sites it touched.

    The sites are counted by k minimum values: the set always holds the
    `reason_sites` smallest site hashes seen (trimmed lazily), which is exact
    below that many sites and an estimate past it, whatever the merge order.
    """

    lines: int = 0
    chars: int = 0
    documents: int = 0
    examples: list[tuple[int, str, str, str]] = field(default_factory=list)  # (document key, text, site, source)
    site_hashes: set[int] = field(default_factory=set)

    def example_bound(self, limit: int) -> int:
        """The keys below which a line can still enter the examples (`NO_BOUND` while fewer than `limit` are kept)."""
        return self.examples[-1][0] if len(self.examples) >= limit else NO_BOUND

    def add_example(self, key: int, text: str, site: str, source: str, limit: int) -> None:
        """Offer a line (cut to `EXAMPLE_CHARS`) of the document whose key is `key` (`content_hash` of its source).

        The examples are the `limit` distinct texts with the smallest keys,
        a text's key being the smallest of the documents it was offered
        from: a minimum per text and a bottom-k over texts, so the same
        whatever the order of the offers and merges.
        """
        examples = self.examples
        if len(examples) >= limit and key >= examples[-1][0]:
            return
        text = text[:EXAMPLE_CHARS]
        for index, example in enumerate(examples):
            if example[1] == text:
                if key >= example[0]:
                    return
                del examples[index]
                break
        examples.append((key, text, site, source))
        examples.sort()
        del examples[limit:]

    def add_site(self, site_key: int, limit: int) -> None:
        self.site_hashes.add(site_key)
        if len(self.site_hashes) > 2 * limit:
            self.site_hashes = set(sorted(self.site_hashes)[:limit])

    def merge(self, other: ReasonStats, limits: SampleLimits) -> None:
        self.lines += other.lines
        self.chars += other.chars
        self.documents += other.documents
        for key, text, site, source in other.examples:
            self.add_example(key, text, site, source, limits.reason_examples)
        self.site_hashes.update(other.site_hashes)
        if len(self.site_hashes) > 2 * limits.reason_sites:
            self.site_hashes = set(sorted(self.site_hashes)[: limits.reason_sites])

    def sites(self, limit: int) -> tuple[int, bool]:
        """How many distinct sites, and whether the count is exact (below `limit` it is; past it, a KMV estimate)."""
        if len(self.site_hashes) < limit:
            return len(self.site_hashes), True
        kth = sorted(self.site_hashes)[limit - 1]
        return round((limit - 1) * HASH_SPACE / (kth + 1)), False


@dataclass(slots=True)
class SiteStats:
    """One site: documents, characters before cleaning and removed, lines removed, its most removed lines."""

    documents: int = 0
    chars_before: int = 0
    chars_removed: int = 0
    lines_removed: int = 0
    removed_lines: Counter = field(default_factory=Counter)  # (reason, text) -> lines
    candidate: tuple | None = None  # (key, source): the document of this site to show

    def trim_lines(self, limit: int) -> None:
        """Past `4 x limit` lines, keep the `2 x limit` most frequent (ties by (reason, text), which are unique).

        The order of the key (-count, (reason, text)) without a Python call
        per line: the `2 x limit`-th largest count is the cut; the lines
        counted more often (fewer than `2 x limit`) are kept, and the rest of
        the places go to the smallest (reason, text) among those counted
        exactly the cut, which a task counting thousands of lines once has
        by the thousand: both found by C loops and sorts.
        """
        counted = self.removed_lines
        keep = 2 * limit
        if len(counted) > 4 * limit:
            cut = sorted(counted.values(), reverse=True)[keep - 1]
            above = sorted((-n, key) for key, n in compress(counted.items(), map(gt, counted.values(), repeat(cut))))
            tied = sorted(compress(counted.keys(), map(eq, counted.values(), repeat(cut))))[: keep - len(above)]
            self.removed_lines = Counter({**{key: -n for n, key in above}, **dict.fromkeys(tied, cut)})

    def merge(self, other: SiteStats, limit: int) -> None:
        self.documents += other.documents
        self.chars_before += other.chars_before
        self.chars_removed += other.chars_removed
        self.lines_removed += other.lines_removed
        self.removed_lines.update(other.removed_lines)
        self.trim_lines(limit)
        if other.candidate is not None and (self.candidate is None or other.candidate < self.candidate):
            self.candidate = other.candidate


@dataclass(slots=True)
class Observed:
    """One cleaned document measured: what the sample keeps of it until its removed lines are counted (`count_lines`).

    `chars_after` is what its kept lines hold, also when the filters then
    rejected it (`rejection`): the share removed is the cleaning's. The
    lines are held as columns (plain lists of strings and numbers), not as
    the document's `Line` objects, so the document goes once it is
    measured (`Sample.measure_held`), not when its task ends.
    """

    source: str
    site: str
    key: int
    lang: str
    chars_before: int
    chars_after: int
    removed: dict[str, list[int]]  # reason -> [lines, chars]
    rejection: str | None
    lines_removed: int  # lines removed whole (the title included)
    line_reasons: list[str | None]  # each line's `removed_by`
    texts: list[str]  # each line's text, as it is
    headline: str  # the title line a text dump lost (`Document.headline`), counted as the reason `title`
    # the runs of lines with one reason (None: kept), in order: their reason, first line, end and characters
    run_reasons: list[str | None]
    starts: list[int]
    ends: list[int]
    run_chars: list[int]


class Sample:
    """A bounded, deterministic sample of a run's documents, with the statistics the report draws."""

    def __init__(self, limits: SampleLimits, cutoffs: Cutoffs = NO_CUTOFFS) -> None:
        self.limits = limits
        self.given = cutoffs  # from the parent: what this partial need not keep
        self.documents = 0
        self.untouched = 0  # documents that lost nothing
        self.reasons: dict[str, ReasonStats] = {}
        self.rejections: Counter = Counter()  # rejected after cleaning: too_short, language, empty, timeout...
        self.languages: Counter = Counter()  # documents kept by the filters, per language
        self.language_chars: Counter = Counter()
        self.length_before = [0] * (len(LENGTH_EDGES) + 1)
        self.length_after = [0] * (len(LENGTH_EDGES) + 1)
        self.share_removed = [0] * SHARE_BINS
        self.sites: dict[str, SiteStats] = {}
        self.sites_pruned = False
        self.picks: dict[str, TopK] = {
            "uniform": TopK(limits.uniform),
            "most-removed-share": TopK(limits.most_removed_share),
            "most-removed-chars": TopK(limits.most_removed_chars),
        }
        self.docs: dict[str, tuple] = {}  # source -> the document as the viewer shows it (`shown`; `expand` makes it JSON)
        self.pending: list[Observed] = []  # documents measured and not counted yet (`count_pending`)
        self.held: list[tuple[Document, str]] = []  # documents observed and not measured yet (`measure_held`)
        self.held_lines = 0
        self.pending_lines = 0
        self.admitted = False  # whether a document was admitted since the last `seal`
        self.site_keys: dict[str, int] = {}  # site -> content_hash(site), for this task's sites
        self.pick_names: dict[str, str] = {}  # reason -> the name of its pick, for this task's reasons
        # site -> reason -> the texts of this task's lines it removed there, counted and made `SiteStats.removed_lines` by `seal`
        self.site_counts: dict[str, dict[str, list[str]]] = {}
        # the parent's: the smallest keys of the documents pass 1 read that the cleaning pass will measure (`expect`)
        self.expected: list[int] = []

    # --- one document (in the cleaning task) -----------------------------------------

    def observe(self, doc: Document, site: str) -> None:
        """Take a cleaned document (kept or rejected by the filters): measured with the next few, counted later.

        A document is held until those held hold `SampleLimits.held_lines` lines, or the
        task ends (`seal`), then measured (`measure`: its lines read as
        columns by C loops) and offered to the selections, and the viewer's
        copy (`shown`) is made then for one a selection admits; then it
        goes. Measured together, a few short documents share the sample's
        code warm in the caches: between the cleaning of one document and
        the next, the pipeline evicts it (an earlier version doing all of
        its work so, on the 10,000-page synthetic crawl: 1.57 s against
        0.52 s). Few lines are held, so that the documents' `Line` objects
        do not set off the garbage collector again and again. What touches
        the sample's large tables (the sites' removed lines, the reasons'
        examples and counts) waits longer, as `Observed` columns, until they
        hold `pending_lines` lines (`count_pending`). Counts are sums and the
        selections bottom-k's, so the order this happens in changes nothing;
        the documents are not changed after they are observed (the task only
        writes them out).
        """
        self.held.append((doc, site))
        self.held_lines += len(doc.lines)
        if self.held_lines >= self.limits.held_lines:
            self.measure_held()

    def measure_held(self) -> None:
        """Measure the documents held, in the order observed; keep the viewer's copy of those a selection admits."""
        held, self.held, self.held_lines = self.held, [], 0
        for doc, site in held:
            seen = measure(doc, site)
            if self.offer(seen):
                self.docs[seen.source] = shown(doc, site, seen, self.limits)
                self.admitted = True
            self.pending.append(seen)
            self.pending_lines += len(seen.texts)
        if self.pending_lines >= self.limits.pending_lines:
            self.count_pending()

    def count_pending(self) -> None:
        """Count the documents measured since the last call, in the order observed."""
        pending, self.pending, self.pending_lines = self.pending, [], 0
        for seen in pending:
            self.count(seen)

    def seal(self) -> None:
        """End of a task: count its last documents, and forget the viewer's copies its selections no longer want.

        The sites' removed lines are gathered per reason within a task,
        counted and trimmed here, once (a task holds a bounded number of
        documents): `Counter` over each reason's list counts in one C loop.
        """
        if self.held:
            self.measure_held()
        if self.pending:
            self.count_pending()
        limit = self.limits.site_lines
        for name, gathered in self.site_counts.items():
            self.sites[name].removed_lines = task_lines({reason: Counter(texts) for reason, texts in gathered.items()}, limit)
        self.site_counts = {}
        if self.admitted:
            self.finish()
            self.admitted = False

    def __getstate__(self) -> dict:
        """A partial travels (to the parent, to a marker) sealed: the viewer's copies, never the documents nor its cut-offs."""
        self.seal()
        return {**self.__dict__, "given": NO_CUTOFFS, "site_keys": {}, "pick_names": {}}

    def pack(self) -> bytes:
        """The sealed partial, pickled (by `Partial`, once, however many times the task's result is pickled)."""
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def unpack(packed: bytes) -> Sample:
        return pickle.loads(packed)

    def partial(self) -> Partial:
        """This task's partial, to travel with its result (`Partial`)."""
        return Partial(self)

    def expect(self, keys: Iterable[int]) -> None:
        """Add keys of documents that the cleaning pass will measure (a parse task's `uniform_keys`), to bound the uniform pick.

        Pass 1 reads every document the cleaning pass measures, and no
        other: a cleaning task cleans the documents its parse task spilled
        and measures each that was not rejected then, which is the one the
        parse task keyed (a time limit in the cleaning pass makes a
        `timeout` rejection that is measured all the same). So the uniform
        pick's final items are the `uniform` smallest of these keys, known
        before any document is cleaned: the first key past them is a
        cut-off from the start (`cutoffs`), and a task admits only the
        documents that stay, not the `k x (1 + ln(n/k))` of `n` a streamed
        bottom-k admits (on the 990 dev text dumps about 330 for 100). Keys
        of a subset only give a later cut-off, so a partial set is safe too.
        """
        self.expected = heapq.nsmallest(self.limits.uniform + 1, chain(self.expected, keys))

    def cutoffs(self) -> Cutoffs:
        """The cut-offs of what is merged so far: a key at or past them cannot enter (the selections only shrink).

        The uniform pick's is also the first key past the `uniform` smallest pass 1 read (`expect`), when that is smaller.
        """
        limit = self.limits.reason_examples
        picks = {name: pick.bound for name, pick in self.picks.items() if pick.bound is not None}
        if len(self.expected) > self.limits.uniform:
            first_out = (self.expected[-1],)
            picks["uniform"] = min(picks.get("uniform", first_out), first_out)
        return Cutoffs(
            picks=picks,
            examples={reason: bound for reason, stats in self.reasons.items() if (bound := stats.example_bound(limit)) != NO_BOUND},
        )

    def count(self, seen: Observed) -> None:
        limits = self.limits
        self.documents += 1
        removed_chars = seen.chars_before - seen.chars_after
        if not seen.removed:
            self.untouched += 1
        self.length_before[length_bin(seen.chars_before)] += 1
        if seen.rejection is None:
            self.length_after[length_bin(seen.chars_after)] += 1
            self.languages[seen.lang] += 1
            self.language_chars[seen.lang] += seen.chars_after
        else:
            self.rejections[seen.rejection] += 1
        if seen.chars_before:
            self.share_removed[share_bin(removed_chars / seen.chars_before)] += 1
        site_key = self.site_keys.get(seen.site)
        if site_key is None:
            site_key = self.site_keys[seen.site] = content_hash(seen.site)
        for reason, (lines, chars) in seen.removed.items():
            stats = self.reasons.get(reason)
            if stats is None:
                stats = self.reasons[reason] = ReasonStats()
            stats.lines += lines
            stats.chars += chars
            stats.documents += 1
            if site_key not in stats.site_hashes:  # most documents' sites are known to their reasons already
                stats.add_site(site_key, limits.reason_sites)
        site = self.site(seen.site)
        site.documents += 1
        site.chars_before += seen.chars_before
        site.chars_removed += removed_chars
        site.lines_removed += seen.lines_removed
        if seen.lines_removed:
            self.count_lines(seen)

    def site(self, name: str) -> SiteStats:
        site = self.sites.get(name)
        if site is None:
            site = self.sites[name] = SiteStats()
        return site

    def count_lines(self, seen: Observed) -> None:
        """Gather a document's removed lines on its site, and offer one line of each of its reasons to the examples.

        The lines are gathered per reason, a run of lines at a time
        (`list.extend`; counted once per task by `seal`, no key built per
        line), by their text cut to `EXAMPLE_CHARS` (a run is cut only when
        it holds a long line: cutting every distinct line in `task_lines`
        was a pass over scattered strings, 27 ms of cache misses on the 990
        dev dumps). A document whose key is below a reason's bound offers
        that reason one line, chosen by its key among the lines the reason
        removed from it (the title first, then in order): past the first
        documents, the bounds are low and few documents offer anything (see
        `ReasonStats.add_example`).
        """
        gathered = self.site_counts.get(seen.site)
        if gathered is None:
            gathered = self.site_counts[seen.site] = {}
        limit, key, given, reasons = self.limits.reason_examples, seen.key, self.given.examples, self.reasons
        offered: dict[str, list[list[str]]] = {}  # reason -> the runs it offers its example from
        declined: set[str] = set()
        texts = seen.texts
        title = [(TITLE, 0, 1, len(seen.headline))] if seen.headline else []
        for reason, start, end, chars in chain(title, zip(seen.run_reasons, seen.starts, seen.ends, seen.run_chars)):
            if reason is None:
                continue
            if reason is TITLE:
                run = [seen.headline[:EXAMPLE_CHARS]]
            else:
                run = texts[start:end]
                # counted and offered cut (rare): a run whose lines hold more than EXAMPLE_CHARS each on average has a
                # longer line, and cutting a line no longer is a no-op (the slice of a whole string is the string)
                if chars > EXAMPLE_CHARS and (chars > EXAMPLE_CHARS * (end - start) or max(map(len, run)) > EXAMPLE_CHARS):
                    run = list(map(getitem, run, repeat(EXAMPLE_SLICE)))
            lines = gathered.get(reason)
            if lines is None:
                gathered[reason] = list(run)  # a copy: the run may also be among those `offered`
            else:
                lines += run
            runs = offered.get(reason)
            if runs is not None:
                runs.append(run)
            elif reason not in declined:
                if key < reasons[reason].example_bound(limit) and key < given.get(reason, NO_BOUND):
                    offered[reason] = [run]
                else:
                    declined.add(reason)
        for reason, runs in offered.items():
            lines = list(chain.from_iterable(runs))
            reasons[reason].add_example(key, lines[key % len(lines)], seen.site, seen.source, limit)

    def offer(self, seen: Observed) -> bool:
        """Add the document to every selection that admits it now; true when one did (its lines must then be kept)."""
        removed_chars = seen.chars_before - seen.chars_after
        share = removed_chars / seen.chars_before if seen.chars_before else 0.0
        offers = [("uniform", (seen.key,))]
        if removed_chars > 0:
            offers += [("most-removed-share", (-share, seen.key)), ("most-removed-chars", (-removed_chars, seen.key))]
        names = self.pick_names
        for reason in seen.removed:
            name = names.get(reason)
            if name is None:
                name = names[reason] = f"reason:{reason}"
            offers.append((name, (seen.key,)))
        if seen.rejection:
            offers.append((f"rejected:{seen.rejection}", (seen.key,)))
        wanted = False
        given = self.given.picks
        for name, key in offers:
            pick = self.picks.get(name)
            if pick is None:
                pick = self.picks[name] = TopK(self.limits.per_reason)
            cutoff = given.get(name)
            if pick.admits(key) and (cutoff is None or key < cutoff):
                pick.add(key, seen.source)
                wanted = True
        if removed_chars > 0:
            site = self.site(seen.site)
            key = (-removed_chars, seen.key)
            if site.candidate is None or key < site.candidate[0]:
                site.candidate = (key, seen.source)
                wanted = True
        return wanted

    # --- merging (in the parent) ------------------------------------------------------

    def merge(self, other: Sample) -> None:
        """Add a task's partial sample; the result does not depend on how the documents were split into tasks."""
        other.seal()
        limits = self.limits
        self.documents += other.documents
        self.untouched += other.untouched
        self.rejections.update(other.rejections)
        self.languages.update(other.languages)
        self.language_chars.update(other.language_chars)
        for mine, theirs in ((self.length_before, other.length_before), (self.length_after, other.length_after),
                             (self.share_removed, other.share_removed)):
            for i, n in enumerate(theirs):
                mine[i] += n
        for reason, stats in other.reasons.items():
            self.reasons.setdefault(reason, ReasonStats()).merge(stats, limits)
        for name, site in other.sites.items():
            self.sites.setdefault(name, SiteStats()).merge(site, limits.site_lines)
        for name, pick in other.picks.items():
            self.picks.setdefault(name, TopK(pick.k)).merge(pick)
        self.docs.update(other.docs)
        self.prune()

    def kept_bound(self) -> int:
        """The documents the selections can want at once: every pick full, and the sites' candidates."""
        return sum(pick.k for pick in self.picks.values()) + 8 * self.limits.top_sites

    def prune(self) -> None:
        """Keep the site table and the documents within their bounds (lazily: at twice the bound, back to it).

        A site pruned from the table loses its counts; a candidate dropped
        from a site is replaced by the next document of that site that lost
        text. Both happen in the merge order, which is input order, and are
        triggered by counts that do not depend on the cut-offs the tasks
        were given (sites in the table, sites with a candidate): a partial
        sent with tighter cut-offs holds fewer documents, but the same
        selections and candidates. Documents no selection wants are dropped
        when they are twice the bound; which are dropped when does not
        matter, since a document no selection wants never becomes wanted
        again.
        """
        limits = self.limits
        if len(self.sites) > 2 * limits.max_sites:
            self.sites = dict(self.sites_by_removal()[: limits.max_sites])
            self.sites_pruned = True
        if len(self.sites) > 8 * limits.top_sites and \
                sum(map(is_not, map(_CANDIDATE, self.sites.values()), repeat(None))) > 8 * limits.top_sites:
            ranked = [name for name, site in self.sites_by_removal() if site.candidate is not None]
            for name in ranked[4 * limits.top_sites :]:
                self.sites[name].candidate = None
        if len(self.docs) > 2 * self.kept_bound():
            self.finish()

    def finish(self) -> None:
        """Drop every document no selection wants any more (before writing the report's data)."""
        wanted = self.wanted_sources(all_candidates=True)
        for source in [source for source in self.docs if source not in wanted]:
            del self.docs[source]

    def sites_by_removal(self) -> list[tuple[str, SiteStats]]:
        return sorted(self.sites.items(), key=lambda item: (-item[1].chars_removed, item[0]))

    def wanted_sources(self, all_candidates: bool = False) -> dict[str, list[str]]:
        """Each kept document's source with why it is in the sample."""
        why: dict[str, list[str]] = {}
        for name, pick in sorted(self.picks.items()):
            for source in pick.sources():
                why.setdefault(source, []).append(name)
        sites = self.sites.items() if all_candidates else self.sites_by_removal()[: self.limits.top_sites]
        for name, site in sites:
            if site.candidate is not None:
                why.setdefault(site.candidate[1], []).append(f"site:{name}")
        return why

    # --- the report's data ------------------------------------------------------------

    def to_json(self) -> dict:
        """Everything the report draws, in a stable order (byte-identical for identical runs)."""
        self.seal()
        limits = self.limits
        reasons = {}
        for reason, stats in sorted(self.reasons.items()):
            sites, exact = stats.sites(limits.reason_sites)
            reasons[reason] = {
                "lines": stats.lines, "chars": stats.chars, "documents": stats.documents, "sites": sites, "sites_exact": exact,
                "examples": [{"text": text, "site": site, "source": source} for _key, text, site, source in stats.examples],
            }
        self.finish()
        top = self.sites_by_removal()[: max(limits.top_sites, 200)]
        why = self.wanted_sources()
        return {
            "version": DATA_VERSION,
            "limits": limits.content(),
            "documents": self.documents,
            "untouched": self.untouched,
            "reasons": reasons,
            "rejections": dict(sorted(self.rejections.items())),
            "languages": {lang: {"documents": n, "chars": self.language_chars[lang]} for lang, n in sorted(self.languages.items())},
            "length_edges": list(LENGTH_EDGES),
            "length_before": self.length_before,
            "length_after": self.length_after,
            "share_bins": SHARE_BINS,
            "share_removed": self.share_removed,
            "sites": {
                "tracked": len(self.sites),
                "exact": not self.sites_pruned,
                "top": [
                    {"site": name, "documents": site.documents, "chars_before": site.chars_before,
                     "chars_removed": site.chars_removed, "lines_removed": site.lines_removed,
                     "lines": [{"reason": reason, "text": text, "count": n}
                               for (reason, text), n in sorted(site.removed_lines.items(), key=lambda item: (-item[1], item[0]))[: limits.site_lines]]}
                    for name, site in top
                ],
            },
            "samples": [{**expand(self.docs[source], limits), "why": reasons_for} for source, reasons_for in sorted(why.items())
                        if source in self.docs],
        }


class Partial:
    """A cleaning task's partial sample on its way to the parent: pickled only if it leaves the process, and then once.

    A task run in the parent's process (every task of a `--workers 1`
    run, a stage of one task) hands its `Sample` over as it is: pickling it
    and unpickling it there, the 453 documents the 990 dev text dumps'
    tasks keep, was 46 ms of work that changed nothing (about 0.9% of that
    run). A task's result is pickled twice when it runs in a worker with
    markers (its marker, the pipe to the parent), so the bytes are made
    once (`Sample.pack`, which seals) and bytes pickle as a copy. The
    parent merges the same content either way: `merge` seals a partial
    first, and a sealed partial keeps nothing that depends on its cut-offs.
    """

    __slots__ = ("sample", "packed")

    def __init__(self, sample: Sample | None = None, packed: bytes | None = None) -> None:
        self.sample = sample
        self.packed = packed

    def __reduce__(self) -> tuple:
        if self.packed is None:
            self.packed = self.sample.pack()
        return (Partial, (None, self.packed))

    def opened(self) -> Sample:
        """The partial sample: the task's own object in its process, else unpickled."""
        return self.sample if self.sample is not None else Sample.unpack(self.packed)


def measure(doc: Document, site: str) -> Observed:
    """A cleaned document's characters before and after cleaning, and what each reason removed from it (lines, characters).

    A phrase a rule stripped counts as a line of its reason (as in the
    record's `removed`) with the characters it took; the title line a text
    dump loses (`Document.headline`) counts as `title`. This runs on every
    cleaned document: the lines are read as columns by C loops (the reasons
    the filters read already, `Document.reasons`, and the texts, `Document.texts`, which a spilled document brings),
    and only a document a rule edited (`Document.edited`, rare) gets a
    Python loop over its lines. The
    lines a reason removed sit together (a step removes a block: the page's
    head, its comments), so each reason's lines and characters are added up
    per run of it, not in a pass over the removed lines per reason; a run's
    characters are summed over its slice of the texts (no list of lengths:
    1.5x faster over the 990 dev dumps' 16,000 runs).
    """
    lines = doc.lines
    line_reasons = doc.reasons()  # the column the empty filter and the record's `removed` read (a rejected document's too)
    texts = doc.texts()
    before = 0
    removed: dict[str, list[int]] = {}
    if doc.edited:
        for line in lines:
            if line.edits:
                versions = [was for _reason, was in line.edits] + [line.text]
                for (edit, was), then in zip(line.edits, versions[1:]):
                    entry = removed.setdefault(edit, [0, 0])
                    entry[0] += 1
                    entry[1] += len(was) - len(then)
                before += len(versions[0]) - len(line.text)
    # where the reason changes (by identity: two equal reasons that are distinct objects only split a run in two)
    ends = [*compress(range(1, len(lines)), map(is_not, line_reasons, islice(line_reasons, 1, None))), len(lines)]
    lines_removed = 0
    if not lines or len(ends) == 1 and line_reasons[0] is None:  # nothing removed: one run of kept lines
        after = sum(map(len, texts))
        before += after
        run_reasons: list[str | None] = []
        starts: list[int] = []
        ends: list[int] = []
        run_chars: list[int] = []
    else:
        starts = [0, *ends[:-1]]
        run_chars = list(map(sum, map(map, repeat(len), map(texts.__getitem__, map(slice, starts, ends)))))
        run_reasons = list(map(line_reasons.__getitem__, starts))
        after = sum(compress(run_chars, map(is_, run_reasons, repeat(None))))
        before += sum(run_chars)
        for reason, start, end, chars in zip(run_reasons, starts, ends, run_chars):
            if reason is not None:
                lines_removed += end - start
                entry = removed.get(reason)
                if entry is None:
                    removed[reason] = [end - start, chars]
                else:
                    entry[0] += end - start
                    entry[1] += chars
    if doc.headline:
        before += len(doc.headline)
        entry = removed.setdefault(TITLE, [0, 0])
        entry[0] += 1
        entry[1] += len(doc.headline)
        lines_removed += 1
    rejection = doc.rejection.reason if doc.rejection is not None else None
    return Observed(doc.source, site, content_hash(doc.source), doc.lang, before, after, removed, rejection, lines_removed,
                    line_reasons, texts, doc.headline, run_reasons, starts, ends, run_chars)


def uniform_keys(sources: Iterable[str], limits: SampleLimits) -> list[int]:
    """The keys (`content_hash`) of a parse task's documents to be cleaned that can be among the uniform pick's, for `Sample.expect`.

    >>> limits = SampleLimits(uniform=2)
    >>> uniform_keys(["a", "b", "c", "d"], limits) == sorted(map(content_hash, "abcd"))[:3]
    True
    """
    return heapq.nsmallest(limits.uniform + 1, map(content_hash, sources))


def task_lines(counts: dict[str, Counter], limit: int) -> Counter:
    """A task's exact counts of a site's removed lines (reason -> text -> lines) as `SiteStats.removed_lines`.

    Texts come cut to `EXAMPLE_CHARS` (`measure`); past `4 x limit`
    distinct lines, only the `2 x limit` most frequent are kept, ties by
    (reason, text), as `SiteStats.trim_lines` keeps them. The cut is found on the counts alone
    (`heapq.nlargest`, 2x cheaper than sorting them on the 990 dev dumps' tasks); past a cut above 1, one
    C pass per reason picks the few lines counted at least that often. At a cut of 1 the lines tied at it,
    thousands where most lines are removed once, are chosen per reason by `heapq.nsmallest` rather than sorted.
    """
    keep = 2 * limit
    if sum(map(len, counts.values())) <= 4 * limit:
        return Counter({(reason, text): n for reason, counter in counts.items() for text, n in counter.items()})
    cut = heapq.nlargest(keep, chain.from_iterable(map(Counter.values, counts.values())))[-1]
    kept: Counter = Counter()
    tied: list[tuple[str, str]] = []
    for reason, counter in counts.items():
        if cut > 1:  # few lines counted at least `cut` times: one pass picks them, then they are split
            for text, n in compress(counter.items(), map(ge, counter.values(), repeat(cut))):
                if n > cut:
                    kept[reason, text] = n
                else:
                    tied.append((reason, text))
        else:
            for text in compress(counter, map(gt, counter.values(), repeat(cut))):
                kept[reason, text] = counter[text]
            tied += zip(repeat(reason), heapq.nsmallest(keep, compress(counter, map(eq, counter.values(), repeat(cut)))))
    for key in sorted(tied)[: keep - len(kept)]:
        kept[key] = cut
    return kept


def shown(doc: Document, site: str, seen: Observed, limits: SampleLimits) -> tuple:
    """What the viewer needs of a document, taken as it is now: `expand` makes it the report data's compact form.

    A task keeps this for every document its selections still want when it
    ends (on the 990 dev text dumps, 453 of them), and most are dropped
    again by the merges (177 stay): so this is only what a C loop per
    column gives, cheap to pickle (the texts, the title first and cut to
    `max_line_chars`, as one string; the reasons taken from `measure`), and
    the rest of the compact form is made for those that stay. It runs right
    after `measure` on the same document, whose lines are still in the caches.
    """
    rejection = None if doc.rejection is None else (doc.rejection.reason, doc.rejection.detail)
    width = limits.max_line_chars
    whole = len(doc.lines) <= limits.max_lines  # the common case: no copies of the columns
    lines = doc.lines if whole else doc.lines[: limits.max_lines]
    texts = seen.texts if whole else seen.texts[: limits.max_lines]
    if doc.headline:
        texts = [doc.headline, *texts]
    if texts and max(map(len, texts)) > width:
        texts = list(map(getitem, texts, repeat(slice(0, width))))
    text: str | list[str] = "\n".join(texts)
    if not texts or text.count("\n") != len(texts) - 1:  # no line, or a line holding a line break: the texts as a list
        text = texts
    first = 1 if doc.headline else 0  # the index of the document's first line among those shown
    paras = list(compress(range(first, first + len(lines)), map(_PARA_START, lines)))
    edits = [(first + index, lines[index].edits) for index in compress(range(len(lines)), map(_EDITS, lines))] if doc.edited else []
    return (doc.source, doc.url, site, doc.title, doc.lang, doc.kind, rejection, seen.chars_before, seen.chars_after,
            doc.headline, text, seen.line_reasons if whole else seen.line_reasons[: limits.max_lines], list(map(_NOTE, lines)), paras, edits,
            max(0, len(doc.lines) - limits.max_lines))


def expand(kept: tuple, limits: SampleLimits) -> dict:
    """A shown document as the report's data holds it (`sample_lines` reads its lines back): the reasons and notes as runs,
    the paragraph starts and edits by line (the title line, when there is one, first)."""
    (source, url, site, title, lang, kind, rejection, chars_before, chars_after, headline, text, reasons, notes, paras,
     edits, omitted) = kept
    width = limits.max_line_chars
    marks = [[len(list(run)), reason, note] for (reason, note), run in groupby(zip(reasons, notes))]
    if headline:
        marks.insert(0, [1, TITLE, TITLE_NOTE])
    edited = [[index, [[reason, before[:width]] for reason, before in line_edits]] for index, line_edits in edits]
    return {
        "source": source, "url": url, "site": site, "title": title, "lang": lang, "kind": kind,
        "rejection": None if rejection is None else list(rejection), "chars_before": chars_before, "chars_after": chars_after,
        "text": text, "marks": marks, "paras": paras, "edits": edited, "lines_omitted": omitted,
    }


def sample_lines(doc: dict) -> list[tuple]:
    """A sampled document's lines, as the viewer reads them from the report's data: (text, reason, note, para_start,
    edits), reason None for a kept line and edits a list of [reason, text before] (empty for most lines).

    In the data, `text` is the lines' texts joined by line breaks (a list
    when a line holds one), `marks` the runs of lines with the same
    [count, reason, note], `paras` the lines that start a paragraph and
    `edits` [line, edits] for the lines a rule edited.
    """
    texts = doc["text"].split("\n") if isinstance(doc["text"], str) else list(doc["text"])
    reasons = [reason for count, reason, _note in doc["marks"] for _ in range(count)]
    notes = [note for count, _reason, note in doc["marks"] for _ in range(count)]
    paras = set(doc["paras"])
    edits = dict((index, edit) for index, edit in doc["edits"])
    return [(text, reasons[i], notes[i], i in paras, edits.get(i, [])) for i, text in enumerate(texts)]


def merged(samples: Iterable[Sample], limits: SampleLimits) -> Sample:
    total = Sample(limits)
    for sample in samples:
        total.merge(sample)
    return total


def write_report_data(sample: Sample, path: Path) -> None:
    """The report's data as gzipped JSON, byte-identical for identical runs (no time or name in the gzip header)."""
    raw = encode_data(sample.to_json())
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=sample.limits.gzip_level) as handle:
        handle.write(raw)
    path.write_bytes(buffer.getvalue())


def dumps(value: object) -> str:
    """The report data's JSON form of a value: compact, in the order given, not escaped to ASCII."""
    return json.dumps(value, ensure_ascii=False, sort_keys=False, separators=(",", ":"))


def encode_data(data: dict) -> bytes:
    """`dumps(data)` in UTF-8 (lone surrogates as the bytes they escape), the same bytes, with the sampled documents' texts
    escaped faster.

    The texts joined (`shown`) are most of the data (2.1 of the 990 dev text dumps' 2.5 MB), and `json`'s escaping looks
    at each character in turn, twice (17 ms there). A text is encoded first and escaped as bytes (`text_json`); the rest
    is `dumps` of the parts around it. The data's last key is the samples (`Sample.to_json`).
    """
    *before, last = data or [None]
    if last != "samples" or not before:
        return dumps(data).encode("utf-8", "surrogateescape")
    head = dumps({key: data[key] for key in before}).encode("utf-8", "surrogateescape")
    samples = [sample_json(doc) for doc in data["samples"]]
    return b"".join((head[:-1], b',"samples":[', b",".join(samples), b"]}"))


def sample_json(doc: dict) -> bytes:
    """`dumps(doc)` of a sampled document, encoded, its `text` escaped by `text_json`."""
    text = doc.get("text")
    escaped = text_json(text) if isinstance(text, str) else None
    if escaped is None:
        return dumps(doc).encode("utf-8", "surrogateescape")
    keys = list(doc)
    at = keys.index("text")
    head = dumps({key: doc[key] for key in keys[:at]})[:-1]
    tail = dumps({key: doc[key] for key in keys[at + 1 :]})[1:]
    return b"".join(((head + ("," if at else "")).encode("utf-8", "surrogateescape"), b'"text":', escaped,
                     b"," if len(tail) > 1 else b"", tail.encode("utf-8", "surrogateescape")))


# The bytes of UTF-8 that never need escaping in a JSON string, with the line break (escaped by `text_json` itself):
# `bytes.translate` deleting them leaves the control characters `json` writes as `\u00XX`, `\t` and the like.
_PLAIN_BYTES = bytes(range(0x20, 256)) + b"\n"


def text_json(text: str) -> bytes | None:
    r"""A string's JSON as `dumps` writes it, in UTF-8, escaped by C passes over its bytes; None when it holds a control
    character other than the line break (rare: `dumps` escapes it then).

    In UTF-8 a byte below 0x20 is always that character (the bytes of longer characters, and those a lone surrogate
    escapes, are all 0x80 and up), so only backslashes, quotes and line breaks are left to escape.

    >>> text_json('a "b" \\ c\nd é') == dumps('a "b" \\ c\nd é').encode("utf-8")
    True
    >>> text_json("a\tb") is None
    True
    """
    raw = text.encode("utf-8", "surrogateescape")
    if raw.translate(None, _PLAIN_BYTES):
        return None
    return b'"' + raw.replace(b"\\", b"\\\\").replace(b'"', b'\\"').replace(b"\n", b"\\n") + b'"'


def read_report_data(path: Path) -> dict:
    with gzip.open(path, "rt", encoding="utf-8", errors="surrogateescape") as handle:
        return json.load(handle)
