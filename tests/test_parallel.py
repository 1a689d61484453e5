"""tests/parallel.py: the lock that lets a `serial` test run alone under xdist, and each worker's
Redis database. Threads stand in for workers: flock locks belong to each open file, so two opens
in one process contend as two processes would."""

import threading

import pytest

from tests import parallel


def _hold(folder, exclusive, events, name, entered, leave):
    with parallel.alone(folder, exclusive=exclusive):
        events.append(f"{name} in")
        entered.set()
        leave.wait(10)
        events.append(f"{name} out")


def _start(folder, exclusive, events, name):
    entered, leave = threading.Event(), threading.Event()
    thread = threading.Thread(
        target=_hold, args=(folder, exclusive, events, name, entered, leave), daemon=True
    )
    thread.start()
    return thread, entered, leave


def test_a_serial_test_waits_for_running_tests_and_holds_back_new_ones(tmp_path):
    events: list[str] = []
    first, first_in, first_leave = _start(tmp_path, False, events, "test")
    assert first_in.wait(10)
    beside, beside_in, beside_leave = _start(tmp_path, False, events, "beside")
    assert beside_in.wait(10), "two ordinary tests run side by side"
    serial, serial_in, serial_leave = _start(tmp_path, True, events, "serial")
    assert not serial_in.wait(0.5), "the serial test started while others ran"
    later, later_in, later_leave = _start(tmp_path, False, events, "later")
    assert not later_in.wait(0.5), "a test started while a serial test was waiting"
    first_leave.set()
    beside_leave.set()
    assert serial_in.wait(10)
    assert not later_in.wait(0.5), "a test started beside the serial test"
    serial_leave.set()
    assert later_in.wait(10)
    later_leave.set()
    for thread in (first, beside, serial, later):
        thread.join(10)
    assert events.index("serial in") > max(events.index("test out"), events.index("beside out"))
    assert events.index("later in") > events.index("serial out")


class _Item:
    """What turn() reads of a pytest item: whether it is marked serial."""

    def __init__(self, serial: bool):
        self.serial = serial

    def get_closest_marker(self, name: str):
        return object() if self.serial and name == "serial" else None


def test_consecutive_serial_tests_keep_other_workers_out_between_them(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "WORKER", "gw0")
    monkeypatch.setenv(parallel.LOCKS, str(tmp_path))
    first, second, plain = _Item(True), _Item(True), _Item(False)
    events: list[str] = []
    with parallel.turn(first, nextitem=second):
        pass
    other, other_in, other_leave = _start(tmp_path, False, events, "other")
    assert not other_in.wait(0.5), "another worker's test started between two serial tests"
    with parallel.turn(second, nextitem=plain):
        assert not other_in.is_set()
    assert other_in.wait(10), "the lock was still held after the last serial test"
    with parallel.turn(plain, nextitem=None):  # an ordinary test runs beside the other one
        events.append("plain ran")
    other_leave.set()
    other.join(10)
    assert events == ["other in", "plain ran", "other out"]
    assert not parallel._HELD


def test_each_worker_has_its_own_redis_database(monkeypatch):
    monkeypatch.setattr(parallel, "WORKER", "")
    assert parallel.redis_db(13) == 13
    monkeypatch.setattr(parallel, "WORKER", "gw0")
    assert parallel.redis_db(13) == 13
    monkeypatch.setattr(parallel, "WORKER", "gw2")
    assert parallel.redis_db(13) == 15
    monkeypatch.setattr(parallel, "WORKER", "gw3")
    with pytest.raises(RuntimeError, match="Redis database 16"):
        parallel.redis_db(13)
