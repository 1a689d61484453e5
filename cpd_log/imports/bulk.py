"""Python's cyclic garbage collector paused while an import builds its rows.

A 10,000-row spreadsheet becomes hundreds of thousands of small dicts, lists and strings. Each
700 new objects start a collection, and the older generations are walked again and again while
the batch grows: `python -m bench.imports` spent a third of the import's time there (ratio to a
bare insert 2.3 with the collector running, 1.5 paused). The rows hold no reference cycles, so
reference counting frees them either way; the collector runs again as soon as the last bulk step
of the process ends (steps in other threads share the pause, counted).
"""

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = True


@contextmanager
def gc_paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
