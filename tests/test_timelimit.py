import signal
import threading
import time

import pytest

from cleaner.timelimit import TimeLimitExceeded, time_limit


def spin(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_a_block_that_runs_too_long_is_interrupted() -> None:
    started = time.perf_counter()
    with pytest.raises(TimeLimitExceeded, match="longer than 0.05 s"):
        with time_limit(0.05):
            spin(5)
    assert time.perf_counter() - started < 1


def test_sleeping_is_interrupted_too() -> None:
    with pytest.raises(TimeLimitExceeded):
        with time_limit(0.05):
            time.sleep(5)


def test_a_quick_block_runs_and_the_timer_is_disarmed_after_it() -> None:
    previous = signal.getsignal(signal.SIGALRM)
    with time_limit(0.2):
        spin(0.01)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is previous
    spin(0.3)  # the timer would have fired by now


def test_no_limit_with_zero_or_outside_the_main_thread() -> None:
    with time_limit(0):
        spin(0.05)
    outcome: list[str] = []

    def in_thread() -> None:
        with time_limit(0.01):
            spin(0.05)
        outcome.append("ran to the end")

    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join()
    assert outcome == ["ran to the end"]


def test_code_that_swallows_the_exception_is_interrupted_again() -> None:
    swallowed = 0
    with pytest.raises(TimeLimitExceeded):
        with time_limit(0.05):
            while True:
                try:
                    spin(5)
                except Exception:  # a library that catches everything
                    swallowed += 1
                    if swallowed > 2:
                        raise
    assert swallowed == 3
