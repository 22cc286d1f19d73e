"""cleaner: scraped web pages and text dumps in, a clean, explainable JSONL corpus out.

The library API mirrors the command line::

    >>> from cleaner import clean_text
    >>> doc = clean_text("A headline\\n\\nThe first paragraph of the story.\\n")
    >>> doc.title, doc.text
    ('A headline', 'The first paragraph of the story.')
"""

__version__ = "0.1.0"

from cleaner.api import clean_html, clean_text
from cleaner.config import Config
from cleaner.document import Document, Line, Rejection

__all__ = ["Config", "Document", "Line", "Rejection", "clean_html", "clean_text", "__version__"]
