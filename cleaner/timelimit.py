"""A time limit on the work spent on one document.

A page can make an extractor run for minutes (trafilatura's own issues
report pages that never finish), and one such page would stall a whole run.
`time_limit` arms a timer (`SIGALRM` through `setitimer`) around a block and
raises `TimeLimitExceeded` inside it when the timer fires; the pipeline
turns that into a `timeout` rejection and the run goes on. The timer fires
again every second (or sooner, for a shorter limit) until the block ends,
so library code that catches every exception cannot swallow the limit.

Signals reach only the main thread, and only where the platform has
`setitimer` (not on Windows). Elsewhere, and with a limit of 0, the block
runs without a limit. The block is interrupted between two Python
bytecodes, so a single long call into C code ends before the limit acts.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class TimeLimitExceeded(Exception):
    """The block ran longer than its limit."""


def limits_available() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float, stated: float | None = None) -> Iterator[None]:
    """Raise `TimeLimitExceeded` in the block once it has run `seconds` (0: no limit).

    `stated` is the limit the message names, when `seconds` is what is left
    of it (a document's limit spread over several blocks).
    """
    if seconds <= 0 or not limits_available():
        yield
        return
    armed = True
    named = seconds if stated is None else stated

    def expire(_signum: int, _frame: object) -> None:
        if armed:
            raise TimeLimitExceeded(f"took longer than {named:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, min(seconds, 1.0))
    try:
        yield
    finally:
        armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
