"""The dev-only outbox page: the mails a development install "sent" (404 everywhere else)."""

from pathlib import Path

from flask import Blueprint, abort, current_app, make_response, render_template

from cpd_log.mail import outbox
from cpd_log.mail.sending import uses_outbox

bp = Blueprint("mail", __name__, url_prefix="/dev")


def outbox_open() -> bool:
    """Only while mail goes to the outbox, and only with DEBUG or MAIL_DEV_OUTBOX on: the
    outbox holds every user's mail, links to reset passwords included."""
    app = current_app
    return uses_outbox(app) and bool(app.debug or app.config.get("MAIL_DEV_OUTBOX"))


@bp.get("/outbox")
def index():
    """Every user's recent mail, newest first; 404 unless outbox_open()."""
    if not outbox_open():
        abort(404)
    mails = outbox.recent(Path(current_app.config["MAIL_OUTBOX_DIR"]))
    response = make_response(render_template("mail/outbox.html", mails=mails))
    response.headers["Cache-Control"] = "no-store"
    return response
