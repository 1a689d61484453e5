"""The activity edit form's page flow, in one place for the two pages that edit an activity: the
edit page and quick-capture completion. Both load the same form, save through the same service
(a save from an older form writes nothing and answers 409 with both versions) and render
templates/activities/form.html, so a field added to the form appears on both."""

from flask import render_template
from flask_login import current_user

from cpd_log.activities import services
from cpd_log.activities.forms import ActivityForm, competency_choices
from cpd_log.competencies.services import competency_options
from cpd_log.extensions import db
from cpd_log.models import Activity
from cpd_log.versions import Difference, EditConflict


def activity_form(**kwargs) -> ActivityForm:
    """The activity form with the current user's competencies to pick from."""
    form = ActivityForm(**kwargs)
    form.competencies.choices = competency_choices(competency_options(current_user))
    return form


def edit_form(activity: Activity) -> ActivityForm:
    """The form for `activity`, filled from it when first shown (a submitted form keeps the
    user's input)."""
    form = activity_form(obj=activity)
    if not form.is_submitted():
        form.hours.data = f"{activity.minutes / 60:g}"
        form.competencies.data = [c.id for c in activity.competencies]
    return form


def save_edit(form: ActivityForm, activity: Activity) -> tuple[bool, list[Difference] | None]:
    """Validate and save a submitted edit: (saved, conflict). Saved means flushed, for the view
    to commit; a conflict (a stale form) means nothing was written and lists what differs."""
    if not form.validate_on_submit():
        return False, None
    try:
        services.update_activity(activity, form.activity_data(), form.version.data)
    except EditConflict:
        db.session.rollback()
        return False, services.edit_conflict(form, activity)
    return True, None


def form_page(form: ActivityForm, activity: Activity | None, conflict=None, **page):
    """The activity form page, 409 after a refused save. `page` may set heading, intro,
    cancel_url and cancel_label (defaults: the log/edit page's)."""
    body = render_template(
        "activities/form.html", form=form, activity=activity, conflict=conflict, **page
    )
    return body, 409 if conflict is not None else 200
