"""cleaner: scraped web pages and text dumps in, a clean, explainable JSONL corpus out.

The library API mirrors the command line::

    >>> from cleaner import clean_text
    >>> doc = clean_text("A headline\\n\\nThe first paragraph of the story.\\n")
    >>> doc.title, doc.text
    ('A headline', 'The first paragraph of the story.')
"""

__version__ = "0.1.0"

from cleaner.config import Config
from cleaner.document import Document, Line, Rejection

__all__ = ["Config", "Document", "Line", "Rejection", "clean_html", "clean_text", "__version__"]


def __getattr__(name: str):
    """`clean_text` and `clean_html` load the extractor and language profiles: only when asked for (PEP 562).

    So a process that only schedules work, as a run's parent does, never imports them.
    """
    if name in ("clean_html", "clean_text"):
        from cleaner import api

        return getattr(api, name)
    raise AttributeError(f"module 'cleaner' has no attribute {name!r}")
