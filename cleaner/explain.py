"""`cleaner explain`: a document line by line, each line kept or removed and why."""

from __future__ import annotations

import json
from pathlib import Path

from cleaner.config import Config
from cleaner.document import Document, Line
from cleaner.pipeline import Pipeline
from cleaner.readers import InputFile, input_kind, sniff_kind

GREEN, RED, DIM, RESET = "\033[32m", "\033[31m", "\033[2m", "\033[0m"


def explain_file(path: Path, config: Config) -> Document:
    """Clean one file and return the document with every line's fate."""
    kind = input_kind(path.name) or sniff_kind(path)
    return Pipeline(config).process(InputFile(path, path.name, kind))


def render_explanation(path: Path, config: Config, as_json: bool = False, color: bool = False) -> str:
    doc = explain_file(path, config)
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
    width = max((len(label) for label in labels), default=4)
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
    return "\n".join(out) + "\n"
