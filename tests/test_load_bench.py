"""The load bench starts and measures (a few seconds of each scenario, two tiny users): gunicorn
with gunicorn.conf.py, wrk with bench/load.lua, the users logged in through the login form and
every kind of write saved with the form's CSRF token. The figures themselves are the bench's to
print (`make bench-load`), never asserted here."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROWS = [
    "hello-world (before)",
    "login page",
    "trivial logged-in page",
    "mixed workload",
    "hello-world (after)",
]


@pytest.fixture
def wrk():
    if shutil.which("wrk") is None:
        if os.environ.get("CI"):
            pytest.fail("wrk is not installed (.ci/run installs it: apt-get install -y wrk)")
        pytest.skip("wrk is not installed: apt-get install -y wrk")


def test_the_load_bench_runs_every_scenario_without_errors(wrk, tmp_path):
    pg_url = os.environ.get("CPD_LOG_TEST_DATABASE_URL")
    database = (
        ["--database", "postgresql", "--pg-url", pg_url] if pg_url else ["--database", "sqlite"]
    )
    output = tmp_path / "load.txt"
    finished = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [
            sys.executable, "-m", "bench.load", *database,
            "--users", "2", "--smallest", "20", "--largest", "40", "--connections", "2",
            "--workers", "2", "--seconds", "1", "--mixed-seconds", "3", "--warmup", "1",
            "--output", str(output),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    table = output.read_text(encoding="utf-8")
    rows = {line[:27].strip(): line[27:].split() for line in table.splitlines()}
    for row in ROWS:
        assert row in rows, table
        # The mixed workload's pages may each take longer than its few seconds on a busy machine;
        # its writes were each saved once before the runs (bench.load_session.check_writes).
        if row != "mixed workload":
            assert float(rows[row][0]) > 0, table
    # No request of the mixed workload failed: a write refused for its CSRF
    # token or its version, a logged-out redirect or a failed PDF would be named here.
    by_action = next(line for line in table.splitlines() if line.startswith("mixed workload req"))
    assert "errors" not in by_action, table
    assert int(rows["mixed workload"][5]) == 0, table
