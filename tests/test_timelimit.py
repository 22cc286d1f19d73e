import signal
import threading
import time

import pytest

from cleaner.timelimit import Alarm, TimeLimitExceeded


def spin(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_a_block_that_runs_too_long_is_interrupted() -> None:
    started = time.perf_counter()
    with pytest.raises(TimeLimitExceeded, match="longer than 0.05 s"), Alarm() as alarm:
        alarm.run(lambda: spin(5), 0.05)
    assert time.perf_counter() - started < 1


def test_the_message_names_the_stated_limit() -> None:
    with pytest.raises(TimeLimitExceeded, match="longer than 2 s"), Alarm() as alarm:
        alarm.run(lambda: spin(5), 0.05, stated=2)


def test_sleeping_is_interrupted_too() -> None:
    with pytest.raises(TimeLimitExceeded), Alarm() as alarm:
        alarm.run(lambda: time.sleep(5), 0.05)


def test_a_quick_block_returns_its_value_and_the_timer_is_disarmed_after_it() -> None:
    with Alarm() as alarm:
        assert alarm.run(lambda: 7, 0.2) == 7
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        spin(0.3)  # the timer would have fired by now


def test_many_blocks_in_a_row_each_get_their_own_limit() -> None:
    outcomes = []
    with Alarm() as alarm:
        for seconds in (0.05, 0.2, 0.05):
            try:
                alarm.run(lambda: spin(0.1), seconds)
                outcomes.append("done")
            except TimeLimitExceeded:
                outcomes.append("timeout")
    assert outcomes == ["timeout", "done", "timeout"]


def test_the_previous_handler_is_put_back_on_leaving() -> None:
    previous = signal.getsignal(signal.SIGALRM)
    with Alarm() as alarm:
        assert signal.getsignal(signal.SIGALRM) is not previous
        alarm.run(lambda: None, 0.2)
    assert signal.getsignal(signal.SIGALRM) is previous
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_no_limit_with_zero_outside_the_alarm_or_outside_the_main_thread() -> None:
    with Alarm() as alarm:
        alarm.run(lambda: spin(0.05), 0)
    alarm.run(lambda: spin(0.05), 0.01)  # left: no handler
    outcome: list[str] = []

    def in_thread() -> None:
        with Alarm() as alarm:
            alarm.run(lambda: spin(0.05), 0.01)
        outcome.append("ran to the end")

    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join()
    assert outcome == ["ran to the end"]


def test_code_that_swallows_the_exception_is_interrupted_again() -> None:
    swallowed = 0

    def stubborn() -> None:
        nonlocal swallowed
        while True:
            try:
                spin(5)
            except Exception:  # a library that catches everything
                swallowed += 1
                if swallowed > 2:
                    raise

    with pytest.raises(TimeLimitExceeded), Alarm() as alarm:
        alarm.run(stubborn, 0.05)
    assert swallowed == 3


def test_a_block_that_swallowed_the_exception_and_returned_is_still_out_of_time() -> None:
    def gives_up_quietly() -> str:
        try:
            spin(5)
        except Exception:  # an extractor that returns what it has
            return "partial"
        return "whole"

    with pytest.raises(TimeLimitExceeded, match="longer than 0.5 s"), Alarm() as alarm:
        alarm.run(gives_up_quietly, 0.5)
    with Alarm() as alarm:
        assert alarm.run(lambda: "quick", 0.5) == "quick"  # the next block starts afresh
