"""What a run did, counted as it goes: the summary file and the table on stderr."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from cleaner import __version__
from cleaner.config import Config

if TYPE_CHECKING:
    from cleaner.dedup import Signature


@dataclass(slots=True)
class Outcome:
    """What one input file became, small enough to send back from a worker.

    A kept document also carries what deduplication needs: its signature,
    record id and word count.
    """

    source: str
    record_line: str | None = None
    reject_line: str | None = None
    reason: str | None = None
    chars_in: int = 0
    chars_out: int = 0
    removed: dict[str, int] = field(default_factory=dict)
    signature: Signature | None = None
    record_id: str = ""
    n_words: int = 0


@dataclass(slots=True)
class Tally:
    files_seen: int = 0
    documents_written: int = 0
    rejects: Counter = field(default_factory=Counter)
    chars_in: int = 0
    chars_out: int = 0
    removed_lines: Counter = field(default_factory=Counter)
    duplicates: dict[str, int] | None = None

    def add(self, outcome: Outcome) -> None:
        self.files_seen += 1
        self.chars_in += outcome.chars_in
        if outcome.record_line is not None:
            self.documents_written += 1
            self.chars_out += outcome.chars_out
            self.removed_lines.update(outcome.removed)
        else:
            self.rejects[outcome.reason or "failed"] += 1

    def summary(self, config: Config, skipped: Counter, shards: list[str], seconds: float) -> dict:
        """The summary.json content; only `seconds` and `docs_per_s` vary between identical runs."""
        return {
            "cleaner": __version__,
            "files_seen": self.files_seen,
            "documents_written": self.documents_written,
            "rejected": sum(self.rejects.values()),
            "rejects": dict(sorted(self.rejects.items())),
            "skipped": dict(sorted(skipped.items())),
            "chars_in": self.chars_in,
            "chars_out": self.chars_out,
            "removed_lines": dict(sorted(self.removed_lines.items())),
            "duplicates": self.duplicates,
            "shards": shards,
            "config": {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(config).items()},
            "seconds": round(seconds, 3),
            "docs_per_s": round(self.files_seen / seconds, 1) if seconds > 0 else None,
        }


def format_table(summary: dict) -> str:
    """A short human table of a summary, for stderr."""
    rows = [
        ("files seen", summary["files_seen"]),
        ("documents written", summary["documents_written"]),
        ("rejected", summary["rejected"]),
        *((f"  {reason}", n) for reason, n in summary["rejects"].items()),
        ("characters in", summary["chars_in"]),
        ("characters out", summary["chars_out"]),
        *duplicate_rows(summary["duplicates"]),
        ("lines removed", sum(summary["removed_lines"].values())),
        *((f"  {reason}", n) for reason, n in sorted(summary["removed_lines"].items(), key=lambda kv: -kv[1])[:12]),
        *((f"skipped ({why})", n) for why, n in summary["skipped"].items()),
        ("seconds", summary["seconds"]),
        ("docs/s", summary["docs_per_s"]),
    ]
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)


def duplicate_rows(duplicates: dict[str, int] | None) -> list[tuple[str, object]]:
    if duplicates is None:
        return [("deduplication", "off")]
    return [
        ("duplicate clusters", duplicates["clusters"]),
        ("  exact copies removed", duplicates["exact"]),
        ("  near duplicates removed", duplicates["near"]),
    ]
