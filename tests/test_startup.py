"""Start-up stays cheap: every process (a gunicorn worker, each `flask` command, each test that
starts one) pays for what the app imports before it does anything. These libraries are imported
where they are used, so a process loads them only when a request or command needs them; together
they were about 40% of `flask --app cpd_log --help`'s CPU time.

A failure names the package; `python -X importtime -c "import cpd_log;
cpd_log.create_app('testing')" 2>&1 | grep -B30 <package>` shows which module pulls it in.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEFERRED = (
    "PIL",  # evidence/images.py: image uploads
    "arabic_reshaper",  # documents/fonts.py: PDFs
    "bidi",
    "cryptography",  # imports/did_keys.py: signed badges
    "huey",  # background/queue.py: the queue's first use (huey imports redis)
    "icalendar",  # feed/calendar.py, imports/ics.py: the feed and calendar imports
    "jsonschema",  # schemes/checking.py, crosswalks/checking.py: loading files
    "jwt",  # imports/credentials.py: signed badges
    "markdown_it",  # reflections/rendering.py, documents/pdf_reflections.py
    "openpyxl",  # imports/sheets.py: XLSX uploads
    "psycopg",  # instance_backup/databases.py: backups of PostgreSQL
    "puremagic",  # evidence/sniffing.py: uploads
    "pyld",  # imports/data_integrity.py: badges with a Data Integrity proof
    "pypdf",  # documents/pdf_evidence.py: PDF certificates in a PDF
    "redis",  # background/queue.py, health/checks.py
    "reportlab",  # documents/pdf*.py, claims/pack_pdf.py: PDFs
    "requests",  # pyld's document loader
    "ua_parser",  # auth/devices.py: naming the browser at login
    "urllib3",  # imports/safe_fetch.py, imports/xapi_lrs.py: badge and LRS fetches
    "zxcvbn",  # auth/passwords.py: the first password checked
)
# Printed when the process ends, each line marked so a command's own output is not read as one.
PRINT_MODULES = "print(*('module:' + name for name in sorted(sys.modules)), sep='\\n')"


def _loaded(command: list[str], env: dict[str, str]) -> set[str]:
    """The deferred top-level packages the command's process has imported when it ends."""
    done = subprocess.run(
        command, cwd=ROOT, env={"PATH": os.environ["PATH"], **env}, capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    top_level = {line.removeprefix("module:").split(".")[0] for line in lines if "module:" in line}
    assert top_level, "the process printed no modules"
    return top_level & set(DEFERRED)


def test_creating_the_app_loads_none_of_the_libraries_only_some_requests_need():
    script = f"import sys, cpd_log; cpd_log.create_app('testing'); {PRINT_MODULES}"
    assert _loaded([sys.executable, "-c", script], {}) == set()


@pytest.mark.parametrize("config", ["production", "development"])
def test_a_flask_command_loads_none_of_them_either(tmp_path, config):
    """What each `flask` command and each gunicorn worker (the production app) starts with: the
    app and every command registered: `flask --app cpd_log --help`, printing its modules as it
    exits."""
    script = (
        "import atexit, runpy, sys; sys.argv = ['flask', '--app', 'cpd_log', '--help'];"
        f"atexit.register(lambda: {PRINT_MODULES});"
        "runpy.run_module('flask', run_name='__main__')"
    )
    env = {
        "CPD_LOG_CONFIG": config,
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'startup.sqlite'}",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
    }
    assert _loaded([sys.executable, "-c", script], env) == set()
