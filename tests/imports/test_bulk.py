"""The collector pause around an import: off inside, back on after, nested and on errors."""

import gc
import threading

import pytest

from cpd_log.imports.bulk import gc_paused


@pytest.fixture(autouse=True)
def _collector_on():
    gc.enable()
    yield
    gc.enable()


def test_paused_inside_and_back_after_even_on_an_error():
    with pytest.raises(ValueError), gc_paused():
        assert not gc.isenabled()
        raise ValueError("a bad row")
    assert gc.isenabled()


def test_nested_and_concurrent_steps_restore_it_only_when_the_last_ends():
    inner_started, outer_may_end = threading.Event(), threading.Event()

    def other_request():
        with gc_paused():
            inner_started.set()
            outer_may_end.wait(5)

    with gc_paused():
        thread = threading.Thread(target=other_request)
        thread.start()
        inner_started.wait(5)
    assert not gc.isenabled()  # the other request's import is still running
    outer_may_end.set()
    thread.join(5)
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()
