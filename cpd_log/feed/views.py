"""The calendar feed (no login: the secret address is the credential) and the owner's buttons."""

from flask import Blueprint, Response, abort, current_app, flash, redirect, url_for
from flask_login import current_user, login_required

from cpd_log.common.dates import today_for
from cpd_log.extensions import db, limiter
from cpd_log.feed import calendar, services
from cpd_log.forms import EmptyForm
from cpd_log.mail.sending import link
from cpd_log.reminders.views import render_settings
from cpd_log.security_log import record_event

bp = Blueprint("feed", __name__, url_prefix="/feed")


def _feed_limit() -> str:
    return current_app.config["FEED_RATE_LIMIT"]


@bp.get("/<token>.ics")
@limiter.limit(_feed_limit)
def ics(token: str):
    """The user's calendar; 404 for a token that is unknown, replaced or revoked."""
    user = services.owner_of(token)
    if user is None:
        abort(404)
    today = today_for(user)
    body = calendar.build(
        user.display_name,
        services.cycles(user, today),
        services.planned(user, today),
        services.prompts(user, today),
        link,
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/new")
@login_required
def new():
    """A new secret address (the old one stops working), shown on this page only."""
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("reminders.settings"))
    token = services.new_address(current_user)
    record_event("calendar_feed.created", user_id=current_user.id)
    db.session.commit()
    return render_settings(feed_url=link("feed.ics", token=token))


@bp.post("/revoke")
@login_required
def revoke():
    if EmptyForm().validate_on_submit():
        services.revoke(current_user)
        record_event("calendar_feed.revoked", user_id=current_user.id)
        db.session.commit()
        flash("The calendar address no longer works.", "success")
    return redirect(url_for("reminders.settings"))
