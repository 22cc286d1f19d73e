"""The output: record schema, JSONL shards, the rejects file and the summary.

A run writes into a hidden staging directory inside the output directory
and moves its files into place only when it finishes, so an interrupted run
leaves earlier output untouched and never leaves half a corpus behind.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from cleaner import __version__
from cleaner.document import Document
from cleaner.errors import OutputError
from cleaner.filters import count_words

OUTPUT_PATTERNS = ("corpus-*.jsonl", "corpus-*.jsonl.gz", "rejects.jsonl", "duplicates.jsonl", "summary.json")
STAGING_PREFIX = ".cleaner-staging-"


def record_id(source: str, text: str) -> str:
    """A stable id: the same source and text always give the same id."""
    return hashlib.blake2b(f"{source}\0{text}".encode(), digest_size=8).hexdigest()


def record(doc: Document) -> dict:
    """The output record of a kept document, keys in the documented order."""
    text = doc.text
    return {
        "id": record_id(doc.source, text),
        "text": text,
        "title": doc.title,
        "source": doc.source,
        "url": doc.url,
        "lang": doc.lang,
        "lang_prob": doc.lang_prob,
        "n_words": count_words(text),
        "n_chars": len(text),
        "encoding": doc.encoding,
        "removed": doc.removed,
        "cleaner": __version__,
    }


def reject_entry(doc: Document) -> dict:
    assert doc.rejection is not None
    return {"source": doc.source, "reason": doc.rejection.reason, "detail": doc.rejection.detail}


def to_json_line(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False) + "\n"


class CorpusWriter:
    """Writes shards and rejects into staging; `commit` moves them into the output directory."""

    def __init__(self, output: Path, shard_size: int = 100_000, compress: str = "none", overwrite: bool = False) -> None:
        self.output = output
        self.shard_size = shard_size
        self.suffix = ".jsonl.gz" if compress == "gzip" else ".jsonl"
        self.overwrite = overwrite
        self._prepare_output()
        self.staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=output))
        self.shards: list[str] = []
        self._shard: IO[str] | None = None
        self._in_shard = 0
        self._rejects = open(self.staging / "rejects.jsonl", "w", encoding="utf-8")
        self._extra: list[str] = []

    def _prepare_output(self) -> None:
        try:
            self.output.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create output directory {self.output}: {exc.strerror}") from None
        if not os.access(self.output, os.W_OK | os.X_OK):
            raise OutputError(f"output directory {self.output} is not writable")
        visible = [p for p in self.output.iterdir() if not p.name.startswith(".")]
        if visible and not self.overwrite:
            raise OutputError(f"output directory {self.output} is not empty (use --overwrite to replace its corpus)")

    def write_record(self, line: str) -> None:
        if self._shard is None or self._in_shard >= self.shard_size:
            self._open_next_shard()
        assert self._shard is not None
        self._shard.write(line)
        self._in_shard += 1

    def write_reject(self, line: str) -> None:
        self._rejects.write(line)

    def write_duplicates(self, lines: Iterable[str]) -> None:
        """The deduplication report, one cluster a line (see `dedup.DuplicateHold.report_lines`)."""
        with open(self.staging / "duplicates.jsonl", "w", encoding="utf-8") as report:
            report.writelines(lines)
        self._extra.append("duplicates.jsonl")

    def _open_next_shard(self) -> None:
        self._close_shard()
        name = f"corpus-{len(self.shards):05d}{self.suffix}"
        self.shards.append(name)
        path = self.staging / name
        if self.suffix.endswith(".gz"):
            # mtime=0 keeps compressed shards byte-identical across runs.
            self._shard = io.TextIOWrapper(gzip.GzipFile(path, "wb", mtime=0), encoding="utf-8")
        else:
            self._shard = open(path, "w", encoding="utf-8")
        self._in_shard = 0

    def _close_shard(self) -> None:
        if self._shard is not None:
            self._shard.close()
            self._shard = None

    def commit(self, summary: dict) -> None:
        """Close everything, replace earlier output and move the new files into place."""
        self._close_shard()
        self._rejects.close()
        (self.staging / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if self.overwrite:
            for pattern in OUTPUT_PATTERNS:
                for old in self.output.glob(pattern):
                    old.unlink()
        for name in [*self.shards, "rejects.jsonl", *self._extra, "summary.json"]:
            os.replace(self.staging / name, self.output / name)
        shutil.rmtree(self.staging, ignore_errors=True)

    def abort(self) -> None:
        """Drop everything this run wrote; earlier output stays as it was."""
        self._close_shard()
        self._rejects.close()
        shutil.rmtree(self.staging, ignore_errors=True)

