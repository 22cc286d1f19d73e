"""The work on one document, as a short sequence of named steps.

`Pipeline.load` turns a record into a `Document` (decode, extract,
normalise: the extract and normalise stages of `stages.STAGES`);
`Pipeline.clean` runs the cleaning steps in order (repeated lines, rules,
heuristics, language) and then the filters. Every step takes the document
and returns it; a filter returns a `Rejection` or None. A record that fails
in any way becomes a document carrying a rejection, so one bad record never
stops a run.
"""

from __future__ import annotations

import copy
import gc
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from cleaner.comments import CommentThreads
from cleaner.config import Config
from cleaner.document import Document, Line, Rejection, lines_from_text
from cleaner.errors import InputError
from cleaner.extract import FAST_FIRST, Extracted, extractor_named, page_markup, split_title
from cleaner.filters import FILTERS
from cleaner.heuristics import Heuristics
from cleaner.stopwords import stopword_index
from cleaner.language import LanguageDetector
from cleaner.layout import mark_link_paragraphs
from cleaner.normalize import normalize
from cleaner.readers import decode, records_of
from cleaner.records import FILE, ReadStats, Record, Unit
from cleaner.rulebook import Rulebook, load_rules
from cleaner.second import resiliparse_text, union, words_of
from cleaner.timelimit import Alarm, TimeLimitExceeded

if TYPE_CHECKING:
    from cleaner.repetition import LineCounts

Step = Callable[[Document], Document]
Filter = Callable[[Document, Config], "Rejection | None"]


class Pipeline:
    """The steps for one configuration; build once per process and reuse."""

    def __init__(
        self,
        config: Config | None = None,
        steps: Sequence[tuple[str, Step]] | None = None,
        line_counts: LineCounts | None = None,
    ) -> None:
        self.config = config or Config()
        self.line_counts = line_counts
        self.defer_lines = False  # a text dump's lines left unmade (`deferring_lines`)
        self.extractor = extractor_named(self.config.extractor)
        with collector_paused():
            self.language = LanguageDetector(self.config.lang_sample_chars)
            self.rulebook = Rulebook(load_rules([Path(d) for d in self.config.rule_dirs], self.config.default_rules))
            if self.config.heuristics:
                stopword_index()  # built once per process; here rather than in the first document's time
        self.steps: list[tuple[str, Step]] = list(steps) if steps is not None else self.default_steps()
        self.filters: tuple[Filter, ...] = FILTERS

    def with_line_counts(self, line_counts: LineCounts) -> Pipeline:
        """This pipeline (same rules, language profiles and steps) with a repeated-lines step reading `line_counts` first."""
        counted = copy.copy(self)
        counted.line_counts = line_counts
        counted.steps = [self.repeated_step(line_counts), *((name, step) for name, step in self.steps if name != "repeated")]
        return counted

    def deferring_lines(self) -> Pipeline:
        """This pipeline, loading a text dump without making its lines: its body is `Document.unsplit` and `lines` empty.

        A parse task keys the lines and spills the document, and the
        cleaning pass makes the lines when it unpacks it: made once, not in
        each pass (a `Line` each of 190,000 for the 990 dev dumps). Not for
        a document any step is to read.
        """
        deferring = copy.copy(self)
        deferring.defer_lines = True
        return deferring

    def repeated_step(self, line_counts: LineCounts) -> tuple[str, Step]:
        from cleaner.repetition import RepeatedLines, Repeats  # here: only a pipeline with line counts (a run's second pass) needs it

        return "repeated", RepeatedLines(line_counts, self.config.site_by, repeats=Repeats.of(self.config))

    def default_steps(self) -> list[tuple[str, Step]]:
        steps: list[tuple[str, Step]] = []
        if self.line_counts is not None:
            steps.append(self.repeated_step(self.line_counts))
        steps.append(("rules", self.rulebook.apply))
        if self.config.comments in ("drop", "field"):  # `field` keeps what the thread detector removes apart
            steps.append(("comments", CommentThreads()))
        if self.config.heuristics:
            steps.append(("heuristics", Heuristics(self.config.favor)))
        steps.append(("language", self.detect_language))
        return steps

    def process(self, record: Record) -> Document:
        """Load and clean one record; any failure becomes a rejection."""
        doc = self.load_safely(record)
        return doc if doc.rejection else self.clean_safely(doc)

    def process_file(self, path: Path, source: str, kind: str) -> Document:
        """Load and clean one single-document file (as `cleaner explain` does)."""
        (record,) = records_of(Unit(str(path), source, FILE, kind), self.config, ReadStats())
        return self.process(record)

    def load_safely(self, record: Record) -> Document:
        """`load`, guarded (see `guarded`)."""
        (doc,) = self.load_each([record])
        return doc

    def load_each(self, records: Iterable[Record]) -> Iterator[Document]:
        """`load_safely` of each record as it comes, under one `Alarm` for them all.

        The alarm's handler stays installed, unarmed, while the caller works
        between two documents; it is put back when the records run out or
        the caller closes the iterator.
        """
        with Alarm() as alarm:
            for record in records:
                blank = partial(Document, source=record.key, kind=record.kind)
                yield self.guarded(partial(self.load, record), "reading and extraction", blank, alarm)

    def clean_safely(self, doc: Document) -> Document:
        """`clean`, guarded (see `guarded`)."""
        return self.clean_batch([doc])[0]

    def clean_batch(self, docs: Sequence[Document]) -> list[Document]:
        """`clean_safely` of each of `docs`, a step at a time: each step runs over every document before the next starts.

        A step's tables (the rules' RE2 automata, the stopword index, the
        language profiles) then stay in the processor's caches from one
        document to the next instead of being evicted by the other steps'
        (a whole 1-worker run over the 990 dev dumps took 0.92x the CPU of
        one document at a time through every step, the output the same).
        Each document keeps one time limit over all its steps, and one that
        a step fails on or runs out of time in is rejected as in `clean`
        and skipped by the steps after it; a document already rejected
        (by reading or extraction) is passed on as it is.
        """
        cleaned = list(docs)
        spent = [0.0] * len(cleaned)
        with Alarm() as alarm:
            for _name, step in self.steps:
                self.run_step(step, cleaned, spent, alarm)
            self.run_step(self.filtered, cleaned, spent, alarm)
        return cleaned

    def run_step(self, step: Step, docs: list[Document], spent: list[float], alarm: Alarm) -> None:
        """`step` on each of `docs` not yet rejected, guarded, within what is left of its time limit (`spent` so far)."""
        limit = self.config.time_limit
        for i, doc in enumerate(docs):
            if doc.rejection is not None:
                continue
            blank = partial(Document, source=doc.source, kind=doc.kind, chars_in=doc.chars_in)
            if limit > 0 and spent[i] >= limit:
                docs[i] = timed_out(blank(), TimeLimitExceeded(f"took longer than {limit:g} s"), "cleaning")
                continue
            started = time.perf_counter()
            docs[i] = self.guarded(partial(step, doc), "cleaning", blank, alarm, spent[i])
            spent[i] += time.perf_counter() - started

    def guarded(
        self, work: Callable[[], Document], stage: str, blank: Callable[[], Document], alarm: Alarm, spent: float = 0.0
    ) -> Document:
        """`work()` on `alarm`, within what is left of the time limit once `spent` seconds of it are used.

        Running out of time makes `blank()` a `timeout` rejection and any
        other failure makes it a `failed` one, so one bad file never stops a run.
        """
        limit = self.config.time_limit
        try:
            return alarm.run(work, limit - spent if limit > 0 else 0, stated=limit)
        except TimeLimitExceeded as exc:
            return timed_out(blank(), exc, stage)
        except Exception as exc:  # noqa: BLE001 - see the docstring
            return failed(blank(), exc)

    def load(self, record: Record) -> Document:
        """Decode, extract and normalise one record (a record with a problem becomes its rejection)."""
        try:
            if record.problem:
                raise InputError(*record.problem)
            if record.data is not None:
                text, encoding = decode(record.data, record.kind, record.charset)
            else:
                text, encoding = record.text or "", ""
            doc = self.parse(text, record.key, record.kind, encoding, url=record.url)
        except InputError as exc:
            doc = Document(source=record.key, kind=record.kind)
            doc.rejection = Rejection(exc.reason, exc.detail)
        doc.metadata = container_metadata(record)
        return doc

    def parse(self, text: str, source: str, kind: str, encoding: str = "", url: str = "") -> Document:
        """Build a document from decoded text: HTML through the extractor, text by its headline.

        `url` is what the container or caller says the page's address is; it
        wins over the canonical link the page declares.
        """
        extractor = ""
        comments: list[str] = []
        headline = ""
        unsplit = None
        if kind == "html":
            second = self.second_lines(text, self.extractor.name)
            second_words = words_of(second) if second is not None else None  # counted once: extraction and union weigh it
            found = self.extract_page(text, url, second_words)
            page, second_text = found.page, found.second_text
            title = normalize(found.title)
            body = blocks_as_paragraphs(normalize(found.body))
            comments = [line.text for line in lines_from_text(normalize(found.comments))]
            extractor = found.extractor or self.extractor.name
            found = Extracted(body, title, found.url, found.date, normalize(found.sitename))
            lines = self.with_second_opinion(lines_from_text(found.body), text, extractor, second, second_words, second_text)
            if self.config.heuristics:
                lines = mark_link_paragraphs(lines, page)
        else:
            normalized = normalize(text)
            found = split_title(normalized)
            if found.body != normalized:  # the first line is the title and left the body
                headline = normalized.split("\n", 1)[0]
            if self.defer_lines:
                unsplit, lines = found.body, []
            else:
                lines = lines_from_text(found.body)
        return Document(
            source=source,
            kind=kind,
            lines=lines,
            title=found.title,
            url=url or found.url,
            date=found.date,
            sitename=found.sitename,
            encoding=encoding,
            extractor=extractor,
            chars_in=len(text),
            comments=comments,
            headline=headline,
            unsplit=unsplit,
        )

    def extract_page(self, html: str, url: str, second_words: int | None = None) -> Extracted:
        """The extractor's body of a page, with its comments after it (`keep`) or apart (`field`).

        `comments_field` is passed only when asked for, and `enough_words`
        (from the words of the second extractor's lines, `second_words`,
        `extract.FastFirst`) only when there are such lines, so an extractor
        made before they existed still serves `drop` and `keep`.
        """
        mode = self.config.comments
        options: dict = {} if second_words is None else {"enough_words": FAST_FIRST.enough_words(second_words)}
        if mode == "field":
            return self.extractor.extract(html, url=url, favor=self.config.favor, comments=False, comments_field=True, **options)
        return self.extractor.extract(html, url=url, favor=self.config.favor, comments=mode == "keep", **options)

    def second_lines(self, html: str, extractor: str, text: str | None = None) -> list[Line] | None:
        """The second extractor's lines of a page whose body `extractor` makes; None when no second extractor is configured for it.

        `text` is resiliparse's text of the page when it was read already (`Extracted.second_text`).
        """
        name = self.config.second_extractor
        if name == "none" or name == extractor:
            return None
        if text is None:
            text = resiliparse_text(page_markup(html))
        return lines_from_text(blocks_as_paragraphs(normalize(text)))

    def with_second_opinion(self, lines: list[Line], html: str, extractor: str,
                            second: list[Line] | None = None, second_words: int | None = None,
                            second_text: str | None = None) -> list[Line]:
        """`lines` (made by `extractor`) with the prose only the second extractor found (`second.union`), when one is configured.

        `second` is the second extractor's lines when they were read before
        the extraction (`second_lines`), `second_words` their `words_of`; a
        fast path's page that fell back to trafilatura has them made here,
        from the pruned main text resiliparse read of it before
        (`second_text`): its whole page's text, read again, added prose on
        so few of those pages that F1 moved by 0.00002 (trafilatura-eval
        0.92920 -> 0.92918, zh-news and cleanportaleval the same).
        """
        name = self.config.second_extractor
        if name == "none" or name == extractor:
            return lines
        if second is None:
            second, second_words = self.second_lines(html, extractor, second_text) or [], None
        return union(lines, second, name, second_words=second_words)

    def clean(self, doc: Document) -> Document:
        """Run every step, then the filters; the first filter that rejects decides."""
        for _name, step in self.steps:
            doc = step(doc)
        return self.filtered(doc)

    def filtered(self, doc: Document) -> Document:
        """`doc` with the first rejection of the filters, if one rejects it."""
        for reject in self.filters:
            rejection = reject(doc, self.config)
            if rejection is not None:
                doc.rejection = rejection
                break
        return doc

    def detect_language(self, doc: Document) -> Document:
        guess = self.language.detect(doc.text)
        doc.lang, doc.lang_prob = guess.lang, guess.prob
        return doc


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while the language profiles and stoplists are built.

    They are a few hundred thousand long-lived containers, and the collector
    would scan the growing heap again and again while they are made: a third
    of the time it takes to build them (about 0.35 s per process).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def container_metadata(record: Record) -> dict:
    """What the container says about a record, for the output's `metadata`: its format, id, URL, date and other fields.

    Empty values are left out; a container field never replaces one of the named ones.
    """
    metadata: dict = {"format": record.fmt}
    for name, value in (("id", record.id), ("url", record.url), ("date", record.date)):
        if value:
            metadata[name] = value
    for name, value in record.fields.items():
        metadata.setdefault(name, value)
    return metadata


def timed_out(doc: Document, exc: TimeLimitExceeded, stage: str) -> Document:
    doc.rejection = Rejection("timeout", f"{stage} {exc} (--time-limit)")
    return doc


def failed(doc: Document, exc: Exception) -> Document:
    doc.rejection = Rejection("failed", f"{type(exc).__name__}: {exc}"[:300])
    return doc


def blocks_as_paragraphs(body: str) -> str:
    """trafilatura puts each block (paragraph, heading, list item) on its own line; keep them apart as paragraphs."""
    return body.replace("\n", "\n\n")
