"""A wall-clock budget for one parse of a user's file. Pure.

Counting caps (rows, columns, occurrences) bound almost everything a parser does, but a few
library loops do work that yields nothing we could count: dateutil walking day by day through a
recurrence rule that never matches (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30 since 1900 takes 4 s).
Under gunicorn's sync workers the request runs on the main thread, so a SIGALRM timer interrupts
such a loop with the user's message; elsewhere (the threaded dev server) `check()` between steps
is what stops it.
"""

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Budget:
    """`check()` raises `error` once `seconds` have passed since the budget began."""

    def __init__(self, seconds: float, error: Exception):
        self.seconds, self.error = seconds, error
        self.ends = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.ends:
            raise self.error


@contextmanager
def time_budget(seconds: float, error: Exception) -> Iterator[Budget]:
    budget = Budget(seconds, error)
    if threading.current_thread() is not threading.main_thread():
        yield budget
        return

    def _expired(_signum, _frame):
        raise error

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield budget
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
