"""Document-level decisions: keep, or reject with a reason.

Each filter looks at a cleaned document and returns None to keep it or a
`Rejection` whose code goes to the rejects file.
"""

from __future__ import annotations

from cleaner.config import Config
from cleaner.document import Document, Rejection
from cleaner.features import word_count


def reject_empty(doc: Document, config: Config) -> Rejection | None:
    if None not in doc.reasons():  # no line kept
        removed = doc.removed
        detail = "every line was removed (" + ", ".join(f"{k}: {v}" for k, v in removed.items()) + ")" if removed else "no text"
        return Rejection("empty", detail)
    return None


def reject_short(doc: Document, config: Config) -> Rejection | None:
    words = doc.words(word_count)
    if words < config.min_words:
        return Rejection("too_short", f"{words} words < --min-words {config.min_words}")
    return None


def reject_language(doc: Document, config: Config) -> Rejection | None:
    if config.langs and doc.lang not in config.langs:
        wanted = ",".join(config.langs)
        return Rejection("language", f"detected {doc.lang} (p={doc.lang_prob:.2f}), wanted {wanted}")
    return None


FILTERS = (reject_empty, reject_short, reject_language)
