"""`cleaner learn-rules`: the lines each site repeats, written as reviewable rule files.

Pass 1 of a run (parse and count) over the inputs, keeping a sample text for
each counted line; then, per site, the lines the repeated-lines step would
remove become `drop-line` rules (`repetition.site_rule_file`), ready to be
reviewed, edited and used with `--rules DIR`.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from cleaner.config import RunOptions
from cleaner.errors import OutputError
from cleaner.executor import LocalExecutor
from cleaner.readers import Walker
from cleaner.repetition import LineCounts, Repeats, learned_lines, site_rule_file, site_slug
from cleaner.runner import STAGED_INPUTS, StagedInputs, check_inputs, count_lines, input_units, storage_failure
from cleaner.stages import RunContext
from cleaner.writer import OutputLock


def learn_rules(options: RunOptions) -> dict[str, int]:
    """Write one rule file per site with repeated lines into `options.output`; returns rules per file."""
    check_inputs(options.inputs)
    prepare_output(options.output, options.overwrite)
    lock = OutputLock(options.output)
    try:
        return write_learned_rules(options)
    except (OSError, sqlite3.Error) as exc:
        raise OutputError(storage_failure(exc, options.output)) from None
    finally:
        lock.release()


def write_learned_rules(options: RunOptions) -> dict[str, int]:
    """Count every site's lines in a staging directory and move the rule files into the output once all are written."""
    config = options.config
    staging = Path(tempfile.mkdtemp(prefix=".cleaner-staging-", dir=options.output))
    try:
        written: dict[str, int] = {}
        with LineCounts(staging / "line-counts.sqlite") as counts:
            walker = Walker(options.include, options.exclude)
            context = RunContext(config, str(staging), keep_text=True, spill=False)
            with LocalExecutor(options.workers, config) as executor:
                count_lines(executor, input_units(walker.walk(options.inputs), config, staged=StagedInputs(staging / STAGED_INPUTS)), counts, context)
            for site, documents in counts.sites():
                lines = learned_lines(counts, site, repeats=Repeats.of(config))
                if lines:
                    name = f"{site_slug(site) or 'corpus'}.toml"
                    (staging / name).write_text(site_rule_file(site, lines, documents), encoding="utf-8")
                    written[name] = len(lines)
        if options.overwrite:
            for old in options.output.glob("*.toml"):
                old.unlink()
        for name in written:
            os.replace(staging / name, options.output / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written


def prepare_output(output: Path, overwrite: bool) -> None:
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create output directory {output}: {exc.strerror}") from None
    if any(output.glob("*.toml")) and not overwrite:
        raise OutputError(f"output directory {output} already holds rule files (use --overwrite to replace them)")
