"""Quick capture pages: "Log it now", completing a capture, dismissing its prompt."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from cpd_log.access import get_owned_or_404
from cpd_log.activities import services as activity_services
from cpd_log.activities.forms import ActivityForm, competency_choices
from cpd_log.capture import services
from cpd_log.capture.forms import QuickCaptureForm
from cpd_log.common.dates import today_for
from cpd_log.competencies.services import competency_options
from cpd_log.extensions import db
from cpd_log.forms import EmptyForm
from cpd_log.models import Activity
from cpd_log.versions import EditConflict

bp = Blueprint("capture", __name__, url_prefix="/log")


@bp.before_request
@login_required
def _require_login():
    """Every capture page is for a logged-in owner."""


def _activity_form(activity: Activity) -> ActivityForm:
    form = ActivityForm(obj=activity)
    form.competencies.choices = competency_choices(competency_options(current_user))
    return form


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
    form = _activity_form(activity)
    if not form.is_submitted():
        form.hours.data = f"{activity.minutes / 60:g}"
        form.competencies.data = [c.id for c in activity.competencies]
    conflict = None
    if form.validate_on_submit():
        try:
            activity_services.update_activity(activity, form.activity_data(), form.version.data)
        except EditConflict:
            db.session.rollback()
            conflict = activity_services.edit_conflict(form, activity)
        else:
            services.settle_capture(activity)
            db.session.commit()
            flash("Activity completed.", "success")
            return redirect(url_for("activities.detail", activity_id=activity.id))
    page = render_template("capture/complete.html", form=form, activity=activity, conflict=conflict)
    return page, 409 if conflict is not None else 200


@bp.post("/<int:activity_id>/dismiss")
def dismiss(activity_id: int):
    """Stop prompting for this capture; the activity itself stays."""
    activity = get_owned_or_404(Activity, activity_id, current_user)
    if EmptyForm().validate_on_submit():
        services.settle_capture(activity)
        db.session.commit()
    return redirect(url_for("dashboard.index"))
