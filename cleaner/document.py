"""The record every pipeline step works on, and the reasons it carries.

A `Document` keeps every line it started with. Steps never delete a line:
they mark it removed with the reason (a rule id or a heuristic name), so that
`cleaner explain` can show the whole document and say why each line went.
Steps change lines only through `Document.remove` and `Document.edit`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter

_REMOVED_BY = attrgetter("removed_by")
_TEXT = attrgetter("text")


@dataclass(slots=True)
class Line:
    """One line of a document's body.

    `para_start` is true when a blank line stood before it in the input: the
    output keeps that paragraph break. `removed_by` names the step or rule
    that removed the line, or is None while the line is kept. `edits` lists
    (reason, text before) for each phrase a rule stripped from the line.
    """

    text: str
    para_start: bool = False
    removed_by: str | None = None
    note: str = ""
    edits: tuple[tuple[str, str], ...] = ()

    @property
    def kept(self) -> bool:
        return self.removed_by is None


@dataclass(slots=True, frozen=True)
class Rejection:
    """Why a whole input produced no record: a short code and a human detail."""

    reason: str
    detail: str = ""


@dataclass(slots=True)
class Document:
    """A document on its way through the pipeline.

    `source` is the record's key (`records.record_key`): the input path
    relative to the input it was found under, with `#index` for a record of
    a container file. `kind` is "text" or "html". `extractor` names the HTML
    extractor that made the body ("" when no extractor ran: the text came as
    text). `metadata` is what the container said about the record (format,
    id, URL, date, other fields), kept for the output record. The other
    metadata fields are filled by the extractor; `lang` and `lang_prob` by
    language detection. `comments` holds the comment lines the extractor gave
    apart from the body (`--comments field`): they are never body lines, so
    no step weighs them and `text` is what it is without them. `headline` is
    a text dump's first line when it was taken as the title and left the body
    (`extract.split_title`): not a line of the document, but `cleaner explain`
    shows it, so that every input line has its fate.
    """

    source: str
    kind: str
    lines: list[Line] = field(default_factory=list)
    title: str = ""
    url: str = ""
    date: str = ""
    sitename: str = ""
    encoding: str = ""
    extractor: str = ""
    metadata: dict = field(default_factory=dict)
    chars_in: int = 0
    lang: str = "und"
    lang_prob: float = 0.0
    rejection: Rejection | None = None
    comments: list[str] = field(default_factory=list)
    headline: str = ""
    _text: str | None = field(default=None, repr=False, compare=False)
    _keys: list[bytes] | None = field(default=None, repr=False, compare=False)
    _words: int | None = field(default=None, repr=False, compare=False)
    _reasons: list[str | None] | None = field(default=None, repr=False, compare=False)
    _texts: list[str] | None = field(default=None, repr=False, compare=False)
    # Whether `edit` changed a line: the report's sample (`sample.measure`) reads the lines' edits only then,
    # rather than in a pass over every line of every document (7 ms of the 990 dev dumps' 190,000 lines).
    edited: bool = field(default=False, repr=False, compare=False)
    # A text dump's body while its lines are not made (`Pipeline.deferring_lines`, a parse task's pipeline): `lines`
    # stays empty, the count pass keys the body's lines (`kept_texts`) and the spill carries the body itself
    # (`pack`), and the lines are made once, by the cleaning pass that reads them (`unpack`).
    unsplit: str | None = field(default=None, repr=False, compare=False)

    @property
    def kept_lines(self) -> list[Line]:
        return [line for line in self.lines if line.removed_by is None]

    def kept_indexes(self) -> list[int]:
        """Positions of the lines still kept."""
        return [i for i, line in enumerate(self.lines) if line.removed_by is None]

    @property
    def text(self) -> str:
        """The cleaned body: kept lines, with paragraph breaks where the input had them.

        Built once and kept until `remove` or `edit` changes a line: steps
        change lines only through those two methods.
        """
        if self._text is None:
            self._text = self._join_kept()
        return self._text

    def _join_kept(self) -> str:
        parts: list[str] = []
        gap = False
        for line in self.lines:
            gap = gap or line.para_start
            if line.removed_by is not None:
                continue
            if parts:
                parts.append("\n\n" if gap else "\n")
            parts.append(line.text)
            gap = False
        return "".join(parts)

    def kept_texts(self) -> list[str]:
        """The texts of the lines still kept (of a body whose lines are not made, its lines: `unsplit`)."""
        if self.unsplit is not None:
            return list(filter(None, self.unsplit.split("\n")))
        return [line.text for line in self.lines if line.removed_by is None]

    def kept_keys(self, keyer: Callable[[list[str]], list[bytes]],
                  body_keyer: Callable[[str], list[bytes]] | None = None) -> list[bytes]:
        """`keyer` of the kept lines' texts (`repetition.line_keys`), kept until `remove` or `edit` changes a line.

        The count pass keys a document's lines and the repeated-lines step,
        its first cleaning step, looks the same keys up: they travel with the
        spilled document (`pack`) instead of being computed twice. A body
        whose lines are not made (`unsplit`) is keyed whole by `body_keyer`
        when one is given (`repetition.body_line_keys`: what `keyer` makes
        of its lines, without splitting it into strings).
        """
        if self._keys is None:
            if self.unsplit is not None and body_keyer is not None:
                self._keys = body_keyer(self.unsplit)
            else:
                self._keys = keyer(self.kept_texts())
        return self._keys

    def words(self, counter: Callable[[str], int]) -> int:
        """`counter` of the cleaned `text` (`features.word_count`), kept until `remove` or `edit` changes a line.

        The too-short filter and the output record (`writer.record`) count
        the same kept text: a split of the whole text each (45 ms of a run
        over the 990 dev dumps).
        """
        if self._words is None:
            self._words = counter(self.text)
        return self._words

    def reasons(self) -> list[str | None]:
        """Each line's `removed_by`, as a column, kept until `remove` changes a line.

        The empty filter, the output record's `removed` and the report's
        sample (`sample.measure`) read the same column: one C loop over the
        `Line` objects instead of a Python pass each (on the 990 dev text
        dumps, 190,000 lines).
        """
        if self._reasons is None:
            self._reasons = list(map(_REMOVED_BY, self.lines))
        return self._reasons

    def texts(self) -> list[str]:
        """Each line's text, as a column (not to be changed), kept until `edit` changes a line.

        A spilled document comes with it (`unpack`), and the rules' view of the
        lines (`rulebook`), the comment-thread search and the report's sample
        (`sample.measure`) read it, rather than a pass over the `Line` objects
        each (on the 990 dev text dumps, 190,000 lines).
        """
        if self._texts is None:
            self._texts = list(map(_TEXT, self.lines))
        return self._texts

    @property
    def removed(self) -> dict[str, int]:
        """How many lines (or phrases in lines) each reason removed, sorted by reason.

        Only a document a rule edited (`edited`) has phrases to count.

        >>> doc = Document("d", "text", lines=[Line("a"), Line("b", removed_by="x"), Line("c", removed_by="x")])
        >>> doc.edit(0, "", "y")
        >>> doc.removed
        {'x': 2, 'y': 1}
        """
        counts = Counter(self.reasons())
        del counts[None]
        if self.edited:
            counts.update(reason for line in self.lines for reason, _ in line.edits)
        return dict(sorted(counts.items()))

    def remove(self, index: int, reason: str, note: str = "") -> None:
        """Mark line `index` removed by `reason`, unless an earlier step already removed it."""
        line = self.lines[index]
        if line.removed_by is None:
            line.removed_by = reason
            line.note = note
            self._text = self._keys = self._words = self._reasons = None

    def edit(self, index: int, text: str, reason: str) -> None:
        """Replace line `index`'s text (a phrase was stripped), remembering what it was and why."""
        line = self.lines[index]
        line.edits = (*line.edits, (reason, line.text))
        line.text = text
        self.edited = True
        self._text = self._keys = self._words = self._texts = None


def lines_from_text(text: str) -> list[Line]:
    """Split normalised text (lines already stripped) into lines; blank lines become paragraph breaks.

    >>> [(l.text, l.para_start) for l in lines_from_text("a\\nb\\n\\nc")]
    [('a', False), ('b', False), ('c', True)]
    """
    lines: list[Line] = []
    gap = False
    for raw in text.split("\n"):
        if raw:
            lines.append(Line(raw, gap))
            gap = False
        else:
            gap = bool(lines)
    return lines


def pack(doc: Document) -> tuple:
    """A parsed document as plain values: cheap to pickle and spill.

    A body whose lines are not made (`unsplit`) travels as its text, one
    string instead of a column of texts and one of paragraph marks.
    Otherwise extraction may already have removed lines (`second.py`), so
    each line's reason and note travel with its text (none at all when no
    line has one: 0.81x the time to pack, pickle and unpack the 990 dev
    dumps when they travelled as lines). The kept lines' keys travel too
    when they were computed (`kept_keys`).
    """
    rejection = (doc.rejection.reason, doc.rejection.detail) if doc.rejection else None
    texts = paras = marks = None
    if doc.unsplit is None:
        texts, paras = doc.texts(), [line.para_start for line in doc.lines]
        marks = [(line.removed_by, line.note) for line in doc.lines]
        if marks.count(UNMARKED) == len(marks):  # the common case (nothing removed yet): no marks to pickle and unpack
            marks = None
    return (
        doc.source, doc.kind, doc.title, doc.url, doc.date, doc.sitename, doc.encoding, doc.extractor, doc.metadata,
        doc.chars_in, rejection, doc.unsplit, texts, paras, marks, doc.comments, doc.headline, doc._keys,
    )


UNMARKED = (None, "")  # a kept line's (removed_by, note)


def unpack(packed: tuple) -> Document:
    """The document `pack` was given back."""
    (source, kind, title, url, date, sitename, encoding, extractor, metadata, chars_in, rejection, unsplit, texts, paras,
     marks, comments, headline, keys) = packed
    if unsplit is not None:
        lines = lines_from_text(unsplit)
    elif marks is None:
        lines = list(map(Line, texts, paras))
    else:
        lines = [Line(text, para, removed_by, note) for text, para, (removed_by, note) in zip(texts, paras, marks)]
    doc = Document(
        source=source, kind=kind, title=title, url=url, date=date, sitename=sitename, encoding=encoding,
        extractor=extractor, metadata=metadata, chars_in=chars_in, rejection=Rejection(*rejection) if rejection else None,
        lines=lines, comments=comments, headline=headline,
    )
    doc._keys = keys
    doc._texts = texts  # None for a body made into lines here: `texts` reads them when asked
    return doc
