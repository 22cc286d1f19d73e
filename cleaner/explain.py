"""`cleaner explain`: a document line by line, each line kept or removed and why.

A text dump's first line taken as the title (`Document.headline`) is not a
body line, but it left the text: it is shown first, removed as `title`
(numbered 0 in `--json`, so the body lines keep their numbers). Comments an
extractor gave apart from the body (`--comments field`) follow the lines.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from cleaner.config import Config
from cleaner.document import Document, Line
from cleaner.pipeline import Pipeline
from cleaner.errors import ConfigError
from cleaner.readers import Walker, input_format, input_labels, sniff_kind, source_name
from cleaner.records import FILE

GREEN, RED, DIM, RESET = "\033[32m", "\033[31m", "\033[2m", "\033[0m"
TITLE = "title"
TITLE_NOTE = "the first line, taken as the title"


def explain_file(path: Path, config: Config, corpus: tuple[Path, ...] = ()) -> Document:
    """Clean one file and return the document with every line's fate.

    With `corpus` (files or directories, the file among them or beside
    them), the sites' lines are counted over the corpus first, so lines the
    file's site repeats are removed as `repeated` with their counts. The
    file's source and site are then taken as the corpus walk names them.
    """
    fmt, kind = input_format(path.name) or (FILE, sniff_kind(path))
    if fmt != FILE:
        raise ConfigError(f"explain takes a single-document file (.txt, .html); {path.name} is a {fmt} file of many records")
    if not corpus or config.site_by == "none":
        return Pipeline(config).process_file(path, source_name(path.name), kind)
    # Imported here: the count pass's machinery (executor, stages, deduplication) only `--corpus` needs.
    from cleaner.executor import LocalExecutor
    from cleaner.repetition import LineCounts
    from cleaner.runner import STAGED_INPUTS, StagedInputs, count_lines, input_units
    from cleaner.stages import RunContext

    source = source_in_corpus(path, corpus)
    with tempfile.TemporaryDirectory(prefix="cleaner-explain-") as scratch:
        with LineCounts(Path(scratch) / "line-counts.sqlite") as counts:
            context = RunContext(config, scratch, spill=False)
            with LocalExecutor(1, config) as executor:
                count_lines(executor, input_units(Walker().walk(corpus), config, staged=StagedInputs(Path(scratch) / STAGED_INPUTS)), counts, context)
            return Pipeline(config, line_counts=counts).process_file(path, source, kind)


def source_in_corpus(path: Path, corpus: tuple[Path, ...]) -> str:
    """The file's source as a run over `corpus` names it: its path relative to the input directory holding it."""
    target = path.resolve()
    for root, label in zip(corpus, input_labels(corpus)):
        real_root = root.resolve()
        if root.is_dir() and real_root in target.parents:
            relative = source_name(target.relative_to(real_root).as_posix())
            return f"{label}/{relative}" if label else relative
        if label and real_root == target:
            return label
    return source_name(path.name)


def render_explanation(path: Path, config: Config, corpus: tuple[Path, ...] = (), as_json: bool = False, color: bool = False) -> str:
    doc = explain_file(path, config, corpus)
    return explanation_json(doc) if as_json else explanation_text(doc, color)


def explanation_json(doc: Document) -> str:
    payload = {
        "source": doc.source,
        "title": doc.title,
        "lang": doc.lang,
        "rejection": None if doc.rejection is None else {"reason": doc.rejection.reason, "detail": doc.rejection.detail},
        "removed": doc.removed,
        "lines": [
            {"n": n, "kept": line.kept, "reason": line.removed_by, "note": line.note, "text": line.text,
             "edits": [{"reason": reason, "before": before} for reason, before in line.edits]}
            for n, line in enumerate(doc.lines, 1)
        ],
    }
    if doc.headline:
        payload["lines"].insert(0, {"n": 0, "kept": False, "reason": TITLE, "note": TITLE_NOTE, "text": doc.headline, "edits": []})
    if doc.comments:
        payload["comments"] = doc.comments
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def line_label(line: Line) -> str:
    return "kept" if line.removed_by is None else line.removed_by


def explanation_text(doc: Document, color: bool) -> str:
    def paint(code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if color else text

    out = [paint(DIM, f"# {doc.source}  kind={doc.kind}  lang={doc.lang}  title={doc.title!r}")]
    if doc.rejection is not None:
        out.append(paint(RED, f"# rejected: {doc.rejection.reason}: {doc.rejection.detail}"))
    labels = [line_label(line) for line in doc.lines]
    width = max((len(label) for label in [*labels, *([TITLE] if doc.headline else [])]), default=4)
    if doc.headline:
        out.append(paint(RED, f"- {TITLE:<{width}} | ") + paint(DIM, doc.headline) + paint(DIM, f"  [{TITLE_NOTE}]"))
    for line, label in zip(doc.lines, labels):
        if line.para_start:
            out.append("")
        if not line.kept:
            note = paint(DIM, f"  [{line.note}]") if line.note else ""
            out.append(paint(RED, f"- {label:<{width}} | ") + paint(DIM, line.text) + note)
            continue
        for reason, before in line.edits:
            out.append(paint(DIM, f"~ {reason:<{width}} | was: {before}"))
        out.append(paint(GREEN, f"+ {label:<{width}} | ") + line.text)
    if doc.comments:
        out.append("")
        out.append(paint(DIM, "# comments the extractor gave apart from the body (the record's `comments` field):"))
        out.extend(paint(DIM, f"c {'comment':<{width}} | ") + text for text in doc.comments)
    return "\n".join(out) + "\n"
