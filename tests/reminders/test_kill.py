"""`flask send-reminders` as a real process, killed (SIGKILL) in the middle of a run against a real
SMTP server, then run again: every subscriber has exactly one digest, and a third run sends none."""

import os
import secrets
import signal
import subprocess
from collections import Counter

from sqlalchemy import select

from cpd_log import create_app
from cpd_log.extensions import db
from cpd_log.models.reminder import Digest, DigestState
from tests.database import scratch_database
from tests.reminders.helpers import capture, subscriber
from tests.test_deployment import BIN, flask

PEOPLE = [f"person{n}@example.com" for n in range(1, 5)]


def _environment(url: str, smtp, tmp_path) -> dict:
    return {
        **os.environ,
        "CPD_LOG_CONFIG": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": url,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SERVER": smtp.host,
        "MAIL_PORT": str(smtp.port),
        "MAIL_USE_TLS": "false",
        "PUBLIC_URL": "https://cpd.example.org",
    }


def _subscribers(url: str) -> None:
    app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        for email in PEOPLE:
            capture(subscriber(email))
        db.session.remove()  # the connection back in the pool, so dispose() closes it
        db.engine.dispose()


def _states(url: str) -> list[DigestState]:
    app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        states = list(db.session.scalars(select(Digest.state).order_by(Digest.id)))
        db.session.remove()
        db.engine.dispose()
    return states


def test_killed_midway_and_run_again_sends_each_digest_once(smtp, tmp_path):
    smtp.delay = 0.5  # each message takes a while: the run is still going when it is killed
    with scratch_database(tmp_path) as url:
        env = _environment(url, smtp, tmp_path)
        assert flask(env, "db", "upgrade").returncode == 0
        _subscribers(url)
        run = subprocess.Popen(
            [str(BIN / "flask"), "--app", "cpd_log", "send-reminders"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            smtp.wait_for(2, timeout=90)  # the second message is in; its answer is not yet
            os.kill(run.pid, signal.SIGKILL)
        finally:
            run.kill()
            run.communicate(timeout=30)
        assert run.returncode == -signal.SIGKILL
        killed = _states(url)
        assert killed.count(DigestState.SENT) >= 1 and len(killed) < len(PEOPLE)
        assert len(smtp.messages) == 2

        again = flask(env, "send-reminders")
        assert again.returncode == 0, again.stderr
        assert Counter(rcpt for (rcpt,) in smtp.recipients) == Counter(PEOPLE)  # one each
        if killed == [DigestState.SENT, DigestState.SENDING]:  # the usual timing
            assert "sent 2, nothing to say 0, already done 2" in again.stdout

        third = flask(env, "send-reminders")
        assert third.returncode == 0 and "sent 0," in third.stdout
        assert len(smtp.messages) == len(PEOPLE)
        states = _states(url)
        assert len(states) == len(PEOPLE)
        # the digest whose answer the kill cut off stays `sending` (never retried), the rest sent
        assert states.count(DigestState.SENT) >= len(PEOPLE) - 1
