"""cleaner: scraped web pages and text dumps in, a clean, explainable JSONL corpus out.

The library API mirrors the command line::

    >>> from cleaner import clean_text
    >>> doc = clean_text("A headline\\n\\nThe first paragraph of the story.\\n")
    >>> doc.title, doc.text
    ('A headline', 'The first paragraph of the story.')
"""

__version__ = "0.1.0"

__all__ = ["Config", "Document", "Line", "Rejection", "clean_html", "clean_text", "__version__"]

# Where each public name lives. They load on first use (PEP 562): `clean_text` and `clean_html` load the
# extractor and language profiles, which a process that only schedules work, as a run's parent does, never
# needs; and `cleaner run` starts itself again under the allocator (`cleaner/allocator.py`) before it imports
# anything, so the modules the process it replaces would import for nothing (the configuration's dataclasses
# and `inspect`, about 20 ms) wait for the process that uses them.
LAZY = {
    "Config": "cleaner.config",
    "Document": "cleaner.document",
    "Line": "cleaner.document",
    "Rejection": "cleaner.document",
    "clean_html": "cleaner.api",
    "clean_text": "cleaner.api",
}


def __getattr__(name: str):
    """The public name `name`, imported from its module when first asked for."""
    if name in LAZY:
        from importlib import import_module

        value = getattr(import_module(LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'cleaner' has no attribute {name!r}")
