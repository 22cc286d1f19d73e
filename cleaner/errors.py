"""Exceptions, grouped by what the caller should do about them.

- `ConfigError`: the options or rule files are wrong; stop before the run.
- `OutputError`: the output cannot be written; stop the run.
- `RunError`: the run itself broke (a worker process died); stop the run.
- `InputError`: one input file cannot be used; record it in the rejects and go on.
- `Terminated`: the process got SIGTERM; abort like Ctrl-C (it is a `KeyboardInterrupt`).
"""


class CleanerError(Exception):
    """Base of every error the cleaner raises on purpose."""


class ConfigError(CleanerError):
    """Bad options or a bad rule file: nothing can run until it is fixed."""


class OutputError(CleanerError):
    """The output directory cannot be used."""


class RunError(CleanerError):
    """The run cannot go on: a worker process died."""


class InputError(CleanerError):
    """One input cannot be turned into a document; `reason` is the rejects code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so a terminated run aborts as an interrupted one does (exit 143)."""
