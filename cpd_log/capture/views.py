"""Quick capture pages: "Log it now", completing a capture, dismissing its prompt."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from cpd_log.access import get_owned_or_404
from cpd_log.activities import editing
from cpd_log.capture import services
from cpd_log.capture.forms import QuickCaptureForm
from cpd_log.common.dates import today_for
from cpd_log.extensions import db
from cpd_log.forms import EmptyForm
from cpd_log.models import Activity

bp = Blueprint("capture", __name__, url_prefix="/log")


@bp.before_request
@login_required
def _require_login():
    """Every capture page is for a logged-in owner."""


@bp.route("/", methods=["GET", "POST"])
def quick():
    """Title, kind, hours and one line: saved as a completed activity dated today."""
    form = QuickCaptureForm()
    if form.validate_on_submit():
        data = form.capture_data()
        activity = services.capture_activity(current_user, data, today_for(current_user))
        db.session.commit()
        flash(f"Logged “{activity.title}”. Add the details later from your dashboard.", "success")
        return redirect(url_for("dashboard.index"))
    return render_template("capture/quick.html", form=form)


@bp.route("/<int:activity_id>/complete", methods=["GET", "POST"])
def complete(activity_id: int):
    """The full form for a captured activity; saving it clears the dashboard prompt. A save
    from a form older than the saved activity writes nothing (409, both versions shown)."""
    activity = get_owned_or_404(Activity, activity_id, current_user)
    form = editing.edit_form(activity)
    saved, conflict = editing.save_edit(form, activity)
    if saved:
        services.settle_capture(activity)
        db.session.commit()
        flash("Activity completed.", "success")
        return redirect(url_for("activities.detail", activity_id=activity.id))
    return editing.form_page(
        form,
        activity,
        conflict,
        heading=f"Complete “{activity.title}”",
        intro="Add where it was, what you learned and which competencies it built. "
        "Saving clears the reminder on your dashboard.",
        cancel_url=url_for("dashboard.index"),
        cancel_label="Later",
    )


@bp.post("/<int:activity_id>/dismiss")
def dismiss(activity_id: int):
    """Stop prompting for this capture; the activity itself stays."""
    activity = get_owned_or_404(Activity, activity_id, current_user)
    if EmptyForm().validate_on_submit():
        services.settle_capture(activity)
        db.session.commit()
    return redirect(url_for("dashboard.index"))
