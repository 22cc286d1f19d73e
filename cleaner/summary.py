"""What a run did, counted as it goes: the summary file and the table on stderr."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from cleaner import __version__
from cleaner.config import Config
from cleaner.writer import SCHEMA_VERSION

if TYPE_CHECKING:
    from cleaner.readers import InputFile
    from cleaner.stages import CleanedBatch, ParsedBatch
    from cleaner.writer import ShardStats

MAX_LISTED_DIRECTORIES = 100


@dataclass(slots=True)
class Tally:
    """What a run did, counted from what the tasks send back (never from documents' text)."""

    files: Counter = field(default_factory=Counter)  # input files per format
    records: Counter = field(default_factory=Counter)  # records read per format
    documents_written: int = 0
    rejects: Counter = field(default_factory=Counter)
    skipped_files: Counter = field(default_factory=Counter)
    skipped_records: Counter = field(default_factory=Counter)
    chars_in: int = 0
    chars_out: int = 0
    removed_lines: Counter = field(default_factory=Counter)
    duplicates: dict[str, int] | None = None
    unreadable_directories: list[str] = field(default_factory=list)

    def count_files(self, items: Iterable[InputFile]) -> Iterator[InputFile]:
        """Pass the walk's files on, counting them per format."""
        for item in items:
            self.files[item.fmt] += 1
            yield item

    def add_cleaned(self, batch: CleanedBatch) -> None:
        self.rejects.update(batch.rejects)
        self.chars_in += batch.chars_in
        self.records.update(batch.records)
        self.skipped_records.update(batch.skipped)

    def add_parsed(self, batch: ParsedBatch) -> None:
        self.records.update(batch.records)
        self.skipped_records.update(batch.skipped)

    def add_shard(self, stats: ShardStats) -> None:
        self.documents_written += stats.documents
        self.chars_out += stats.chars_out
        self.removed_lines.update(stats.removed)

    def summary(self, config: Config, shards: list[str], seconds: float) -> dict:
        """The summary.json content; only `seconds` and `docs_per_s` vary between identical runs."""
        records = sum(self.records.values())
        formats = sorted(set(self.files) | set(self.records))
        return {
            "cleaner": __version__,
            "schema": SCHEMA_VERSION,
            "files_seen": sum(self.files.values()),
            "records_seen": records,
            "formats": {fmt: {"files": self.files[fmt], "records": self.records[fmt]} for fmt in formats},
            "documents_written": self.documents_written,
            "rejected": sum(self.rejects.values()),
            "rejects": dict(sorted(self.rejects.items())),
            "skipped_files": dict(sorted(self.skipped_files.items())),
            "skipped_records": dict(sorted(self.skipped_records.items())),
            "unreadable_directories": self.unreadable_directories[:MAX_LISTED_DIRECTORIES],
            "chars_in": self.chars_in,
            "chars_out": self.chars_out,
            "removed_lines": dict(sorted(self.removed_lines.items())),
            "duplicates": self.duplicates,
            "shards": shards,
            "config": {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(config).items()},
            "seconds": round(seconds, 3),
            "docs_per_s": round(records / seconds, 1) if seconds > 0 else None,
        }


def format_table(summary: dict) -> str:
    """A short human table of a summary, for stderr."""
    rows = [
        ("files seen", summary["files_seen"]),
        *((f"  {fmt}", f"{n['files']} files, {n['records']} records") for fmt, n in summary["formats"].items()),
        ("records seen", summary["records_seen"]),
        ("documents written", summary["documents_written"]),
        ("rejected", summary["rejected"]),
        *((f"  {reason}", n) for reason, n in summary["rejects"].items()),
        ("characters in", summary["chars_in"]),
        ("characters out", summary["chars_out"]),
        *duplicate_rows(summary["duplicates"]),
        ("lines removed", sum(summary["removed_lines"].values())),
        *((f"  {reason}", n) for reason, n in sorted(summary["removed_lines"].items(), key=lambda kv: -kv[1])[:12]),
        *((f"skipped file ({why})", n) for why, n in summary["skipped_files"].items()),
        *((f"skipped record ({why})", n) for why, n in summary["skipped_records"].items()),
        *((f"unreadable directory", path) for path in summary["unreadable_directories"]),
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
