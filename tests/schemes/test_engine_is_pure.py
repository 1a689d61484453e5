"""The rules engine is pure Python: it imports and evaluates a shipped scheme in a process where
Flask, SQLAlchemy and Werkzeug cannot be imported at all (issue 11, item 5)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BLOCKED = ("flask", "flask_sqlalchemy", "flask_login", "flask_wtf", "sqlalchemy", "werkzeug")

# Runs in a fresh interpreter: a meta path finder refuses the web and database libraries (and
# their submodules) before anything is imported, then `import cpd_log.schemes.rules` (and the
# other pure modules of cpd_log/schemes/) reads a shipped scheme file directly (no jsonschema, no
# app) and evaluates one cycle.
PROBE = f"""
import json, sys
from datetime import date

BLOCKED = {BLOCKED!r}

class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{{name}} is blocked in this process")
        return None

sys.meta_path.insert(0, Blocker())

blocked = []
for name in ("flask", "sqlalchemy", "cpd_log.app"):
    try:
        __import__(name)
    except ImportError:
        blocked.append(name)

import cpd_log.schemes.rules as rules
from cpd_log.schemes import counting, pace, splits

data = json.loads(open(sys.argv[1], encoding="utf-8").read())
scheme = rules.SchemeRules.from_dict(data)
day = date(2026, 3, 1)
progress = rules.evaluate(
    scheme,
    [
        rules.CategoryShare(1, "EDU.WOW", 30 * 60, day),
        rules.CategoryShare(2, "GB.WORK", 10 * 60, day),
        rules.CategoryShare(3, "GB.VOL", 30 * 60, day),
    ],
)
print(json.dumps({{
    "blocked": blocked,
    "loaded": sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED),
    "total": progress.total,
    "complete": progress.complete,
    "by_category": progress.by_category,
}}))
"""


def test_rules_engine_imports_and_evaluates_without_flask_or_sqlalchemy():
    scheme_file = ROOT / "cpd_log" / "data" / "schemes" / "pmi-pmp.json"
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(scheme_file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    # The blocker works: the app factory itself cannot be imported in this process.
    assert out["blocked"] == ["flask", "sqlalchemy", "cpd_log.app"]
    assert out["loaded"] == []
    # PMP: Giving Back counts 25 PDUs at most, practitioner work 8 of them: 30 + 25 of 60.
    assert out["by_category"]["EDU"] == 30 * 60
    assert out["by_category"]["GB.WORK"] == 8 * 60
    assert out["by_category"]["GB"] == 25 * 60
    assert out["total"] == 55 * 60
    assert out["complete"] is False
