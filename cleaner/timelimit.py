"""A time limit on the work spent on one document.

A page can make an extractor run for minutes (trafilatura's own issues
report pages that never finish), and one such page would stall a whole run.
An `Alarm` installs a `SIGALRM` handler and arms a timer (`setitimer`)
around each block it runs; when the timer fires, `TimeLimitExceeded` is
raised inside the block, which the pipeline turns into a `timeout`
rejection, and the run goes on. The timer fires again every second (or
sooner, for a shorter limit) until the block ends, so library code that
catches every exception cannot swallow the limit; and a block that ends
after the timer fired, its exception swallowed (by an extractor that
returns what it has, or because the signal arrived in a garbage collector
callback, where Python ignores exceptions), raises it as it returns, so
whether a document runs out of time does not depend on where the signal
lands.

Signals reach only the main thread, and only where the platform has
`setitimer` (not on Windows). Elsewhere, and with a limit of 0, the block
runs without a limit. The block is interrupted between two Python
bytecodes, so a single long call into C code ends before the limit acts.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class TimeLimitExceeded(Exception):
    """The block ran longer than its limit."""


def limits_available() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


class Alarm:
    """One `SIGALRM` handler, installed while the alarm is entered, for many blocks each under its own limit.

    Installing a handler costs about ten times what arming the timer does
    (`signal.signal` converts its arguments to and from enums), so a loop
    that limits each document of a batch enters one alarm around the loop
    instead of installing a handler for every document (a whole 1-worker
    text run spends about 3% less). The handler raises only while a block
    runs, and the one it replaced is put back on leaving.
    """

    def __init__(self) -> None:
        self._installed = False
        self._previous: object = None
        self._stated: float | None = None  # the limit the running block's message names; None between blocks
        self._fired = False  # the timer fired during the running block

    def __enter__(self) -> Alarm:
        if limits_available():
            self._previous = signal.signal(signal.SIGALRM, self._expire)
            self._installed = True
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._installed:
            self._installed = False
            self._stated = None
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous)  # type: ignore[arg-type]

    def _expire(self, _signum: int, _frame: object) -> None:
        if self._stated is not None:
            self._fired = True
            raise self._exceeded(self._stated)

    @staticmethod
    def _exceeded(stated: float) -> TimeLimitExceeded:
        return TimeLimitExceeded(f"took longer than {stated:g} s")

    def run(self, work: Callable[[], T], seconds: float, stated: float | None = None) -> T:
        """`work()`, raising `TimeLimitExceeded` inside it once it has run `seconds` (0, or outside the alarm: no limit).

        `stated` is the limit the message names, when `seconds` is what is
        left of it (a document's limit spread over several blocks).
        """
        if seconds <= 0 or not self._installed:
            return work()
        named = self._stated = seconds if stated is None else stated
        self._fired = False
        signal.setitimer(signal.ITIMER_REAL, seconds, min(seconds, 1.0))
        try:
            result = work()
        finally:
            self._stated = None  # first: a signal between the two lines finds no block and does nothing
            signal.setitimer(signal.ITIMER_REAL, 0)
        if self._fired:  # the block outlived its limit though the exception was swallowed inside it
            raise self._exceeded(named)
        return result
