"""Activity pages: list (with bulk actions), log, view, edit, delete (to the trash)."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from cpd_log.access import get_owned_or_404
from cpd_log.activities import bulk, editing, services
from cpd_log.activities.fields import LONG_TEXTS
from cpd_log.activities.forms import ActivityFilterForm, BulkForm, competency_choices
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
    filters, form = _forms(request.args)
    criteria = filters.criteria()
    page = request.args.get("page", 1, type=int)
    pagination = services.list_activities(
        current_user, criteria, page, current_app.config["ITEMS_PER_PAGE"]
    )
    return render_template(
        "activities/_list_body.html",
        filters=filters,
        bulk=form,
        filter_args=FILTER_ARGS,
        pagination=pagination,
        **template_context,
    )


# The list's filter fields: the bulk form carries them, so "all matching" is the same filter.
FILTER_ARGS = ("q", "date_from", "date_to", "kind", "status", "competency", "sort")


def _forms(formdata) -> tuple[ActivityFilterForm, BulkForm]:
    """The list's filters and the bulk action form, both offering the user's competencies."""
    choices = competency_choices(competency_options(current_user), value=str)
    filters = ActivityFilterForm(formdata)
    filters.competency.choices = [SelectChoice("", "Any competency"), *choices]
    form = BulkForm(formdata if request.method == "POST" else None, prefix="bulk-")
    form.competency.choices = [SelectChoice("", "—"), *choices]
    return filters, form


@bp.post("/bulk")
def bulk_action():
    """Apply one action to the ticked activities or all matching the filter (the user's own
    only; at most bulk.MAX_ACTIVITIES); a delete is confirmed first, then can be undone."""
    filters, form = _forms(request.form)
    back = url_for(
        "activities.index", **{k: request.form[k] for k in FILTER_ARGS if request.form.get(k)}
    )
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0], "danger")
        return redirect(back)
    ticked = None if form.scope.data == "all" else form.ids.data
    try:
        ids = bulk.chosen(current_user, filters.criteria() if ticked is None else {}, ticked)
    except bulk.TooMany:
        flash(f"At most {bulk.MAX_ACTIVITIES:,} activities at once: narrow the filter.", "danger")
        return redirect(back)
    action = bulk.BulkAction(form.action.data)
    if action is bulk.BulkAction.DELETE and form.confirm.data != "yes":
        return _confirm_bulk_delete(form, ids, back)
    batch = new_batch()
    value = {"add_competency": form.competency, "remove_competency": form.competency}.get(
        action, {"set_kind": form.kind, "set_status": form.status}.get(action)
    )
    message = bulk.run(current_user, action, ids, value and value.data, batch)
    db.session.commit()
    if action is bulk.BulkAction.DELETE:
        flash_deleted(message, batch)
    else:
        flash(message, "success")
    return redirect(back)


def _confirm_bulk_delete(form, ids: list[int], back: str):
    titles = db.session.scalars(
        select(Activity.title)
        .where(Activity.id.in_(ids))
        .order_by(Activity.start_date.desc())
        .limit(10)
    )
    fields = [
        (k, v)
        for k, v in request.form.items(multi=True)
        if k not in ("bulk-csrf_token", "bulk-confirm")
    ]
    return render_template(
        "activities/bulk_confirm.html",
        form=form,
        count=len(ids),
        titles=list(titles),
        fields=fields,
        cancel_url=back,
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
