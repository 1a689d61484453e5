"""Compose a mail from its templates and send it without holding up the request.

Each mail the app sends has a name: `templates/mail/<name>.txt` is its plain-text part,
`templates/mail/<name>.html` its HTML part (autoescaped, like every .html template), and
SUBJECTS[name] its subject. Sending happens in a background thread (`in_background`): a slow or
unreachable mail server never delays an answer, and work whose cost would tell something (does
this address have an account?) can be done there too, off the answer's clock.
"""

import logging
import threading
from collections.abc import Callable

from flask import Flask, current_app, has_request_context, render_template, request, url_for
from flask_mailman import EmailMultiAlternatives

from cpd_log.extensions import mail

logger = logging.getLogger("cpd_log.mail")

SUBJECTS = {
    "reset_password": "Reset your CPD Log password",
    "password_changed": "Your CPD Log password was changed",
    "verify_email": "Confirm your email address for CPD Log",
    "email_changed": "The email address of your CPD Log account was changed",
    "two_factor_on": "Two-factor sign-in was turned on for your CPD Log account",
    "two_factor_off": "Two-factor sign-in was turned off for your CPD Log account",
    "reminder_digest": "CPD Log: what to do next",
    "team_invite": "You are invited to join a team on CPD Log",
}
# Development (no MAIL_SERVER): the console and .eml files in MAIL_OUTBOX_DIR.
OUTBOX_BACKEND = "cpd_log.mail.outbox.EmailBackend"

_pending: set[threading.Thread] = set()
_pending_lock = threading.Lock()


def init_app(app: Flask) -> None:
    """SMTP when MAIL_SERVER is set, else the dev outbox. Production with a mail server needs
    PUBLIC_URL, so no link in a mail is built from a Host header a client chose."""
    config = app.config
    if not config.get("MAIL_BACKEND"):
        config["MAIL_BACKEND"] = "smtp" if config.get("MAIL_SERVER") else OUTBOX_BACKEND
    if config.get("REQUIRE_SECRET_KEY") and config.get("MAIL_SERVER") and not config["PUBLIC_URL"]:
        raise RuntimeError(
            "PUBLIC_URL must be set when MAIL_SERVER is (the site's address, e.g. "
            "https://cpd.example.org): links in mails are built from it."
        )
    mail.init_app(app)


def uses_outbox(app: Flask) -> bool:
    return app.config.get("MAIL_BACKEND") == OUTBOX_BACKEND


def link(endpoint: str, **values) -> str:
    """An absolute address for a mail: PUBLIC_URL and the path, else this request's own host
    (development and tests)."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def compose(name: str, to: str, **context) -> EmailMultiAlternatives:
    """The mail `name` to one address, both parts rendered now (in the request's context)."""
    text = render_template(f"mail/{name}.txt", **context)
    html = render_template(f"mail/{name}.html", **context)
    message = EmailMultiAlternatives(subject=SUBJECTS[name], body=text, to=[to])
    message.attach_alternative(html, "text/html")
    return message


def send(message: EmailMultiAlternatives) -> None:
    """Send in a background thread; a failure is logged (cpd_log.mail), never raised."""
    in_background(message.send, f"the mail {message.subject!r}")


def in_background(work: Callable[[], object], what: str) -> None:
    """Run `work` in a thread of its own, in the app's context and a request context for this
    site's address (so `link()` builds the same links as here, and the thread's database session
    is its own, removed at the end). A failure is logged, naming `what`."""
    app = current_app._get_current_object()
    base_url = request.host_url if has_request_context() else None
    thread = threading.Thread(target=_run, args=(app, base_url, work, what), name="mail")
    with _pending_lock:
        _pending.add(thread)
    thread.start()


def _run(app: Flask, base_url: str | None, work: Callable[[], object], what: str) -> None:
    try:
        with app.test_request_context(base_url=base_url) if base_url else app.app_context():
            work()
    except Exception:  # noqa: BLE001 - a mail that cannot go out must not kill anything
        logger.exception("could not send %s", what)
    finally:
        with _pending_lock:
            _pending.discard(threading.current_thread())


def wait_for_sends(timeout: float = 30) -> bool:
    """Wait until all background work started so far (mails handed to send(), in_background()
    jobs) has finished or failed (a command that exits, a test). Returns False when some are
    still under way after `timeout` seconds."""
    with _pending_lock:
        threads = list(_pending)
    for thread in threads:
        thread.join(timeout)
    return not any(thread.is_alive() for thread in threads)
