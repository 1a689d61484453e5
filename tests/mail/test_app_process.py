"""The app as deployed — gunicorn, the production config, MAIL_* from the environment — sends a
password reset mail to a real SMTP server, with links that start with PUBLIC_URL."""

import os
import secrets

import requests

from cpd_log import create_app
from cpd_log.extensions import db
from tests.database import scratch_database
from tests.mail.smtp import html_of, text_of
from tests.test_deployment import csrf_token, gunicorn

EMAIL, PASSWORD = "operator@example.com", "correct horse battery staple"


def test_a_gunicorn_app_configured_from_the_environment_mails_a_reset_link(smtp, tmp_path):
    with scratch_database(tmp_path) as url:
        env = {
            **os.environ,
            "CPD_LOG_CONFIG": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": url,
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            "RATELIMIT_STORAGE_URI": "memory://",
            "MAIL_SERVER": smtp.host,
            "MAIL_PORT": str(smtp.port),
            "MAIL_USE_TLS": "false",
            "MAIL_DEFAULT_SENDER": "CPD Log <cpd@example.org>",
            "PUBLIC_URL": "https://cpd.example.org",
        }
        # Set-up: the same commands as `flask db upgrade` / `flask create-user`, in this process
        # (no interpreter start-ups); what is tested is the gunicorn app configured from `env`.
        app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            runner = app.test_cli_runner()
            for command in (
                ["db", "upgrade"],
                ["create-user", "--email", EMAIL, "--name", "Op", "--password", PASSWORD],
            ):
                result = runner.invoke(args=command, catch_exceptions=False)
                assert result.exit_code == 0, result.output
            db.session.remove()
            db.engine.dispose()
        # One worker: the reset mail is sent by whichever worker answers.
        with gunicorn(env, tmp_path / "gunicorn.log", workers=1) as (_, base):
            page = requests.get(f"{base}/account/forgot", timeout=10)
            # Secure cookies over plain http on loopback: sent by hand, as a browser behind TLS.
            cookies = {"session": page.cookies["session"]}
            data = {"csrf_token": csrf_token(page.text), "email": EMAIL}
            answer = requests.post(f"{base}/account/forgot", data=data, cookies=cookies, timeout=30)
            assert answer.status_code == 200 and "Check your email" in answer.text
            (message,) = smtp.wait_for(1, timeout=30)
            assert smtp.recipients == [[EMAIL]]
            assert message["From"] == "CPD Log <cpd@example.org>"
            text = text_of(message)
            assert "https://cpd.example.org/account/reset/" in text
            assert 'href="https://cpd.example.org/account/reset/' in html_of(message)
            path = text.split("https://cpd.example.org", 1)[1].split()[0]
            form = requests.get(f"{base}{path}", timeout=10)
            assert form.status_code == 200 and "Choose a new password" in form.text
