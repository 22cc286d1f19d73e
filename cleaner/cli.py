"""The `cleaner` command: arguments in, exit codes out; no processing here.

Building the parser imports only light modules (the option choices): each
command imports what it uses when it runs, so `cleaner --help` and
`cleaner rules list` load no extractor, language model or worker machinery
(`tests/test_cli.py` checks it).

Exit status: 0 done, 2 bad usage, a missing input or an unusable output
(one line on stderr, no traceback), 130 interrupted (SIGINT, Ctrl-C), 143
terminated (SIGTERM: 128 + 15, as a shell reports a process SIGTERM killed).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from cleaner import __version__
from cleaner.allocator import ALLOCATING_COMMANDS, restart_with_allocator
from cleaner.config import COMMENTS_CHOICES, FAVOR_CHOICES, OUTPUT_FORMATS, SITE_MODES, Config, RunOptions
from cleaner.errors import CleanerError, Terminated
from cleaner.locations import location
from cleaner.extract import EXTRACTORS
from cleaner.second import SECOND_EXTRACTORS

# NumPy's OpenBLAS starts a pool of threads when NumPy is first imported (in each worker too), which on the
# 2-core dev machine took 60 ms of the import (190 ms -> 130 ms, medians of 10 `import numpy`). The cleaner
# does no linear algebra (its NumPy work is element-wise), so the command line asks for one thread unless
# the user set a number; the library (`cleaner.api`) leaves the environment alone.
BLAS_THREADS = {"OPENBLAS_NUM_THREADS": "1"}


def main(argv: list[str] | None = None) -> int:
    for name, value in BLAS_THREADS.items():
        os.environ.setdefault(name, value)
    parser = build_parser()
    args = parser.parse_args(argv)
    args.own_process = argv is None  # run as the program (`cleaner`, `python -m cleaner`), not called by a library's user
    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        if args.own_process and args.command in ALLOCATING_COMMANDS:
            restart_with_allocator()
        return args.handler(args)
    except CleanerError as exc:
        print(f"cleaner: error: {exc}", file=sys.stderr)
        return 2
    except Terminated:
        print("cleaner: terminated", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("cleaner: interrupted", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)


def raise_terminated(signum: int, frame: object) -> None:
    """SIGTERM handler: unwind the main thread, so the run aborts cleanly (workers stopped, staging removed)."""
    raise Terminated()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cleaner", description="Clean scraped web pages and text dumps into a JSONL training corpus.")
    parser.add_argument("--version", action="version", version=f"cleaner {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run_parser = commands.add_parser("run", help="clean files and directories into a JSONL corpus")
    add_input_options(run_parser, "output directory, or a URL", output_type=location)
    run_parser.add_argument("--shard-size", type=positive_int, default=100_000, metavar="N", help="records per corpus shard (default 100000)")
    run_parser.add_argument("--format", choices=OUTPUT_FORMATS, default="jsonl", help="corpus shards as JSONL or as zstd-compressed Parquet (default jsonl)")
    run_parser.add_argument("--compress", choices=("none", "gzip"), default="none", help="write .jsonl.gz shards")
    run_parser.add_argument("--overwrite", action="store_true", help="replace the corpus in a non-empty output directory")
    run_parser.add_argument("--resume", action="store_true", help="continue a run into this output directory that was killed or failed, with the same options and inputs, without redoing its finished tasks")
    run_parser.add_argument("--scratch", type=Path, default=None, metavar="DIR",
                            help="put the run's intermediate files (parsed documents, line counts, part files, signatures) under DIR, "
                                 "e.g. a fast disk; with --executor ray a path every node reaches (default: inside the output directory)")
    add_executor_options(run_parser)
    report_data = run_parser.add_mutually_exclusive_group()
    report_data.add_argument("--report", action="store_true", help="also write report.html into the output directory at the end of the run (see `cleaner report`)")
    report_data.add_argument("--no-report-data", action="store_true", help="do not keep the sample and statistics `cleaner report` draws (report-data.json.gz)")
    progress = run_parser.add_mutually_exclusive_group()
    progress.add_argument("--progress", action="store_true", default=None, help="show a progress bar even when stderr is not a terminal")
    progress.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary table")
    add_cleaning_options(run_parser)
    add_dedup_options(run_parser)
    run_parser.set_defaults(handler=command_run)

    report_parser = commands.add_parser("dedup-report", help="list the duplicate clusters a run removed, for review")
    report_parser.add_argument("corpus", type=Path, metavar="DIR", help="a run's output directory")
    report_parser.add_argument("--below", type=share, default=1.0, metavar="F", help="only clusters with a removed document estimated below this similarity (default: all)")
    report_parser.add_argument("--limit", type=positive_int, default=None, metavar="N", help="show at most N clusters, largest first")
    report_parser.set_defaults(handler=command_dedup_report)

    html_parser = commands.add_parser("report", help="write a run's report: one self-contained HTML file of charts, rules and sampled documents")
    html_parser.add_argument("corpus", type=Path, metavar="OUTPUT_DIR", help="a run's output directory")
    html_parser.add_argument("-o", "--output", type=Path, default=None, metavar="FILE", help="where to write the report (default OUTPUT_DIR/report.html)")
    html_parser.set_defaults(handler=command_report)

    explain_parser = commands.add_parser("explain", help="show a file line by line with why each line was kept or removed")
    explain_parser.add_argument("file", type=Path, metavar="FILE")
    explain_parser.add_argument("--json", action="store_true", help="machine-readable output")
    explain_parser.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour the output (default: on a terminal)")
    explain_parser.add_argument("--corpus", action="append", type=Path, default=[], metavar="INPUT", help="count the sites' repeated lines over these files or directories first (repeatable), so `repeated` removals show")
    add_cleaning_options(explain_parser)
    explain_parser.set_defaults(handler=command_explain)

    learn_parser = commands.add_parser("learn-rules", help="write, per site, a rule file of the lines the site's pages repeat")
    add_input_options(learn_parser, "directory for the rule files")
    learn_parser.add_argument("--overwrite", action="store_true", help="replace the rule files in the output directory")
    add_cleaning_options(learn_parser)
    learn_parser.set_defaults(handler=command_learn_rules)

    rules_parser = commands.add_parser("rules", help="work with rule files")
    rules_commands = rules_parser.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    check_parser = rules_commands.add_parser("check", help="validate rule files and run every rule's examples")
    check_parser.add_argument("dirs", nargs="*", type=Path, metavar="DIR", help="rule directories or files (default: the shipped rules)")
    check_parser.set_defaults(handler=command_rules_check)
    list_parser = rules_commands.add_parser("list", help="list the rules a run would use")
    add_rule_options(list_parser)
    list_parser.set_defaults(handler=command_rules_list)
    return parser


def add_input_options(parser: argparse.ArgumentParser, output_help: str, output_type: Callable = Path) -> None:
    parser.add_argument("inputs", nargs="+", type=location, metavar="INPUT", help="files or directories (walked recursively), or URLs (s3://, gs://, any fsspec filesystem)")
    parser.add_argument("-o", "--output", type=output_type, required=True, metavar="DIR", help=output_help)
    parser.add_argument("--include", action="append", default=[], metavar="GLOB", help="only files whose relative path or name matches (repeatable)")
    parser.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="skip files whose relative path or name matches (repeatable)")
    parser.add_argument("--workers", type=positive_int, default=os.cpu_count() or 1, metavar="N", help="worker processes (default: all cores)")


def add_executor_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--executor", choices=("local", "ray"), default="local",
                        help="local: a process pool on this machine (default); ray: Ray tasks (pip install 'cleaner[ray]')")
    parser.add_argument("--ray-address", default=None, metavar="ADDR",
                        help="with --executor ray: join the cluster at ADDR (auto, HOST:PORT, ray://HOST:PORT); default: start Ray here on --workers CPUs")


def add_cleaning_options(parser: argparse.ArgumentParser) -> None:
    defaults = Config()
    group = parser.add_argument_group("cleaning")
    group.add_argument("--min-words", type=non_negative_int, default=defaults.min_words, metavar="N", help=f"reject documents with fewer words after cleaning (default {defaults.min_words})")
    group.add_argument("--lang", type=language_list, default=(), metavar="CODES", help="keep only these languages, e.g. en,de (default: all)")
    group.add_argument("--max-bytes", type=positive_int, default=defaults.max_bytes, metavar="N", help=f"reject inputs larger than this once decompressed (default {defaults.max_bytes})")
    group.add_argument("--time-limit", type=seconds, default=defaults.time_limit, metavar="S", help=f"reject a document that takes longer than this to read and extract, or to clean, as `timeout` (0: no limit; default {defaults.time_limit:g})")
    group.add_argument("--favor", choices=FAVOR_CHOICES, default=defaults.favor, help="prefer precision or recall when cutting doubtful text (default balanced)")
    group.add_argument("--no-heuristics", action="store_true", help="do not run the rule-free heuristics, only the rule files")
    group.add_argument("--comments", choices=COMMENTS_CHOICES, default=defaults.comments, help=f"readers' comment threads: drop them from the text, keep them in it, or put them in a separate 'comments' field of each record (text as with drop; default {defaults.comments})")
    group.add_argument("--extractor", choices=tuple(EXTRACTORS), default=defaults.extractor, help=f"the HTML main-text extractor; metadata comes from the page's declarations with either (default {defaults.extractor})")
    group.add_argument("--second-extractor", choices=SECOND_EXTRACTORS, default=defaults.second_extractor, help=f"a second HTML extractor whose prose the first lacks is added, or none (default {defaults.second_extractor})")
    add_repetition_options(group)
    add_rule_options(group)
    add_field_options(parser)


def add_field_options(parser: argparse.ArgumentParser) -> None:
    defaults = Config()
    group = parser.add_argument_group("JSONL and Parquet inputs")
    group.add_argument("--text-field", default=defaults.text_field, metavar="NAME", help=f"the field holding a record's text (default {defaults.text_field})")
    group.add_argument("--html-field", default=defaults.html_field, metavar="NAME", help="a field holding raw HTML, extracted like a page when present (default: none)")
    group.add_argument("--id-field", default=defaults.id_field, metavar="NAME", help=f"the field holding a record's id (default {defaults.id_field})")


def add_repetition_options(parser) -> None:
    defaults = Config()
    parser.add_argument("--site-by", choices=SITE_MODES, default=defaults.site_by, help="group documents into sites for repeated-line removal: URL host, source folder, auto (host if known, else folder) or none (no repetition pass)")
    parser.add_argument("--repeat-min-docs", type=at_least_two, default=defaults.repeat_min_docs, metavar="N", help=f"a repeated line is in at least N of its site's documents (default {defaults.repeat_min_docs})")
    parser.add_argument("--repeat-min-share", type=share, default=defaults.repeat_min_share, metavar="F", help=f"... and in at least this share of them (default {defaults.repeat_min_share})")


def add_dedup_options(parser: argparse.ArgumentParser) -> None:
    defaults = Config()
    group = parser.add_argument_group("deduplication")
    group.add_argument("--no-dedup", action="store_true", help="keep exact and near-duplicate documents")
    group.add_argument("--dedup-threshold", type=share, default=defaults.dedup_threshold, metavar="J", help=f"estimated Jaccard similarity of word shingles at which documents are near duplicates (default {defaults.dedup_threshold})")
    group.add_argument("--dedup-shingle", type=positive_int, default=defaults.dedup_shingle, metavar="N", help=f"words per shingle (default {defaults.dedup_shingle})")


def add_rule_options(parser) -> None:
    parser.add_argument("--rules", action="append", type=Path, default=[], metavar="DIR", help="also apply the rule files in DIR (repeatable); a rule with a shipped rule's id replaces it")
    parser.add_argument("--no-default-rules", action="store_true", help="do not apply the rule files shipped with the cleaner")


def config_from(args: argparse.Namespace) -> Config:
    """The cleaning options; rule files are loaded here once so a bad one stops the run before it starts.

    Deduplication options exist on `run` only; the other commands keep the defaults.
    """
    defaults = Config()
    config = Config(
        min_words=args.min_words,
        langs=args.lang,
        max_bytes=args.max_bytes,
        time_limit=args.time_limit,
        favor=args.favor,
        rule_dirs=tuple(str(path) for path in args.rules),
        default_rules=not args.no_default_rules,
        heuristics=not args.no_heuristics,
        extractor=args.extractor,
        second_extractor=args.second_extractor,
        comments=args.comments,
        site_by=args.site_by,
        repeat_min_docs=args.repeat_min_docs,
        repeat_min_share=args.repeat_min_share,
        text_field=args.text_field,
        html_field=args.html_field,
        id_field=args.id_field,
        dedup=not getattr(args, "no_dedup", False),
        dedup_threshold=getattr(args, "dedup_threshold", defaults.dedup_threshold),
        dedup_shingle=getattr(args, "dedup_shingle", defaults.dedup_shingle),
    )
    from cleaner.rulebook import load_rules

    load_rules(args.rules, config.default_rules)
    return config


def run_options_from(args: argparse.Namespace, **extra: object) -> RunOptions:
    """The options shared by the commands that walk inputs (see `add_input_options`)."""
    return RunOptions(
        inputs=tuple(args.inputs),
        output=args.output,
        include=tuple(args.include),
        exclude=tuple(args.exclude),
        workers=args.workers,
        overwrite=args.overwrite,
        config=config_from(args),
        **extra,
    )


def command_run(args: argparse.Namespace) -> int:
    from cleaner.runner import print_summary, run

    show_progress = not args.quiet and (args.progress or sys.stderr.isatty())
    options = run_options_from(
        args, shard_size=args.shard_size, format=args.format, compress=args.compress, progress=bool(show_progress),
        resume=args.resume, scratch=args.scratch,
        executor=args.executor, ray_address=args.ray_address, report_data=not args.no_report_data, own_process=args.own_process,
    )
    summary = run(options)
    if not args.quiet:
        print_summary(summary)
    if args.report:
        from cleaner.report import write_report

        path = write_report(args.output)
        if not args.quiet:
            print(f"report: {path}", file=sys.stderr)
    return 0


def command_dedup_report(args: argparse.Namespace) -> int:
    from cleaner.dedup import render_dedup_report

    sys.stdout.write(render_dedup_report(args.corpus, below=args.below, limit=args.limit))
    return 0


def command_report(args: argparse.Namespace) -> int:
    from cleaner.report import write_report

    print(write_report(args.corpus, args.output))
    return 0


def command_explain(args: argparse.Namespace) -> int:
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and not args.json)
    if not args.file.is_file():
        raise CleanerError(f"not a file: {args.file}")
    from cleaner.explain import render_explanation

    explanation = render_explanation(args.file, config_from(args), tuple(args.corpus), as_json=args.json, color=color)
    sys.stdout.write(explanation)
    return 0


def command_learn_rules(args: argparse.Namespace) -> int:
    from cleaner.learn import learn_rules

    written = learn_rules(run_options_from(args))
    for name, rules in sorted(written.items()):
        print(f"{args.output / name}: {rules} rules")
    print(f"{len(written)} rule files, {sum(written.values())} rules", file=sys.stderr)
    return 0


def command_rules_check(args: argparse.Namespace) -> int:
    """Validate rule files and run their examples; exit 1 when an example fails."""
    from cleaner.rulebook import check_examples, load_rules

    rules = load_rules(args.dirs, default_rules=not args.dirs)
    failures = 0
    for rule in rules:
        for problem in check_examples(rule):
            failures += 1
            print(f"{rule.file}: rule {rule.id}: {problem}", file=sys.stderr)
    examples = sum(len(rule.drop) + len(rule.keep) for rule in rules)
    print(f"{len(rules)} rules, {examples} examples, {failures} failed")
    return 1 if failures else 0


def command_rules_list(args: argparse.Namespace) -> int:
    from cleaner.rulebook import load_rules

    for rule in load_rules(args.rules, not args.no_default_rules):
        print(f"{rule.id:<28} {rule.kind:<13} {rule.description}")
    return 0


def whole_number_at_least(minimum: int, why: str = "") -> Callable[[str], int]:
    """An argparse type: a whole number no smaller than `minimum`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}{why}: {text}")
        return value

    return parse


positive_int = whole_number_at_least(1)
non_negative_int = whole_number_at_least(0)
at_least_two = whole_number_at_least(2, " (a line in one document repeats nothing)")


def number_where(accepts: Callable[[float], bool], rule: str) -> Callable[[str], float]:
    """An argparse type: a number that `accepts`, which `rule` describes."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text}") from None
        if not accepts(value):
            raise argparse.ArgumentTypeError(f"{rule}: {text}")
        return value

    return parse


share = number_where(lambda value: 0.0 < value <= 1.0, "must be more than 0 and at most 1")
seconds = number_where(lambda value: 0.0 <= value < float("inf"), "must be 0 (no limit) or more")


def language_list(text: str) -> tuple[str, ...]:
    codes = tuple(sorted({code.strip().lower() for code in text.split(",") if code.strip()}))
    if not codes or not all(code.isalpha() and 2 <= len(code) <= 3 for code in codes):
        raise argparse.ArgumentTypeError(f"expected language codes like en,de: {text}")
    return codes


if __name__ == "__main__":
    sys.exit(main())
