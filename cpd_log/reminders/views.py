"""Reminders and calendar (the settings page), and the one-click unsubscribe of the digests."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from cpd_log.extensions import csrf, db
from cpd_log.feed.services import has_feed
from cpd_log.forms import EmptyForm
from cpd_log.models.reminder import Frequency
from cpd_log.reminders import services
from cpd_log.reminders import unsubscribe as signing
from cpd_log.reminders.forms import ReminderForm
from cpd_log.security_log import record_event

bp = Blueprint("reminders", __name__, url_prefix="/reminders")


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """How often the digest comes; the calendar feed's buttons (cpd_log/feed/views.py)."""
    form = ReminderForm(frequency=services.frequency_of(current_user).value)
    if form.validate_on_submit():
        services.set_frequency(current_user, Frequency(form.frequency.data))
        db.session.commit()
        flash("Your reminder setting is saved.", "success")
        return redirect(url_for("reminders.settings"))
    return render_settings(form)


def render_settings(form: ReminderForm | None = None, feed_url: str | None = None):
    """The settings page; `feed_url` is a new feed address, shown on this one page only."""
    form = form or ReminderForm(frequency=services.frequency_of(current_user).value)
    return render_template(
        "reminders/settings.html",
        form=form,
        feed_url=feed_url,
        has_feed=has_feed(current_user),
        verified=current_user.verified_at is not None,
        actions=EmptyForm(),
    )


@csrf.exempt  # RFC 8058: the mail client POSTs without a session; the signed token is the proof
@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """GET asks to confirm (link checkers follow GETs); POST turns digests off, no login
    needed. A bad or foreign signature answers 404; doing it twice is fine."""
    user = signing.user_for(token)
    if user is None:
        return render_template("reminders/unsubscribe_invalid.html"), 404
    if request.method == "POST":
        services.set_frequency(user, Frequency.OFF)
        record_event("reminders.unsubscribed", user_id=user.id)
        db.session.commit()
        return render_template("reminders/unsubscribed.html")
    return render_template("reminders/unsubscribe.html", token=token)
