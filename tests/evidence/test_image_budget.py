"""The memory an image costs, measured in fresh processes (tests/evidence/budget_probe.py).

Issue 10: "a 7000×7000 PNG adds 719 MB to every PDF render, including a reviewer's". The image is
now decoded once, at upload, and the PDF places a ≤ 2000 px JPEG rendition it does not decode.
Budgets are written next to the code (cpd_log/evidence/images.py).
"""

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from cpd_log.evidence import images
from tests import factories
from tests.evidence import samples
from tests.portfolio.builders import make_portfolio

ROOT = Path(__file__).resolve().parents[2]
SIDE = 7000
# images.py: the upload decodes at most 4 bytes a pixel once, plus a reduced copy.
UPLOAD_BUDGET_MB = 4 * SIDE * SIDE / 1e6 + 60


def _probe(*arguments) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.evidence.budget_probe", *map(str, arguments)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_7000_px_png_costs_one_bounded_decode_at_upload_and_little_per_render(
    app, database_url, user, upload_dir
):
    plain = factories.make_activity(user, title="Plain", start_date=date(2025, 3, 1))
    samples.make_evidence(user, plain, samples.png_bytes((400, 300)), "small.png")
    scanned = factories.make_activity(user, title="Scanned", start_date=date(2026, 3, 1))

    uploaded = _probe("upload", database_url, upload_dir, user.id, scanned.id, SIDE)
    print(f"upload of a {SIDE}×{SIDE} PNG: {uploaded}")
    assert uploaded["added_mb"] < UPLOAD_BUDGET_MB

    year = {str(y): (date(y, 1, 1), date(y, 12, 31)) for y in (2025, 2026)}
    without = make_portfolio(user, "Without", date_from=year["2025"][0], date_to=year["2025"][1])
    holding = make_portfolio(user, "With", date_from=year["2026"][0], date_to=year["2026"][1])
    rendered = _probe("render", database_url, upload_dir, without.id, holding.id)
    print(f"render with the {SIDE}×{SIDE} PNG over the same render without it: {rendered}")
    assert rendered["added_mb"] < images.RENDER_BUDGET_MB
