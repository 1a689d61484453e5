"""Running the suite on several pytest-xdist workers (`make test` runs `pytest -n 2`).

Each worker is its own process with its own scratch database (tests/database.py names it after
the worker) and its own Redis database (`redis_db`). Tests marked `serial` measure time or
concurrency: while one runs, no test runs on any other worker (`alone`), so a neighbour's CPU
load never decides whether they pass. Outside xdist all of this does nothing.
"""

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

# "gw0", "gw1", … under xdist; "" in a plain `pytest` run (and in the controlling process).
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
# Redis has databases 0–15; the suite's bases (13, and 11 for the job queue) leave two each.
REDIS_DATABASES = 16
# The controlling process makes the lock folder and hands it to its workers in the environment.
LOCKS = "CPD_LOG_XDIST_LOCKS"


def worker_index() -> int:
    return int(WORKER.removeprefix("gw")) if WORKER else 0


def redis_db(base: int) -> int:
    """This worker's Redis database: `base` for the first worker (or no xdist), then base + 1, …
    A test flushes only its own, so workers never wipe each other's counters."""
    number = base + worker_index()
    if number >= REDIS_DATABASES:
        raise RuntimeError(
            f"worker {WORKER} would need Redis database {number}; Redis has 0–15. "
            "Run fewer workers (make test PYTEST_WORKERS=2)."
        )
    return number


@contextmanager
def _flock(path: Path, mode: int) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, mode)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def alone(folder: Path, exclusive: bool) -> Iterator[None]:
    """A readers–writer lock shared by the run's workers (files in `folder`, the run's common
    temporary folder). Every test holds `running` shared; a serial test holds it exclusively,
    so it waits for the tests running on other workers to end and none starts until it is done.
    The `turnstile` is taken briefly by each test and held by a waiting serial test, so a steady
    stream of other tests cannot starve it."""
    turnstile, running = folder / "serial-turnstile.lock", folder / "serial-running.lock"
    if exclusive:
        with _flock(turnstile, fcntl.LOCK_EX), _flock(running, fcntl.LOCK_EX):
            yield
        return
    with _flock(turnstile, fcntl.LOCK_EX):
        handle = running.open("a")
        fcntl.flock(handle, fcntl.LOCK_SH)
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def configure(config: pytest.Config) -> None:
    """In the controlling process of an xdist run: the workers' lock folder, before they start."""
    if hasattr(config, "workerinput") or getattr(config.option, "dist", "no") == "no":
        return  # a worker, or no xdist (`-n 0` sets dist to "no")
    os.environ[LOCKS] = tempfile.mkdtemp(prefix="cpd-log-xdist-")


def unconfigure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput") and LOCKS in os.environ:
        shutil.rmtree(os.environ.pop(LOCKS), ignore_errors=True)


# The exclusive lock a run of consecutive serial tests on this worker holds from the first to
# the last of them (an ExitStack while held).
_HELD: list[ExitStack] = []


def _serial(item: pytest.Item | None) -> bool:
    return item is not None and item.get_closest_marker("serial") is not None


def _release() -> None:
    while _HELD:
        _HELD.pop().close()


@contextmanager
def turn(item: pytest.Item, nextitem: pytest.Item | None = None) -> Iterator[None]:
    """Around one test's setup, call and teardown: alone if it is marked `serial`, else beside
    the other workers' tests (and nothing at all outside xdist).

    Serial tests that follow one another on this worker (a module of them, a parametrized one)
    keep the exclusive lock from the first to the last: otherwise between any two of them the
    other worker starts a test, and the next serial test waits for it to end while this worker
    idles. `nextitem` is certain under xdist: its worker takes the next test off its queue before
    running this one, so it can no longer be handed to another worker."""
    if not WORKER:
        yield
        return
    folder = os.environ.get(LOCKS)
    if not folder:
        raise RuntimeError(f"{LOCKS} is not set: run xdist from the suite's root (tests/)")
    if not _serial(item):
        _release()  # never expected: the previous test said this one was serial
        with alone(Path(folder), exclusive=False):
            yield
        return
    if not _HELD:
        stack = ExitStack()
        stack.enter_context(alone(Path(folder), exclusive=True))
        _HELD.append(stack)
    try:
        yield
    finally:
        if not _serial(nextitem):
            _release()
