"""Reflection pages: list (reflections and drafts apart), write, view, edit, delete, apply."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from cpd_log.access import get_owned_or_404
from cpd_log.activities.forms import competency_choices
from cpd_log.common.dates import today_for
from cpd_log.competencies.services import competency_options
from cpd_log.extensions import db
from cpd_log.forms import EmptyForm
from cpd_log.models import Activity, Reflection
from cpd_log.reflections import apply_queue, services
from cpd_log.reflections.forms import ApplyForm, ReflectionFilterForm, ReflectionForm
from cpd_log.reflections.reflective_models import REFLECTIVE_MODELS, previous_texts, stage_texts
from cpd_log.reflections.rendering import render_markdown
from cpd_log.trash.moving import new_batch, trash_reflection
from cpd_log.trash.services import TRASH_DAYS
from cpd_log.trash.undo import flash_deleted
from cpd_log.versions import EditConflict

bp = Blueprint("reflections", __name__, url_prefix="/reflections")
bp.add_app_template_filter(render_markdown, "markdown")
bp.add_app_template_global(stage_texts, "stage_texts")
bp.add_app_template_global(previous_texts, "previous_texts")


@bp.before_request
@login_required
def _require_login():
    """Every reflection page is for a logged-in owner."""


def _form(selected_activity: int | None = None, **kwargs) -> ReflectionForm:
    form = ReflectionForm(**kwargs)
    form.competencies.choices = competency_choices(competency_options(current_user))
    form.activity.choices = [
        SelectChoice("", "None (a standalone reflection)"),
        *services.activity_choices(current_user, selected_activity),
    ]
    return form


def _render_form(form: ReflectionForm, reflection: Reflection | None, conflict=None):
    return render_template(
        "reflections/form.html",
        form=form,
        reflection=reflection,
        models=REFLECTIVE_MODELS,
        conflict=conflict,
    )


@bp.get("/")
def index():
    """Reflections, or drafts: filtered, newest first, 50 a page."""
    filters = ReflectionFilterForm(request.args)
    filters.competency.choices = [
        SelectChoice("", "Any competency"),
        *competency_choices(competency_options(current_user), value=str),
    ]
    chosen = request.args.get("activity", type=int)
    filters.activity.choices = [
        SelectChoice("", "Any activity"),
        *(
            SelectChoice(str(c.value), c.label)
            for c in services.activity_choices(current_user, chosen)
        ),
    ]
    criteria = filters.criteria()
    page = request.args.get("page", 1, type=int)
    pagination = services.list_reflections(
        current_user, criteria, page, current_app.config["ITEMS_PER_PAGE"]
    )
    return render_template(
        "reflections/index.html",
        filters=filters,
        pagination=pagination,
        drafts=criteria["drafts"],
        draft_count=services.draft_count(current_user),
        models=REFLECTIVE_MODELS,
    )


@bp.route("/new", methods=["GET", "POST"])
def create():
    """A new reflection; ?activity=<id> attaches it to one of the user's activities."""
    activity_id = request.args.get("activity", type=int)
    activity = None
    if activity_id:
        activity = get_owned_or_404(
            Activity, activity_id, current_user, selectinload(Activity.competencies)
        )
    model = request.args.get("model") if request.args.get("model") in REFLECTIVE_MODELS else "free"
    form = _form(activity_id, data={"activity": activity_id, "model": model})
    if request.method == "GET":
        form.reflected_on.data = today_for(current_user)
        if activity is not None:  # "Reflect on this": start from the activity's title and tags
            form.title.data = services.title_about(activity)
            form.competencies.data = [c.id for c in activity.competencies]
    if form.validate_on_submit():
        reflection = services.write_reflection(current_user, form.reflection_data())
        db.session.commit()
        flash("Draft saved." if reflection.is_draft else "Reflection saved.", "success")
        return redirect(url_for("reflections.detail", reflection_id=reflection.id))
    return _render_form(form, None)


def _load(reflection_id: int) -> Reflection:
    return get_owned_or_404(
        Reflection,
        reflection_id,
        current_user,
        selectinload(Reflection.competencies),
        selectinload(Reflection.activity),
        selectinload(Reflection.evidence),
    )


def _detail(reflection: Reflection, apply_form: ApplyForm):
    return render_template(
        "reflections/detail.html",
        reflection=reflection,
        model=REFLECTIVE_MODELS.get(reflection.model, REFLECTIVE_MODELS["free"]),
        apply_form=apply_form,
    )


@bp.get("/<int:reflection_id>")
def detail(reflection_id: int):
    reflection = _load(reflection_id)
    return _detail(reflection, ApplyForm(data={"applied_text": reflection.applied_text}))


@bp.route("/<int:reflection_id>/edit", methods=["GET", "POST"])
def edit(reflection_id: int):
    reflection = _load(reflection_id)
    form = _form(reflection.activity_id, obj=reflection)
    if request.method == "GET":
        form.activity.data = reflection.activity_id
        form.competencies.data = [c.id for c in reflection.competencies]
        for key, text in (reflection.stages or {}).items():
            if f"stage_{key}" in form:
                form.stage_field(key).data = text
    conflict = None
    if form.validate_on_submit():
        try:
            services.update_reflection(reflection, form.reflection_data(), form.version.data)
        except EditConflict:
            db.session.rollback()
            conflict = services.edit_conflict(form, reflection)
        else:
            db.session.commit()
            flash("Draft saved." if reflection.is_draft else "Reflection saved.", "success")
            return redirect(url_for("reflections.detail", reflection_id=reflection.id))
    return _render_form(form, reflection, conflict), 409 if conflict is not None else 200


@bp.route("/<int:reflection_id>/delete", methods=["GET", "POST"])
def delete(reflection_id: int):
    """Ask first (GET), delete on the confirmed POST."""
    reflection = _load(reflection_id)
    form = EmptyForm()
    if form.validate_on_submit():
        batch = new_batch()
        trash_reflection(current_user, reflection, batch)
        db.session.commit()
        flash_deleted(f"Deleted “{reflection.title}”.", batch)
        return redirect(url_for("reflections.index"))
    return render_template(
        "_confirm_delete.html",
        form=form,
        title="Delete reflection",
        name=reflection.title,
        consequences=f"The reflection moves to the Trash with its tags and evidence, restorable "
        f"for {TRASH_DAYS} days. The activity it is about is kept.",
        button="Delete reflection",
        cancel_url=url_for("reflections.detail", reflection_id=reflection.id),
        cancel_label="Cancel",
    )


@bp.post("/<int:reflection_id>/applied")
def applied(reflection_id: int):
    """Record how the learning was applied in practice, dated today."""
    reflection = _load(reflection_id)
    form = ApplyForm()
    if not form.validate_on_submit():
        return _detail(reflection, form), 400
    services.record_application(reflection, form.applied_text.data, today_for(current_user))
    db.session.commit()
    flash("Saved how you applied it.", "success")
    return redirect(url_for("reflections.detail", reflection_id=reflection.id))


@bp.post("/apply/<int:activity_id>")
def answer_apply(activity_id: int):
    """Answer "How did you apply it?" from the dashboard queue."""
    activity = get_owned_or_404(Activity, activity_id, current_user)
    form = ApplyForm(prefix=f"apply-{activity.id}")
    if form.validate_on_submit():
        apply_queue.answer(current_user, activity, form.applied_text.data, today_for(current_user))
        db.session.commit()
        flash(f"Saved how you applied “{activity.title}”.", "success")
    else:
        flash("Write how you applied it before saving, or dismiss the question.", "danger")
    return redirect(url_for("dashboard.index"))


@bp.post("/apply/<int:activity_id>/dismiss")
def dismiss_apply(activity_id: int):
    activity = get_owned_or_404(Activity, activity_id, current_user)
    checkpoint = request.form.get("checkpoint", type=int)
    if EmptyForm().validate_on_submit() and checkpoint in apply_queue.CHECKPOINTS:
        apply_queue.dismiss(current_user, activity, checkpoint)
        db.session.commit()
        flash(f"We will not ask about “{activity.title}” at {checkpoint} days again.", "info")
    return redirect(url_for("dashboard.index"))
