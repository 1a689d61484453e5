"""Parse one hostile file in this process and print what it cost, as JSON on stdout.

    python -m tests.imports.budget_probe <parser> <file or builder> [memory cap in MB]

Run in a subprocess by tests/imports/test_budgets.py, so a parser that runs away is stopped by the
address-space cap (RLIMIT_AS) or the caller's timeout instead of taking the machine with it. Peak
memory is the growth of the resident set over the parse, sampled every 5 ms from /proc/self/statm,
so C allocations (lxml, zlib, expat) count too. Give a file written beforehand (the tests do); a
builder name of hostile_files also works.
"""

import json
import os
import resource
import sys
import threading
import time
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo


def _parsers():
    from cpd_log.competencies.formats import parse as parse_framework
    from cpd_log.imports.badge_files import read_badge_file
    from cpd_log.imports.ics import import_window, read_calendar
    from cpd_log.imports.sheets import read_sheet

    window = import_window(date.today())
    return {
        "sheet": read_sheet,
        "ics": lambda data: read_calendar(data, ZoneInfo("Europe/London"), window),
        "case": lambda data: parse_framework("case", data, {}),
        "matrix": lambda data: parse_framework("matrix", data, {}),
        "framework_csv": lambda data: parse_framework("csv", data, {}),
        "badge": read_badge_file,
    }


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


class _Sampler:
    """The largest resident set seen while the parse runs, above the one before it."""

    def __init__(self):
        self.base = self.peak = _rss()
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while self.running:
            self.peak = max(self.peak, _rss())
            time.sleep(0.005)

    def stop(self) -> int:
        self.running = False
        self.thread.join()
        return max(self.peak, _rss()) - self.base


def main(parser: str, source: str, cap_mb: int) -> None:
    parse = _parsers()[parser]
    if os.path.exists(source):
        data = Path(source).read_bytes()
    else:
        from tests.imports import hostile_files

        data = getattr(hostile_files, source)()
    resource.setrlimit(resource.RLIMIT_AS, (cap_mb * 1024 * 1024, cap_mb * 1024 * 1024))
    sampler = _Sampler()
    started = time.perf_counter()
    try:
        parse(data)
        outcome, message = "parsed", ""
    except MemoryError:
        outcome, message = "memory", "MemoryError"
    except RecursionError:
        outcome, message = "recursion", "RecursionError"
    except ValueError as error:  # every parser's refusal is a ValueError with the user's message
        outcome, message = "refused", str(error)
    seconds = time.perf_counter() - started
    peak = sampler.stop()
    report = {
        "outcome": outcome,
        "message": message[:300],
        "bytes": len(data),
        "seconds": round(seconds, 3),
        "peak_mb": round(peak / 2**20, 1),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 1024)
