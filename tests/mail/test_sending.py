"""Mail through a real SMTP server (aiosmtpd), the development outbox, and the settings."""

import logging

import pytest

from cpd_log import create_app
from cpd_log.mail import sending
from tests.mail.smtp import html_of, text_of


def test_a_mail_has_a_text_and_an_html_part_and_arrives_over_smtp(mail_app, smtp):
    with mail_app.test_request_context():
        user = type("U", (), {"display_name": "<b>Ada</b> & Co", "email": "ada@example.com"})()
        message = sending.compose(
            "verify_email", "ada@example.com", user=user, url="https://x/y", hours=72
        )
        sending.send(message)
    assert sending.wait_for_sends()
    (received,) = smtp.wait_for(1)
    assert smtp.recipients == [["ada@example.com"]]
    assert received["Subject"] == "Confirm your email address for CPD Log"
    assert received["From"] == "CPD Log <no-reply@localhost>"
    assert "Hello <b>Ada</b> & Co," in text_of(received)  # plain text is not HTML
    html = html_of(received)
    assert "&lt;b&gt;Ada&lt;/b&gt; &amp; Co" in html and "<b>Ada</b>" not in html
    assert '<a href="https://x/y">' in html


def test_a_mail_server_that_is_down_is_logged_not_raised(app_factory, caplog):
    from tests.mail.smtp import free_port

    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_BACKEND=None)
    with app.test_request_context(), caplog.at_level(logging.ERROR, "cpd_log.mail"):
        sending.send(
            sending.compose("password_changed", "a@example.com", user=_user(), forgot_url="u")
        )
        assert sending.wait_for_sends()
    assert "could not send the mail 'Your CPD Log password was changed'" in caplog.text


def _user():
    return type("U", (), {"display_name": "Ada", "email": "a@example.com"})()


def test_without_a_mail_server_mail_goes_to_the_console_and_the_outbox(
    app_factory, tmp_path, capsys
):
    outbox = {"MAIL_BACKEND": None, "MAIL_OUTBOX_DIR": str(tmp_path / "outbox")}
    app = app_factory(MAIL_DEV_OUTBOX=True, **outbox)
    with app.test_request_context():
        sending.send(
            sending.compose(
                "reset_password", "ada@example.com", user=_user(), url="http://h/r/tok", minutes=60
            )
        )
        assert sending.wait_for_sends()
    assert "Subject: Reset your CPD Log password" in capsys.readouterr().out
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    page = app.test_client().get("/dev/outbox")
    assert page.status_code == 200
    assert b"Reset your CPD Log password" in page.data and b'href="http://h/r/tok"' in page.data
    assert page.headers["Cache-Control"] == "no-store"


def test_the_outbox_page_is_404_unless_debug_or_asked_for(app_factory, tmp_path, smtp):
    outbox = {"MAIL_BACKEND": None, "MAIL_OUTBOX_DIR": str(tmp_path)}
    assert app_factory(**outbox).test_client().get("/dev/outbox").status_code == 404
    debug = app_factory(DEBUG=True, **outbox)
    assert debug.test_client().get("/dev/outbox").status_code == 200
    # With a real mail server there is no outbox, even in debug.
    real = app_factory(DEBUG=True, MAIL_DEV_OUTBOX=True, **smtp.config())
    assert real.test_client().get("/dev/outbox").status_code == 404


def test_links_in_mails_start_with_public_url_not_the_host_header(app_factory):
    app = app_factory(PUBLIC_URL="https://cpd.example.org")
    with app.test_request_context(headers={"Host": "evil.example"}):
        assert sending.link("recovery.forgot") == "https://cpd.example.org/account/forgot"
    plain = app_factory()
    with plain.test_request_context(base_url="http://localhost:5000"):
        assert sending.link("recovery.forgot") == "http://localhost:5000/account/forgot"


def test_production_with_a_mail_server_needs_public_url(monkeypatch):
    overrides = {"SECRET_KEY": "s" * 32, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    with pytest.raises(RuntimeError, match="PUBLIC_URL must be set"):
        create_app("production", overrides={**overrides, "MAIL_SERVER": "smtp.example.org"})
    create_app(
        "production",
        overrides={
            **overrides,
            "MAIL_SERVER": "smtp.example.org",
            "PUBLIC_URL": "https://cpd.example.org",
        },
    )
    create_app("production", overrides=overrides)  # no mail server: nothing to check


def test_every_mail_has_both_templates_and_a_subject(app):
    for name in sending.SUBJECTS:
        for suffix in ("txt", "html"):
            assert app.jinja_env.get_template(f"mail/{name}.{suffix}")
