"""Signed-in devices: the list, "sign out" per device and "sign out everywhere else"."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from cpd_log.auth import sessions
from cpd_log.auth.devices import device_name
from cpd_log.extensions import db
from cpd_log.forms import EmptyForm
from cpd_log.security_log import record_event

bp = Blueprint("devices", __name__, url_prefix="/account/sessions")


@bp.get("")
@login_required
def index():
    """Every browser signed in to this account, this one marked."""
    rows = sessions.live_sessions(current_user)
    devices = [(row, device_name(row.user_agent)) for row in rows]
    this = sessions.current().token_hash
    return render_template("auth/sessions.html", devices=devices, this=this, form=EmptyForm())


@bp.post("/<session_hash>/sign-out")
@login_required
def sign_out(session_hash: str):
    """Sign out one other browser of this account; 404 for a session that is not the user's."""
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("devices.index"))
    if session_hash == sessions.current().token_hash:
        abort(404)  # this browser logs out through "Log out"
    if not sessions.end_session_of(current_user, session_hash):
        abort(404)
    record_event("session.ended", user_id=current_user.id)
    db.session.commit()
    flash("That device is signed out.", "success")
    return redirect(url_for("devices.index"))


@bp.post("/sign-out-others")
@login_required
def sign_out_others():
    """Every browser of this account but this one is signed out."""
    if EmptyForm().validate_on_submit():
        ended = sessions.end_other_sessions(current_user, sessions.current().token_hash)
        record_event("session.ended_others", user_id=current_user.id, count=ended)
        db.session.commit()
        flash(f"Signed out everywhere else ({ended} other device{'s' * (ended != 1)}).", "success")
    return redirect(url_for("devices.index"))
