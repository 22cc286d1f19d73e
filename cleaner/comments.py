"""Comment threads: readers' comments after an article are not the article.

A thread is recognised by its shape, not by its heading word, so that it is
found in languages no rule lists: the comments' header lines (a name and a
date, or a date on a line of its own) recur at short intervals, all made by
one template, so their dates share one *skeleton* (digits and words replaced
by placeholders: "1. Januar 2018 um 03:42 Uhr" and "23. Mai 2018 um 21:15
Uhr" are both `0. a 0 a 0:0 a`); between two headers stands a comment's text.
A header tells a date and the time of day, or a relative age ("3 hours
ago", "vor 2 Tagen"): a chronology's or an archive list's dates have no time,
and a schedule's, a live blog's or a news ticker's times have no date.
Measured on trafilatura-eval's text dumps, headers without a time but with
an action line ("Reply") recurring between them fired on teaser and
download lists as often as on threads.

The thread is dropped only when an article stands before it: a forum
thread's first post has a header too, and on a forum page the posts are the
content. Detection reads every line, removed or not (the rules may already
have dropped the "Reply" lines that show the shape); only kept lines are
removed, each with the reason `heuristic.comment-thread-v1`.

With `--comments field` the removed lines are not lost: `comments_text`
gives them, then the comments the extractor found apart from the body, for
the record's `comments` field. The lines keep their removal (and its reason)
in the document, so `cleaner explain` and the `removed` counts read the same
as with `drop`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from cleaner.document import Document

COMMENT_THREAD = "heuristic.comment-thread-v1"

# Dates and times as comment templates print them, most specific first; each a group of alternatives.
_MONTH = r"[^\W\d_]{3,12}\.?"
DATE = re.compile(
    r"\d{4}[./-]\d{1,2}[./-]\d{1,2}"  # 2018-01-01, 2018/1/1
    r"|\d{1,2}[./-]\s?\d{1,2}[./-]\s?\d{2,4}"  # 1.1.2018, 01/01/18
    rf"|\d{{1,2}}\.?\s+(?:de\s+)?{_MONTH}\s+(?:de\s+)?\d{{4}}"  # 1. Januar 2018, 3 mars 2019, 5 de mayo de 2020
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"  # March 3, 2019
    r"|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"  # 2018年1月1日
)
TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b|\d{1,2}\s*[时點点]\s*\d{1,2}\s*分")
# A comment's age: "3 hours ago", "vor 2 Tagen", "il y a 5 jours", "hace 3 días", "3天前", "3 時間前". Each form
# with the word it cannot match without (`age_of`), in the order of one regular expression of them all.
AGE_FORMS = (
    ("ago", re.compile(r"\b\d+\s+[^\W\d_]+\s+ago\b", re.IGNORECASE)),
    ("vor", re.compile(r"\bvor\s+\d+\s+[^\W\d_]+", re.IGNORECASE)),
    ("il", re.compile(r"\bil\s+y\s+a\s+\d+", re.IGNORECASE)),
    ("hace", re.compile(r"\bhace\s+\d+", re.IGNORECASE)),
    ("前", re.compile(r"\d+\s*\S{1,3}前", re.IGNORECASE)),
)
# Besides I, the letters IGNORECASE matches to "i" (Python's `re`): lowercased, "İ" is "i̇" and "ı" stays.
DOTTED_I = ("\u0130", "\u0131")
DIGITS = re.compile(r"\d+")
DIGIT = re.compile(r"\d")
LETTERS = re.compile(r"[^\W\d_]+")
CLOSERS = "\"'”’»)]」』"


@dataclass(frozen=True, slots=True)
class ThreadConfig:
    """The shape of a comment thread.

    A header is a line of at most `header_max_words` words (`header_max_chars`
    characters) that holds a date, a time or an age and does not end like a
    sentence. A thread is at least `min_comments` headers of one skeleton,
    each at most `max_gap` lines after the one before, with a comment's text
    (a line of `body_min_words` or more) in at least `body_share` of the gaps.
    Running text is a sentence of `body_min_words` or more words or any line
    of `prose_min_words` or more. A thread is dropped when at least
    `min_article_words` words of sentences of `prose_min_words` words or more
    stand before it, and at least as many as in its first comment.
    """

    header_max_words: int = 16
    header_max_chars: int = 140
    min_comments: int = 3
    max_gap: int = 60
    body_min_words: int = 5
    body_share: float = 0.6
    min_article_words: int = 60
    prose_min_words: int = 10


DEFAULT = ThreadConfig()


def skeleton(text: str) -> str:
    """A date or time with its digits and words replaced by placeholders.

    >>> skeleton("1. Januar 2018 um 03:42 Uhr")
    '0. a 0 a 0:0 a'
    >>> skeleton("23. Mai 2018") == skeleton("1. Januar 2019")
    True
    """
    return DIGITS.sub("0", LETTERS.sub("a", text))


def header_key(text: str, config: ThreadConfig = DEFAULT) -> str | None:
    """The skeleton of a comment header's date and time, or of its age; None for other lines.

    >>> header_key("Mamabaer sagt: 23. Mai 2018 um 21:15 Uhr")
    '0. a 0 0:0'
    >>> header_key("Gast 2. Mai 2019, 9:05") == header_key("Martin Holzherr 11. April 2019 @ 13:25")
    True
    >>> [header_key(line) for line in ("11. April 2019", "8:40 PM Arrives at the trailer", "vor 3 Stunden")]
    [None, None, 'a 0 a']
    >>> header_key("The harbour reopened on 3 May 2019 at 10:00 after the storm.") is None
    True
    """
    if len(text) > config.header_max_chars or not DIGIT.search(text) or ends_sentence(text):
        return None
    if len(text.split()) > config.header_max_words:
        return None
    age = age_of(text)
    if age is not None:
        return skeleton(age)
    time = TIME.search(text) if ":" in text or "分" in text else None  # each of TIME's forms holds one of them
    date = DATE.search(text) if time is not None else None
    if date is None or time is None:
        return None
    return f"{skeleton(date.group())} {skeleton(time.group())}"


SENTENCE_MARKS = frozenset(".!?。！？")


def age_of(text: str) -> str | None:
    """The first comment age in the line ("3 hours ago", "vor 2 Tagen"), or None.

    What one regular expression of all `AGE_FORMS` would find first (the
    leftmost match, the earlier form on a tie), but each form is searched
    only in a line holding its word, in any case: most lines with a digit
    hold none, and the forms that open on a digit try every digit of the
    line (the whole expression cost more than the rest of `header_key`).

    >>> age_of("Posted 3 hours AGO"), age_of("Updated 12:45, 3 May 2019"), age_of("3天前"), age_of("İl y a 5 jours")
    ('3 hours AGO', None, '3天前', 'İl y a 5')
    """
    lowered = text.lower()
    dotted = not text.isascii() and any(map(text.__contains__, DOTTED_I))
    first = None
    for word, form in AGE_FORMS:
        if word in lowered or (dotted and word == "il"):
            found = form.search(text)
            if found is not None and (first is None or found.start() < first.start()):
                first = found
    return first.group() if first is not None else None


def ends_sentence(text: str) -> bool:
    """Whether `[.!?。！？]$` matches in the line, told without the regular expression (which tries every position).

    `$` matches at the end and before a final line break. (With the cheap
    tests before `AGE_FORMS` and `TIME`, the comment step took 0.71x its
    time on the dev dumps of the three sets.)

    >>> ends_sentence("Thanks."), ends_sentence("3 May 2019"), ends_sentence("Why?\\n")
    (True, False, True)
    """
    return text[-1:] in SENTENCE_MARKS or (text[-1:] == "\n" and text[-2:-1] in SENTENCE_MARKS)


def may_be_headers(texts: list[str], config: ThreadConfig = DEFAULT) -> list[int]:
    """Indexes of the lines `header_key` may find a header in: short enough, holding a digit, not ending like a sentence.

    `header_key`'s first tests, in one comprehension over the document and
    cheapest first: one line in seven passes them on the dev dumps, and a
    call of `header_key` for each line took 2.6x the time of the whole step.

    >>> may_be_headers(["Ann, 3 May 2019 10:00", "It rained.", "Reply", "On 3 May it rained."])
    [0]
    """
    limit = config.header_max_chars
    return [
        i for i, text in enumerate(texts)
        if text and len(text) <= limit and DIGIT.search(text) and not ends_sentence(text)
    ]


@dataclass(frozen=True, slots=True)
class Thread:
    """A comment thread found in a document: its first and last line index and the number of comments."""

    start: int
    end: int
    comments: int


def find_threads(texts: list[str], config: ThreadConfig = DEFAULT) -> list[Thread]:
    """The comment threads in a document's lines (every line, removed ones too), in page order, not overlapping."""
    positions: dict[str, list[int]] = {}
    for i in may_be_headers(texts, config):
        key = header_key(texts[i], config)
        if key is not None:
            positions.setdefault(key, []).append(i)
    threads = []
    for found in positions.values():
        for chain in chains(found, config.max_gap):
            thread = thread_of(texts, chain, config)
            if thread is not None:
                threads.append(thread)
    return without_overlaps(threads)


def chains(positions: list[int], max_gap: int) -> list[list[int]]:
    """Runs of positions each at most `max_gap` after the one before and not right after it.

    >>> chains([3, 5, 9, 200, 201, 260, 400], 60)
    [[3, 5, 9], [200, 260], [400]]
    """
    runs: list[list[int]] = []
    for position in positions:
        if runs and 1 < position - runs[-1][-1] <= max_gap:
            runs[-1].append(position)
        elif runs and position - runs[-1][-1] == 1:
            continue  # a header's second line (a date under the name) is the same header
        else:
            runs.append([position])
    return runs


def thread_of(texts: list[str], headers: list[int], config: ThreadConfig) -> Thread | None:
    """The thread these header lines make, or None when they do not make one, or no article stands before it."""
    if len(headers) < config.min_comments:
        return None
    gaps = [texts[a + 1 : b] for a, b in zip(headers, headers[1:])]
    with_body = sum(1 for gap in gaps if any(reads_as_comment(text, config) for text in gap))
    if with_body < config.body_share * len(gaps):
        return None
    lead = header_lead(texts, headers, gaps)
    start = headers[0] - lead
    before = prose_words(texts[:start], config.prose_min_words)
    if before < max(config.min_article_words, prose_words(gaps[0], config.prose_min_words)):
        return None
    span = round(median(len(gap) for gap in gaps))
    end = min(len(texts) - 1, headers[-1] + span - lead)
    return Thread(start, end, len(headers))


def median(values: Iterable[int]) -> float:
    """`statistics.median`: the middle value, or the mean of the two middle ones (statistics imports fractions and decimal, 15 ms).

    >>> median([3, 1, 2]), median([4, 1, 2, 3])
    (2, 2.5)
    """
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def reads_as_comment(text: str, config: ThreadConfig = DEFAULT) -> bool:
    """Running text: a sentence of `body_min_words` words or more, or any line of `prose_min_words` or more.

    >>> reads_as_comment("Great news, thanks!"), reads_as_comment("Boxpodcast 333 – Europameisterschaft geplant")
    (False, False)
    >>> reads_as_comment("Thanks, that was really helpful to me.")
    True
    """
    words = len(text.split())
    return words >= config.prose_min_words or (words >= config.body_min_words and ends_sentence(text))


def header_lead(texts: list[str], headers: list[int], gaps: list[list[str]]) -> int:
    """1 when the header's first line is a name line above the date (a short line before most headers), else 0."""
    short_before = sum(1 for gap in gaps if gap and len(gap[-1].split()) <= 4 and not ends_sentence(gap[-1]))
    first = headers[0]
    return int(short_before * 2 > len(gaps) and first > 0 and 0 < len(texts[first - 1].split()) <= 4)


def prose_words(texts: list[str], min_words: int) -> int:
    """Words in the sentences of at least `min_words` words: a menu row of many items is not an article.

    >>> prose_words(["Home | News | Sport | Video | Weather | Travel | Culture | Science | Health | More",
    ...              "The harbour reopened on Monday after three months of repairs to the sea wall."], 10)
    14
    """
    counts = (len(text.split()) for text in texts if ends_sentence(text.rstrip(CLOSERS)))
    return sum(n for n in counts if n >= min_words)


def without_overlaps(threads: list[Thread]) -> list[Thread]:
    """The threads in page order, a thread that overlaps an earlier (larger first) one left out."""
    chosen: list[Thread] = []
    for thread in sorted(threads, key=lambda t: -t.comments):
        if all(thread.end < other.start or thread.start > other.end for other in chosen):
            chosen.append(thread)
    return sorted(chosen, key=lambda t: t.start)


class CommentThreads:
    """The comment-thread step: remove every kept line of each thread found."""

    def __init__(self, config: ThreadConfig = DEFAULT) -> None:
        self.config = config

    def __call__(self, doc: Document) -> Document:
        for thread in find_threads(doc.texts(), self.config):
            note = f"comment thread of {thread.comments} comments"
            for i in range(thread.start, thread.end + 1):
                doc.remove(i, COMMENT_THREAD, note)
        return doc


def comments_text(doc: Document) -> str:
    """A document's comments for the record's `comments` field: one line each, joined by newlines.

    First the lines the thread detector removed from the body, in page order
    (normalised like every body line, with the rules' phrase edits), then
    the comment lines the extractor gave apart (`Document.comments`), which
    follow the article on the page. Thread lines an earlier step removed for
    a reason of its own (a rule's "Reply") keep that reason and stay out.

    >>> from cleaner.document import Line
    >>> doc = Document("d", "text", lines=[Line("Body."), Line("Ann, 3 May 2019 10:00", removed_by=COMMENT_THREAD),
    ...     Line("Reply", removed_by="rule.reply"), Line("Nice piece.", removed_by=COMMENT_THREAD)], comments=["Bob: yes"])
    >>> comments_text(doc)
    'Ann, 3 May 2019 10:00\\nNice piece.\\nBob: yes'
    """
    found = [line.text for line in doc.lines if line.removed_by == COMMENT_THREAD]
    return "\n".join([*found, *doc.comments])
