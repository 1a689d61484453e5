"""Activity pages: list, log, view, edit, delete."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from cpd_log.access import get_owned_or_404
from cpd_log.activities import editing, services
from cpd_log.activities.fields import LONG_TEXTS
from cpd_log.activities.forms import ActivityFilterForm, competency_choices
from cpd_log.common.dates import today_for
from cpd_log.competencies.services import competency_options
from cpd_log.extensions import db
from cpd_log.forms import EmptyForm
from cpd_log.models import Activity
from cpd_log.page_cache import page_cache
from cpd_log.trash.moving import new_batch, trash_activities
from cpd_log.trash.services import TRASH_DAYS
from cpd_log.trash.undo import flash_deleted

bp = Blueprint("activities", __name__, url_prefix="/activities")


@bp.before_request
@login_required
def _require_login():
    """Every activity page is for a logged-in owner."""


@bp.get("/")
def index():
    """The filtered, sorted, paginated list (50 a page), kept by the page cache until the user's
    data changes: each set of arguments is its own entry."""
    arguments = tuple(sorted(request.args.items(multi=True)))
    body = page_cache().body(
        current_user, today_for(current_user), ("activities", arguments), _list_body
    )
    return render_template("activities/index.html", body=body)


def _list_body(**template_context) -> str:
    filters = ActivityFilterForm(request.args)
    filters.competency.choices = [
        SelectChoice("", "Any competency"),
        *competency_choices(competency_options(current_user), value=str),
    ]
    criteria = filters.criteria()
    page = request.args.get("page", 1, type=int)
    pagination = services.list_activities(
        current_user, criteria, page, current_app.config["ITEMS_PER_PAGE"]
    )
    return render_template(
        "activities/_list_body.html", filters=filters, pagination=pagination, **template_context
    )


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = editing.activity_form()
    if not form.is_submitted():
        form.start_date.data = today_for(current_user)  # most logging is of today's learning
    if form.validate_on_submit():
        activity = services.log_activity(current_user, form.activity_data())
        db.session.commit()
        flash(f"Logged “{activity.title}”.", "success")
        return redirect(url_for("activities.detail", activity_id=activity.id))
    return editing.form_page(form, None)


@bp.get("/<int:activity_id>")
def detail(activity_id: int):
    """One activity; 404 when it is not the current user's."""
    activity = get_owned_or_404(
        Activity, activity_id, current_user, selectinload(Activity.competencies)
    )
    return render_template("activities/detail.html", activity=activity, sections=LONG_TEXTS)


@bp.route("/<int:activity_id>/edit", methods=["GET", "POST"])
def edit(activity_id: int):
    """The edit form; a save from a form older than the saved activity writes nothing and
    answers 409 with the user's input kept and the saved values beside it."""
    activity = get_owned_or_404(Activity, activity_id, current_user)
    form = editing.edit_form(activity)
    saved, conflict = editing.save_edit(form, activity)
    if saved:
        db.session.commit()
        flash("Activity saved.", "success")
        return redirect(url_for("activities.detail", activity_id=activity.id))
    return editing.form_page(form, activity, conflict)


@bp.route("/<int:activity_id>/delete", methods=["GET", "POST"])
def delete(activity_id: int):
    """Ask first (GET), delete on the confirmed POST."""
    activity = get_owned_or_404(Activity, activity_id, current_user)
    form = EmptyForm()
    if form.validate_on_submit():
        batch = new_batch()
        trash_activities(current_user, [activity.id], batch)
        db.session.commit()
        flash_deleted(f"Deleted “{activity.title}”.", batch)
        return redirect(url_for("activities.index"))
    return render_template(
        "_confirm_delete.html",
        form=form,
        title="Delete activity",
        name=activity.title,
        consequences=f"The activity moves to the Trash with its tags and evidence, restorable "
        f"for {TRASH_DAYS} days.",
        cancel_url=url_for("activities.detail", activity_id=activity.id),
    )
