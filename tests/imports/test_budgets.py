"""Every parser of user files keeps to its documented budget (issue 10, defect 6 and 10).

Each hostile file (tests/imports/hostile_files.py) is written to disk here and parsed by
tests/imports/budget_probe.py in a subprocess under an address-space cap, so a runaway parser
fails this test instead of taking the machine down. The probe reports the growth of the
resident-set high-water mark and the wall time of the parse alone.

Measured before the fix (the same probe, 1.5 GB cap): the 79 KB wide-row XLSX 1.15 GB and 19 s,
the 229-byte FREQ=MINUTELY calendar 1.38 GB (cap reached) at 48 s, the 50,000-event calendar 397 MB
and 15.5 s, a 140 KB PNG of 12,000² pixels 138 MB, a 30,000² one a 500 (DecompressionBombError),
nested JSON in CASE and badge files a RecursionError (500).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cpd_log.imports import ics, sheets
from tests.imports import hostile_files

ROOT = Path(__file__).resolve().parents[2]
CAP_MB = 1500  # the probe's address space: far above every budget, far below the machine
QUICK = (50, 1.0)  # a refusal at the door: MB, seconds
# Wall-time budgets of a second: under xdist no other worker's test runs beside them.
pytestmark = pytest.mark.serial

CASES = [
    # parser, builder, outcome, text in the message, (peak MB, seconds)
    ("sheet", "wide_row_xlsx", "refused", "unpacks to more than", QUICK),
    ("sheet", "lying_size_xlsx", "refused", "could not be opened", QUICK),
    ("sheet", "wide_row_small_xlsx", "refused", "more than 60 columns", QUICK),
    ("sheet", "far_value_xlsx", "refused", "more than 60 columns", QUICK),
    ("sheet", "lying_dimension_xlsx", "parsed", "", QUICK),
    ("sheet", "billion_laughs_xlsx", "refused", "could not be opened", QUICK),
    ("sheet", "billion_laughs_sheet_xlsx", "refused", "could not be opened", QUICK),
    ("sheet", "full_xlsx", "parsed", "", (sheets.PEAK_MB, sheets.PARSE_SECONDS)),
    ("sheet", "wide_csv", "refused", "longer than 131,072 characters", QUICK),
    ("sheet", "long_line_csv", "refused", "longer than 131,072 characters", QUICK),
    ("sheet", "many_rows_csv", "refused", "more than 20,000 rows", QUICK),
    ("sheet", "full_csv", "parsed", "", (sheets.PEAK_MB, sheets.PARSE_SECONDS)),
    ("ics", "minutely_ics", "refused", "repeats minutely", QUICK),
    ("ics", "many_events_ics", "refused", "more than 5,000 events", QUICK),
    (
        "ics",
        "most_components_ics",
        "refused",
        "more than 2000 events",
        (ics.PEAK_MB, ics.PARSE_SECONDS),
    ),
    ("ics", "full_ics", "parsed", "", (ics.PEAK_MB, ics.PARSE_SECONDS)),
    (
        "ics",
        "never_matching_rules_ics",
        "refused",
        "longer than 5 seconds",
        (ics.PEAK_MB, ics.PARSE_SECONDS + 1),
    ),
    ("case", "nested_json", "refused", "nests more than 64 levels", QUICK),
    ("case", "nested_json_below_recursion_limit", "refused", "nests more than 64", QUICK),
    ("framework_csv", "big_framework_csv", "refused", "more than 5,000 areas", (100, 2)),
    ("framework_csv", "wide_framework_csv", "refused", "longer than 131,072", QUICK),
    ("badge", "nested_badge", "refused", "nests more than 64 levels", QUICK),
    ("badge", "png_bomb", "refused", "carries no Open Badge", QUICK),
    ("badge", "png_big_text", "refused", "far larger than a badge", QUICK),
    ("badge", "svg_laughs", "refused", "declares entities or a DTD", QUICK),
    ("badge", "svg_many_elements", "refused", "too many elements", QUICK),
    ("badge", "svg_big_badge", "refused", "far larger than a badge", QUICK),
]


def probe(tmp_path, parser: str, builder: str) -> dict:
    path = tmp_path / builder
    path.write_bytes(getattr(hostile_files, builder)())
    done = subprocess.run(
        [sys.executable, "-m", "tests.imports.budget_probe", parser, str(path), str(CAP_MB)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("parser", "builder", "outcome", "message", "budget"),
    CASES,
    ids=[f"{case[0]}-{case[1]}" for case in CASES],
)
def test_hostile_file_is_refused_within_budget(tmp_path, parser, builder, outcome, message, budget):
    report = probe(tmp_path, parser, builder)
    peak_mb, seconds = budget
    print(builder, report)
    assert (report["outcome"], message in report["message"]) == (outcome, True), report
    assert report["peak_mb"] <= peak_mb, report
    assert report["seconds"] <= seconds, report
