"""The security event log: a fixed vocabulary, identifiers only, JSON lines in production."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cpd_log.security_log import EVENTS, JsonLines, record_event


def test_events_reach_the_log_with_the_client_address(app, caplog):
    with (
        app.test_request_context(environ_base={"REMOTE_ADDR": "198.51.100.7"}),
        caplog.at_level(logging.INFO, logger="cpd_log.security"),
    ):
        record_event("login.failed", user_id=None, reason="password")
    (entry,) = [r.security for r in caplog.records if r.name == "cpd_log.security"]
    assert entry == {
        "event": "login.failed",
        "user_id": None,
        "reason": "password",
        "ip": "198.51.100.7",
    }


def test_unknown_events_and_free_text_are_refused(app):
    with pytest.raises(ValueError, match="unknown"):
        record_event("login.guessed")
    with pytest.raises(ValueError, match="too long"):
        record_event("login.failed", note="x" * 200)


def test_json_lines_formatter():
    record = logging.LogRecord("cpd_log.security", logging.INFO, __file__, 1, "x", (), None)
    record.security = {"event": "logout", "user_id": 3}
    line = json.loads(JsonLines().format(record))
    assert line["event"] == "logout" and line["user_id"] == 3 and line["time"].endswith("+00:00")


def test_production_writes_json_lines_to_stderr(tmp_path):
    """Configured the way an operator does it: environment variables, a fresh process."""
    script = (
        "from cpd_log import create_app\n"
        "from cpd_log.security_log import record_event\n"
        "app = create_app()\n"
        "with app.test_request_context():\n"
        "    record_event('logout', user_id=5)\n"
    )
    env = {
        **os.environ,
        "CPD_LOG_CONFIG": "production",
        "SECRET_KEY": "a" * 64,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert [(x["event"], x["user_id"]) for x in lines] == [("logout", 5)], done.stderr


def test_every_event_of_the_vocabulary_is_recorded_somewhere():
    """A name nobody records is a promise the log does not keep (e.g. exports going unlogged)."""
    package = Path(__file__).resolve().parent.parent / "cpd_log"
    source = "\n".join(
        path.read_text(encoding="utf-8")
        for path in package.rglob("*.py")
        if path.name != "security_log.py"
    )
    assert {name for name in EVENTS if f'"{name}"' not in source} == set()


def test_the_activities_csv_export_is_recorded(logged_in, user, caplog):
    with caplog.at_level(logging.INFO, logger="cpd_log.security"):
        assert logged_in.get("/export/activities.csv").status_code == 200
    events = [r.security for r in caplog.records if r.name == "cpd_log.security"]
    assert {"event": "export.activities", "user_id": user.id} in [
        {k: e[k] for k in ("event", "user_id")} for e in events
    ]
