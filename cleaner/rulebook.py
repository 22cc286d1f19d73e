"""Rule files: site chrome described as data, loaded, validated and applied.

A rule file is TOML: an optional `[scope]` table (domains, source globs) that
every rule in the file inherits, and `[[rules]]` tables, each with a stable
versioned `id`, a `description`, a `kind`, its `patterns` and its own
examples (`drop` and `keep` lines, and for the kinds that need context an
`example` document). The kinds:

- `drop-line`: drop a line the pattern matches;
- `strip-phrase`: remove the matching phrase inside a line (a trailing
  "Advertisement"); a line left empty is dropped;
- `drop-section`: a heading line and the lines that belong to it: short
  headline items (`items = "headlines"`) or any lines (`items = "any"`), at
  most `max_items`, up to where the body resumes or another rule's heading;
- `cut-after`: the marker line and everything after it, only when the marker
  comes after `min_position` of the document's prose (words in lines that
  read as running text);
- `cut-before`: everything before the marker and the marker, only when it
  comes before `max_position` of the prose.

Patterns are RE2 regular expressions (google-re2): matching takes time
linear in the text, so no pattern in a user's file can hang a run. RE2
refuses backreferences and lookaround; `cleaner rules check` reports them.
Patterns match the whole line unless the rule says `match = "search"`, and
ignore case unless `case_sensitive = true`.
"""

from __future__ import annotations

import fnmatch
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
import importlib.util
from pathlib import Path
from urllib.parse import urlsplit

import re2

from cleaner.document import Document, lines_from_text
from cleaner.errors import ConfigError
from cleaner.extract import reads_as_headline
from cleaner.features import is_prose, word_count
from cleaner.normalize import normalize

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

KINDS = ("drop-line", "strip-phrase", "drop-section", "cut-after", "cut-before")
# Order of application: precise line rules first, so their reasons stay
# attached to their lines, then sections, then the cuts.
KIND_ORDER = {"drop-line": 0, "strip-phrase": 1, "drop-section": 2, "cut-before": 3, "cut-after": 4}
ID_FORMAT = re.compile(r"^[a-z0-9][a-z0-9.-]*-v[0-9]+$")
# The type of every key a rule may have: a TOML string, boolean, integer or number, or "strings" (a
# string or a list of strings). Checked before anything is converted, so `case_sensitive = "false"` is an
# error, not true, and `domains = "example.com"` is one domain, not a list of characters.
STRINGS = "strings"
RULE_TYPES: dict[str, object] = {
    "id": str, "description": str, "kind": str, "patterns": STRINGS, "match": str, "case_sensitive": bool,
    "domains": STRINGS, "sources": STRINGS, "items": str, "max_items": int, "until": STRINGS,
    "min_position": float, "max_position": float, "max_chars": int, "drop": STRINGS, "keep": STRINGS, "example": str,
}
RULE_KEYS = set(RULE_TYPES)
TYPE_NAMES = {str: "a string", bool: "true or false", int: "an integer", float: "a number", STRINGS: "a string or a list of strings"}
FILE_KEYS = {"scope", "rules", "description"}
SCOPE_KEYS = {"domains", "sources"}
MAX_PATTERN_MEMORY = 64 << 20


class RuleFileError(ConfigError):
    """A rule file cannot be used: the message names the file, the rule and the problem."""


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a rule applies: URL domains (subdomains included) or source-path globs; empty means everywhere."""

    domains: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def applies(self, host: str, source: str) -> bool:
        if not self.domains and not self.sources:
            return True
        if any(host == d or host.endswith("." + d) for d in self.domains):
            return True
        return any(fnmatch.fnmatch(source, pattern) for pattern in self.sources)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    description: str
    kind: str
    patterns: tuple[str, ...]
    file: str = ""
    scope: Scope = Scope()
    match: str = "line"
    case_sensitive: bool = False
    items: str = "headlines"
    max_items: int = 8
    until: tuple[str, ...] = ()
    min_position: float = 0.3
    max_position: float = 0.3
    max_chars: int = 0
    drop: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    example: str = ""

    def regex_source(self, patterns: Iterable[str] | None = None, whole_line: bool | None = None) -> str:
        """The rule's patterns as one RE2 expression over a multi-line text."""
        body = "|".join(f"(?:{p})" for p in (patterns if patterns is not None else self.patterns))
        whole = self.match == "line" if whole_line is None else whole_line
        flags = "(?m)" if self.case_sensitive else "(?mi)"
        return f"{flags}^(?:{body})$" if whole else f"{flags}(?:{body})"


def url_hostname(url: str) -> str:
    """The host a rule's `domains` are matched against: the URL's, lowercased, "www." kept; "" if it has none.

    Unlike `repetition.url_host` (which names a site), nothing is stripped or
    guessed: a URL without a scheme has no host here. An invalid URL (a
    canonical link the page got wrong) has none either.

    >>> url_hostname("https://WWW.Example.com:8080/story"), url_hostname("example.com/story")
    ('www.example.com', '')
    >>> url_hostname("https://[oops/story")
    ''
    """
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def re2_options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False
    options.never_nl = True
    options.max_mem = MAX_PATTERN_MEMORY
    return options


@dataclass
class CompiledRule:
    """A rule's expression (`source`), compiled when a document first needs it.

    The rule set (`rule_set`) finds which rules can apply to a document; a
    rule's own expressions are compiled only then. RE2 takes about a
    millisecond a rule, and a run over one page meets a few of the 29
    shipped rules (40 ms of its start for all).
    """

    rule: Rule
    source: str

    @cached_property
    def regex(self) -> object:
        return re2.compile(self.source.encode("utf-8"), re2_options())

    @cached_property
    def until(self) -> object | None:
        return re2.compile(self.rule.regex_source(self.rule.until, whole_line=True), re2_options()) if self.rule.until else None


@dataclass
class Rulebook:
    """A set of rules compiled once; `apply` is the pipeline step."""

    rules: list[Rule] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rules = sorted(self.rules, key=lambda r: KIND_ORDER[r.kind])
        self._compiled = [compile_rule(rule) for rule in self.rules]
        self._set = rule_set(self._compiled) if self.rules else None
        self._piece_bytes = piece_bytes_for(self._compiled)
        self._lines_by_set = self._piece_bytes > 0 and lines_match_alone(self._compiled)

    @property
    def ids(self) -> list[str]:
        return [rule.id for rule in self.rules]

    def __call__(self, doc: Document) -> Document:
        return self.apply(doc)

    def apply(self, doc: Document) -> Document:
        """Mark every line a rule removes with the rule's id."""
        if self._set is None or not doc.lines:
            return doc
        # RE2 works on UTF-8; handing it bytes avoids the wrapper's costly offset mapping.
        view = TextView("\n".join(doc.texts()).encode("utf-8"), self._piece_bytes)
        pieces = view.rules_in(self._set)
        if not pieces:
            return doc
        host = url_hostname(doc.url)
        active = [i for i in sorted(pieces) if self.rules[i].scope.applies(host, doc.source)]
        if not active:
            return doc
        if self._lines_by_set:
            found = view.lines_by_rule(self._set, pieces)
            matched = {i: within_max_chars(found.get(i, []), self.rules[i].max_chars, doc) for i in active}
        else:
            matched = {i: view.matching_lines(self._compiled[i].regex, self.rules[i].max_chars, doc, pieces[i]) for i in active}
        boundaries = {line for i in active if self.rules[i].kind in ("drop-section", "cut-after", "cut-before") for line in matched[i]}
        for i in active:
            apply_rule(doc, self._compiled[i], matched[i], boundaries)
        return doc

    def candidates(self, text: bytes) -> list[int]:
        """Indexes of the rules whose pattern occurs somewhere in `text` (UTF-8): one RE2 set search a piece of it."""
        return sorted(TextView(text, self._piece_bytes).rules_in(self._set)) if self._set is not None else []


# A document is searched for rules a piece of about this many bytes (whole lines) at a time: the set
# search tells which pieces each rule occurs in, and the set again searches each line of those pieces
# (`TextView.lines_by_rule`; the rule's own expression when `lines_match_alone` says no).
# Rules step on the 990 dev dumps (one pass in a fresh process, then warm, in-process), against one set
# search and each rule's expression over the whole text (0.68 s cold, 0.18 s warm): 256 bytes 0.53/0.15,
# 512 0.54/0.13, 1024 0.46-0.58/0.11-0.13, 2048 0.50/0.12, 4096 0.55/0.13.
PIECE_BYTES = 1024


def piece_bytes_for(compiled: list[CompiledRule]) -> int:
    """`PIECE_BYTES`, or 0 (the whole text as one piece) when a rule's expression could match across lines.

    RE2 with `never_nl` matches no newline, whatever the pattern says, but
    for `\\C` (any byte); only then could a match run from one piece into
    the next, and only then would a piece's set search miss it.
    """
    return 0 if any("\\C" in rule.source for rule in compiled) else PIECE_BYTES


class TextView:
    """A document's lines joined by newlines (UTF-8), in pieces of whole lines, with byte offsets mapped back to line numbers.

    A piece is (start, end, number of its first line), `end` at the newline
    after its last line (or the end of the text), so that no match, which
    never holds a newline (`re2_options`), runs from one piece into another,
    and each position of the text is in one piece: a match at `end` (at the
    end of the piece's last line) is found in that piece.
    """

    def __init__(self, text: bytes, piece_bytes: int = PIECE_BYTES) -> None:
        self.text = text
        self.pieces = text_pieces(text, piece_bytes)

    def rules_in(self, rule_set: re2.Set) -> dict[int, list[int]]:
        """For each rule the set finds, the pieces (indexes in `pieces`) it occurs in.

        A piece is searched on its own: there `^`, `$` and `\\b` at its edges
        read as they do between lines of the whole text (next to a newline),
        and `\\A` or `\\z` may be found where the whole text has none, which
        only makes a rule's expression search a piece for nothing.
        """
        found: dict[int, list[int]] = {}
        text = self.text
        if len(self.pieces) == 1:
            return {i: [0] for i in rule_set.Match(text) or ()}
        for k, (start, end, _) in enumerate(self.pieces):
            for i in rule_set.Match(text[start:end]) or ():
                found.setdefault(i, []).append(k)
        return found

    def matching_lines(self, regex, max_chars: int, doc: Document, pieces: list[int] | None = None) -> list[int]:
        """Numbers of the lines `regex` matches in (in `pieces`, all by default), skipping lines longer than `max_chars` (0: no limit).

        Line numbers are counted newlines before each match from the start of
        its piece, counted incrementally: matches are few, lines are many.
        """
        lines: list[int] = []
        text = self.text
        for k in range(len(self.pieces)) if pieces is None else pieces:
            start, end, index = self.pieces[k]
            counted_to = start
            for match in regex.finditer(text, start, end):
                position = match.start()
                index += text.count(b"\n", counted_to, position)
                counted_to = position
                if (not lines or lines[-1] != index) and (not max_chars or len(doc.lines[index].text) <= max_chars):
                    lines.append(index)
        return lines

    def lines_by_rule(self, rule_set: re2.Set, pieces: dict[int, list[int]]) -> dict[int, list[int]]:
        """For each rule, the numbers of the lines it matches, each line of a piece the set found a rule in searched by the set alone.

        `pieces` is `rules_in`'s answer. The set's automaton has just read
        those lines, so a second search of each costs little of what each
        rule's own expression would (compiled, and its automata built, in every
        process: 0.17 s of a run over the 990 dev dumps, against 0.08 s).
        Only for rules whose matches on a line alone are their matches on
        that line of the text (`lines_match_alone`).
        """
        found: dict[int, list[int]] = {}
        text = self.text
        match = rule_set.Match
        for k in sorted({k for numbers in pieces.values() for k in numbers}):
            start, end, index = self.pieces[k]
            for number, line in enumerate(text[start:end].split(b"\n"), index):
                for i in match(line) or ():
                    found.setdefault(i, []).append(number)
        return found


def within_max_chars(lines: list[int], max_chars: int, doc: Document) -> list[int]:
    """The lines of `lines` no longer than `max_chars` characters (0: no limit)."""
    return [index for index in lines if len(doc.lines[index].text) <= max_chars] if max_chars else lines


# A flag group that turns multi-line mode off, as `(?-m)`, `(?i-m:` or `(?s-im)`.
MULTI_LINE_OFF = re.compile(r"\(\?[A-Za-z]*-[A-Za-z]*m")


def lines_match_alone(compiled: list[CompiledRule]) -> bool:
    """Whether every rule matches a line searched alone exactly where it matches that line in the whole text.

    No match holds a newline (`re2_options`), and `^`, `$`, `\\b` and `\\B`
    read the edge of a text as they read a newline, `^` and `$` in multi-line
    mode (`(?m)`, which every rule's expression starts in); only `\\A`, `\\z`
    and a `^` or `$` with multi-line mode turned off tell a line alone from a
    line in the text.
    """
    return not any("\\A" in rule.source or "\\z" in rule.source or MULTI_LINE_OFF.search(rule.source) for rule in compiled)


def text_pieces(text: bytes, size: int) -> list[tuple[int, int, int]]:
    """`text` cut after a line at about every `size` bytes (0: one piece): (start, end, number of the first line) each.

    >>> text_pieces(b"ab\\ncd\\nef", 2), text_pieces(b"ab\\ncd\\nef", 0), text_pieces(b"", 2)
    ([(0, 2, 0), (3, 5, 1), (6, 8, 2)], [(0, 8, 0)], [(0, 0, 0)])
    """
    if size <= 0:
        return [(0, len(text), 0)]
    pieces = []
    start = line = 0
    while True:
        end = text.find(b"\n", start + size)
        if end < 0:
            pieces.append((start, len(text), line))
            return pieces
        pieces.append((start, end, line))
        line += text.count(b"\n", start, end) + 1
        start = end + 1


def rule_set(compiled: list[CompiledRule]) -> re2.Set:
    """One RE2 set of every rule's expression, which finds in one search which rules can apply.

    A pattern can compile alone and still not fit in a set within
    `MAX_PATTERN_MEMORY` (a large counted repetition such as
    `(?:\\pL|\\pN){999}` in a search rule), and searching a set that failed to
    compile crashes the process, so a failure names the rules to blame.
    """
    rules_set = re2.Set.SearchSet(re2_options())
    for rule in compiled:
        if rules_set.Add(rule.source.encode("utf-8")) < 0:
            raise RuleFileError(f"{rule.rule.file}: rule {rule.rule.id}: RE2 cannot add its patterns to the rule set")
    try:
        rules_set.Compile()
    except re2.error:
        raise RuleFileError(set_failure(compiled)) from None
    return rules_set


def set_failure(compiled: list[CompiledRule]) -> str:
    """Why the rule set did not compile: the rules too large for it alone, else the number of rules together."""
    too_large = []
    for rule in compiled:
        alone = re2.Set.SearchSet(re2_options())
        alone.Add(rule.source.encode("utf-8"))
        try:
            alone.Compile()
        except re2.error:
            too_large.append(f"{rule.rule.file}: rule {rule.rule.id}")
    limit = f"RE2's memory limit of {MAX_PATTERN_MEMORY >> 20} MiB"
    if too_large:
        return f"{too_large[0]}: its patterns exceed {limit} once compiled (a large repetition count?); simplify them" + (
            f" (and {len(too_large) - 1} more rules)" if len(too_large) > 1 else "")
    return f"the {len(compiled)} rules together exceed {limit} once compiled; split the rule files or simplify patterns"


def compile_rule(rule: Rule) -> CompiledRule:
    return CompiledRule(rule, rule.regex_source(whole_line=rule.match == "line" and rule.kind != "strip-phrase"))


def apply_rule(doc: Document, compiled: CompiledRule, lines: list[int], boundaries: set[int]) -> None:
    rule = compiled.rule
    if rule.kind == "drop-line":
        for index in lines:
            doc.remove(index, rule.id)
    elif rule.kind == "strip-phrase":
        for index in lines:
            strip_phrase(doc, index, compiled)
    elif rule.kind == "drop-section":
        for index in lines:
            drop_section(doc, index, compiled, boundaries)
    elif rule.kind == "cut-after":
        cut_after(doc, lines, rule)
    elif rule.kind == "cut-before":
        cut_before(doc, lines, rule)


def strip_phrase(doc: Document, index: int, compiled: CompiledRule) -> None:
    line = doc.lines[index]
    if not line.kept:
        return
    stripped = " ".join(compiled.regex.sub(b"", line.text.encode("utf-8")).decode("utf-8").split())
    if not stripped:
        doc.remove(index, compiled.rule.id)
    elif stripped != line.text:
        doc.edit(index, stripped, compiled.rule.id)


def drop_section(doc: Document, heading: int, compiled: CompiledRule, boundaries: set[int]) -> None:
    rule = compiled.rule
    doc.remove(heading, rule.id, "section heading")
    for index in range(heading + 1, min(heading + 1 + rule.max_items, len(doc.lines))):
        text = doc.lines[index].text
        if index in boundaries or (compiled.until is not None and compiled.until.fullmatch(text)):
            return
        if rule.items == "headlines" and not is_headline_item(text):
            return
        doc.remove(index, rule.id, "section item")


@dataclass(frozen=True, slots=True)
class HeadlineItems:
    """What a drop-section rule with `items = "headlines"` takes for one of its items (`is_headline_item`)."""

    # An item of at most this many words that reads as a headline (`extract.reads_as_headline`, itself at most
    # 30) or ends in "?" or "!": a linked teaser's title, shorter than a headline standing alone.
    max_words: int = 25


HEADLINE_ITEMS = HeadlineItems()


def is_headline_item(text: str, *, items: HeadlineItems = HEADLINE_ITEMS) -> bool:
    """A list item that reads like a linked headline: short and not a sentence."""
    return len(text.split()) <= items.max_words and (reads_as_headline(text) or text.endswith(("?", "!")))


def word_positions(doc: Document) -> list[int]:
    """For each line, the number of words of kept prose lines before it.

    Only prose counts (see `features.is_prose`): in a page dump, hundreds of
    menu items and teaser headlines before the article would otherwise make a
    marker just above the article look as if it came after most of the text.
    """
    positions, total = [], 0
    for line in doc.lines:
        positions.append(total)
        if line.kept:
            words = word_count(line.text)
            total += words if is_prose(line.text, words) else 0
    positions.append(total)
    return positions


def cut_after(doc: Document, markers: list[int], rule: Rule) -> None:
    positions = word_positions(doc)
    total = positions[-1] or 1
    for marker in markers:
        if positions[marker] / total >= rule.min_position:
            doc.remove(marker, rule.id, "cut marker")
            for index in range(marker + 1, len(doc.lines)):
                doc.remove(index, rule.id, "after cut marker")
            return


def cut_before(doc: Document, markers: list[int], rule: Rule) -> None:
    positions = word_positions(doc)
    total = positions[-1] or 1
    for marker in reversed(markers):
        if positions[marker + 1] / total <= rule.max_position:
            for index in range(marker):
                doc.remove(index, rule.id, "before cut marker")
            doc.remove(marker, rule.id, "cut marker")
            return


# --- loading -----------------------------------------------------------------


def shipped_rules_dir() -> Path:
    """The rule files shipped with the package (`rules/` in a source checkout)."""
    spec = importlib.util.find_spec("cleaner.rules")
    if spec is not None and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0])
    return Path(__file__).resolve().parent.parent / "rules"


def rule_files(directory: Path) -> list[Path]:
    if directory.is_file():
        return [directory]
    if not directory.is_dir():
        raise RuleFileError(f"rules directory not found: {directory}")
    return sorted(p for p in directory.rglob("*.toml") if not any(part.startswith(".") for part in p.relative_to(directory).parts))


# Each rule file's rules by its path and text: a process parses and validates a text once (a run
# loads its rules to check them before it starts, then its pipeline loads them again).
_PARSED: dict[tuple[str, str], tuple[Rule, ...]] = {}


def load_rule_file(path: Path) -> list[Rule]:
    """Parse and validate one rule file: every key's type and value, every pattern; errors name the file and rule."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError(f"{path}: cannot read: {exc}") from None
    parsed = _PARSED.get((str(path), text))
    if parsed is None:
        parsed = _PARSED[(str(path), text)] = tuple(parse_rule_text(text, path))
    return list(parsed)


def parse_rule_text(text: str, path: Path) -> list[Rule]:
    """The rules of a rule file's `text` (`path` names it in errors)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileError(f"{path}: not valid TOML: {exc}") from None
    unknown = set(data) - FILE_KEYS
    if unknown:
        raise RuleFileError(f"{path}: unknown top-level key(s) {sorted(unknown)}; expected {sorted(FILE_KEYS)}")
    file_scope = parse_scope(data.get("scope", {}), path)
    entries = data.get("rules", [])
    if not isinstance(entries, list) or not entries:
        raise RuleFileError(f"{path}: no [[rules]] tables")
    return [parse_rule(entry, path, file_scope, number) for number, entry in enumerate(entries, 1)]


def parse_scope(scope: object, path: Path) -> Scope:
    """A file's `[scope]` table."""
    if not isinstance(scope, dict):
        raise RuleFileError(f"{path}: 'scope' must be a table ([scope] with domains and sources), not {toml_type(scope)}")
    if set(scope) - SCOPE_KEYS:
        raise RuleFileError(f"{path}: unknown [scope] key(s) {sorted(set(scope) - SCOPE_KEYS)}")
    for key, value in scope.items():
        check_type(value, STRINGS, f"{path}: [scope] {key!r}")
    return Scope(_strings(scope.get("domains", ())), _strings(scope.get("sources", ())))


def parse_rule(entry: object, path: Path, file_scope: Scope, number: int = 1) -> Rule:
    """One `[[rules]]` table, checked key by key (`RULE_TYPES`) before it becomes a `Rule`."""
    if not isinstance(entry, dict):
        raise RuleFileError(f"{path}: rules entry {number} must be a table ([[rules]]), not {toml_type(entry)}")
    rule_id = entry.get("id", "<no id>")
    where = f"{path}: rule {rule_id if isinstance(rule_id, str) else f'number {number}'}"
    unknown = set(entry) - RULE_KEYS
    if unknown:
        raise RuleFileError(f"{where}: unknown key(s) {sorted(unknown)}")
    for key in ("id", "description", "kind", "patterns"):
        if key not in entry:
            raise RuleFileError(f"{where}: missing key {key!r}")
    for key, value in entry.items():
        check_type(value, RULE_TYPES[key], f"{where}: {key!r}")
    if not ID_FORMAT.match(rule_id):
        raise RuleFileError(f"{where}: id must be lowercase words and a version, like 'read-more-list-v1'")
    if entry["kind"] not in KINDS:
        raise RuleFileError(f"{where}: unknown kind {entry['kind']!r}; known kinds: {', '.join(KINDS)}")
    scope = Scope(_strings(entry.get("domains", file_scope.domains)), _strings(entry.get("sources", file_scope.sources)))
    rule = Rule(
        id=rule_id,
        description=entry["description"],
        kind=entry["kind"],
        patterns=_strings(entry["patterns"]),
        file=str(path),
        scope=scope,
        match=_choice(entry.get("match", "line"), ("line", "search"), f"{where}: 'match'"),
        case_sensitive=entry.get("case_sensitive", False),
        items=_choice(entry.get("items", "headlines"), ("headlines", "any"), f"{where}: 'items'"),
        max_items=_within(entry.get("max_items", 8), 1, None, f"{where}: 'max_items'"),
        until=_strings(entry.get("until", ())),
        min_position=float(_within(entry.get("min_position", 0.3), 0, 1, f"{where}: 'min_position'")),
        max_position=float(_within(entry.get("max_position", 0.3), 0, 1, f"{where}: 'max_position'")),
        max_chars=_within(entry.get("max_chars", 0), 0, None, f"{where}: 'max_chars'"),
        drop=_strings(entry.get("drop", ())),
        keep=_strings(entry.get("keep", ())),
        example=entry.get("example", ""),
    )
    if not rule.patterns:
        raise RuleFileError(f"{where}: 'patterns' is empty")
    if not rule.drop:
        raise RuleFileError(f"{where}: needs at least one 'drop' example")
    if rule.kind in ("drop-section", "cut-after", "cut-before") and not rule.example:
        raise RuleFileError(f"{where}: kind {rule.kind} needs an 'example' document holding its drop and keep lines")
    for pattern in (*rule.patterns, *rule.until):
        problem = pattern_problem(pattern)
        if problem is not None:
            raise RuleFileError(f"{where}: bad pattern {pattern!r}: {problem}")
    return rule


def pattern_problem(pattern: str) -> str | None:
    """Why RE2 refuses `pattern` (a syntax it lacks, a mistake), or None when it parses.

    Parsed into a throwaway set, which does not compile it (a fifteenth of
    the time: the shipped rules' 94 patterns took 32 ms to compile, 2 ms to
    parse); only a refused pattern is compiled, for RE2's message. A pattern
    that parses but is too large to compile is named when the rule set is
    built (`rule_set`).
    """
    try:
        re2.Set.SearchSet(re2_options()).Add(pattern.encode("utf-8"))
        return None
    except re2.error:
        pass
    try:
        re2.compile(pattern, re2_options())
    except re2.error as exc:
        return _re2_message(exc)
    return "RE2 cannot parse it"


def check_type(value: object, expected: object, where: str) -> None:
    """Raise `RuleFileError` unless `value` has the TOML type `expected` (a bool is not a number here).

    >>> check_type(["a.com", "b.com"], STRINGS, "r.toml: rule x-v1: 'domains'")
    >>> check_type("false", bool, "r.toml: rule x-v1: 'case_sensitive'")
    Traceback (most recent call last):
    ...
    cleaner.rulebook.RuleFileError: r.toml: rule x-v1: 'case_sensitive' must be true or false, not the string 'false'
    """
    if expected is STRINGS:
        fits = isinstance(value, str) or isinstance(value, list) and all(isinstance(item, str) for item in value)
    elif expected is float:
        fits = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif expected is int:
        fits = isinstance(value, int) and not isinstance(value, bool)
    else:
        fits = isinstance(value, expected)
    if not fits:
        raise RuleFileError(f"{where} must be {TYPE_NAMES[expected]}, not {toml_type(value)}")


def toml_type(value: object) -> str:
    """How a TOML value is named in an error: its type, and the value when it is a short scalar.

    >>> toml_type(5), toml_type("false"), toml_type(True), toml_type([1, "a"]), toml_type({})
    ('the integer 5', "the string 'false'", 'the boolean true', 'an array holding a non-string (1)', 'a table')
    """
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float, str)):
        name = {int: "integer", float: "number", str: "string"}[type(value)]
        shown = repr(value)
        return f"the {name} {shown}" if len(shown) <= 40 else f"a {name}"
    if isinstance(value, list):
        odd = next((item for item in value if not isinstance(item, str)), None)
        return f"an array holding a non-string ({odd!r})" if odd is not None else "an array"
    return "a table" if isinstance(value, dict) else f"a {type(value).__name__}"


def _strings(value: object) -> tuple[str, ...]:
    """A checked `STRINGS` value as a tuple: one string is a list of one."""
    return (value,) if isinstance(value, str) else tuple(value)


def _choice(value: str, choices: tuple[str, ...], where: str) -> str:
    if value not in choices:
        raise RuleFileError(f"{where} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _within(value: float, low: float, high: float | None, where: str) -> float:
    """A checked number, refused outside [low, high] (no upper bound when `high` is None)."""
    if value < low or high is not None and value > high:
        bounds = f"at least {low}" if high is None else f"between {low} and {high}"
        raise RuleFileError(f"{where} must be {bounds}, not {value!r}")
    return value


def _re2_message(exc: Exception) -> str:
    message = exc.args[0] if exc.args else str(exc)
    return message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)


def load_rules(directories: Sequence[Path] = (), default_rules: bool = True) -> list[Rule]:
    """Shipped rules (unless turned off) then the user's; a user rule replaces a shipped one of the same id."""
    shipped = _load_dirs([shipped_rules_dir()]) if default_rules else []
    user = _load_dirs(directories)
    user_ids = {rule.id for rule in user}
    return [rule for rule in shipped if rule.id not in user_ids] + user


def _load_dirs(directories: Sequence[Path]) -> list[Rule]:
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for directory in directories:
        for path in rule_files(Path(directory)):
            for rule in load_rule_file(path):
                if rule.id in seen:
                    raise RuleFileError(f"{path}: rule {rule.id}: duplicate id (also in {seen[rule.id]})")
                seen[rule.id] = str(path)
                rules.append(rule)
    return rules


# --- examples ------------------------------------------------------------------


def check_examples(rule: Rule) -> list[str]:
    """Run a rule's own examples; return what failed (empty when all pass)."""
    book = Rulebook([replace(rule, scope=Scope())])
    if rule.example:
        return _check_example_document(book, rule)
    problems = []
    for line in rule.drop:
        doc = book.apply(_document(line))
        if rule.kind == "strip-phrase":
            if doc.text == normalize(line):
                problems.append(f"should strip a phrase from: {line!r}")
        elif doc.lines and doc.lines[0].kept:
            problems.append(f"should drop: {line!r}")
    for line in rule.keep:
        doc = book.apply(_document(line))
        if doc.text != normalize(line):
            problems.append(f"should keep unchanged: {line!r} (got {doc.text!r})")
    return problems


def _check_example_document(book: Rulebook, rule: Rule) -> list[str]:
    doc = book.apply(_document(rule.example))
    removed = {line.text for line in doc.lines if not line.kept}
    kept = {line.text for line in doc.lines if line.kept}
    problems = []
    for line in rule.drop:
        if normalize(line) not in removed:
            problems.append(f"should drop from its example: {line!r}" + ("" if normalize(line) in kept else " (not a line of the example)"))
    for line in rule.keep:
        if normalize(line) not in kept:
            problems.append(f"should keep in its example: {line!r}" + ("" if normalize(line) in removed else " (not a line of the example)"))
    return problems


def _document(text: str) -> Document:
    return Document(source="<example>", kind="text", lines=lines_from_text(normalize(text)))
