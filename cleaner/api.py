"""Library entry points: clean one text or one HTML page inside another program."""

from __future__ import annotations

from cleaner.config import Config
from cleaner.document import Document, Rejection
from cleaner.errors import InputError
from cleaner.pipeline import Pipeline
from cleaner.readers import decode

_pipelines: dict[Config, Pipeline] = {}


def _pipeline(config: Config | None) -> Pipeline:
    """A pipeline per configuration, built once: loading language profiles takes a second."""
    config = config or Config()
    if config not in _pipelines:
        _pipelines[config] = Pipeline(config)
    return _pipelines[config]


def clean_text(text: str, source: str = "<text>", config: Config | None = None) -> Document:
    """Clean a plain-text document.

    Returns the `Document`: `.text` (the cleaned body), `.title`, `.lang`,
    `.lines` (every line with `removed_by`), `.removed` (counts per reason)
    and `.rejection` (why a batch run would reject it, or None).
    """
    pipeline = _pipeline(config)
    return pipeline.clean(pipeline.parse(text, source, "text"))


def clean_html(html: str | bytes, url: str = "", source: str = "<html>", config: Config | None = None) -> Document:
    """Clean an HTML page: main text with trafilatura, then the same cleaning as text."""
    pipeline = _pipeline(config)
    try:
        text, encoding = decode(html, "html") if isinstance(html, bytes) else (html, "")
        doc = pipeline.parse(text, source, "html", encoding=encoding, url=url)
    except InputError as exc:
        doc = Document(source=source, kind="html", url=url)
        doc.rejection = Rejection(exc.reason, exc.detail)
        return doc
    return pipeline.clean(doc)
