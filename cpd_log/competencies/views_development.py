"""Competency pages: description, levels, hours, tags; self-assessment, goals, the gap view."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from cpd_log.access import get_owned_or_404
from cpd_log.common.dates import today_for
from cpd_log.competencies import development, frameworks, gap
from cpd_log.competencies.blueprint import bp
from cpd_log.competencies.forms import (
    GoalForm,
    SelfAssessmentForm,
    competency_form,
    level_choices,
)
from cpd_log.competencies.services import (
    get_visible_competency_or_404,
    get_visible_framework_or_404,
    may_edit,
)
from cpd_log.extensions import db
from cpd_log.forms import EmptyForm
from cpd_log.models import Competency, Framework, Goal
from cpd_log.next_best.services import suggestions
from cpd_log.reflections.services import activity_choices
from cpd_log.schemes.progress import dashboard_cycles
from cpd_log.templating import hours


def _competency(competency_id: int) -> Competency:
    return get_visible_competency_or_404(
        competency_id, current_user, joinedload(Competency.framework), joinedload(Competency.parent)
    )


def _forms(competency: Competency, goal: Goal | None = None):
    levels = level_choices(competency.framework.levels or [])
    assess = SelfAssessmentForm(prefix="assess")
    assess.level.choices = levels
    goal_form = GoalForm(prefix="goal", obj=goal)
    goal_form.target_level.choices = levels
    goal_form.activities.choices = activity_choices(current_user)
    if request.method == "GET":
        assess.assessed_on.data = today_for(current_user)
        if goal is not None:
            goal_form.activities.data = [a.id for a in goal.activities]
    return assess, goal_form


def _page(competency: Competency, assess, goal_form, status: int = 200):
    page = development.competency_page(current_user, competency)
    if request.method == "GET" and page.current is not None:
        assess.level.data = page.current  # start from the last self-assessment
    return render_template(
        "competencies/competency.html",
        competency=competency,
        page=page,
        level_name=lambda v: development.level_name(competency.framework.levels, v),
        assess=assess,
        goal_form=goal_form,
    ), status


@bp.get("/<int:competency_id>")
def competency(competency_id: int):
    c = _competency(competency_id)
    return _page(c, *_forms(c))


@bp.post("/<int:competency_id>/assess")
def assess(competency_id: int):
    c = _competency(competency_id)
    assess_form, goal_form = _forms(c)
    if not assess_form.validate_on_submit():
        return _page(c, assess_form, goal_form, 400)
    data = assess_form
    development.assess(
        current_user, c, data.level.data, data.assessed_on.data, data.note.data or ""
    )
    db.session.commit()
    flash("Self-assessment recorded.", "success")
    return redirect(url_for("competencies.competency", competency_id=c.id))


def _valid_goal(form: GoalForm, competency: Competency, goal: Goal | None = None) -> bool:
    """The form validates and the goal is not due in the past nor a twin of an open one."""
    if not form.validate_on_submit():
        return False
    problems = development.goal_problems(
        current_user, competency, form.goal_data(), today_for(current_user), goal
    )
    for name, message in problems.items():
        form[name].errors.append(message)
    return not problems


@bp.post("/<int:competency_id>/goals")
def add_goal(competency_id: int):
    c = _competency(competency_id)
    assess_form, goal_form = _forms(c)
    if not _valid_goal(goal_form, c):
        return _page(c, assess_form, goal_form, 400)
    development.set_goal(current_user, c, goal_form.goal_data())
    db.session.commit()
    flash("Goal saved.", "success")
    return redirect(url_for("competencies.competency", competency_id=c.id))


@bp.route("/goals/<int:goal_id>/edit", methods=["GET", "POST"])
def edit_goal(goal_id: int):
    goal = get_owned_or_404(Goal, goal_id, current_user, selectinload(Goal.activities))
    c = _competency(goal.competency_id)
    _, form = _forms(c, goal)
    if _valid_goal(form, c, goal):
        development.set_goal(current_user, c, form.goal_data(), goal)
        db.session.commit()
        flash("Goal saved.", "success")
        return redirect(url_for("competencies.competency", competency_id=c.id))
    return render_template("competencies/goal_form.html", form=form, goal=goal, competency=c)


@bp.post("/goals/<int:goal_id>/delete")
def delete_goal(goal_id: int):
    goal = get_owned_or_404(Goal, goal_id, current_user)
    if EmptyForm().validate_on_submit():
        development.delete_goal(goal)
        db.session.commit()
        flash("Goal deleted.", "info")
    return redirect(url_for("competencies.competency", competency_id=goal.competency_id))


def _own_competency(competency_id: int) -> Competency:
    c = _competency(competency_id)
    if not may_edit(c.framework, current_user):
        abort(403)
    return c


@bp.route("/<int:competency_id>/edit", methods=["GET", "POST"])
def edit_competency(competency_id: int):
    c = _own_competency(competency_id)
    fw = get_visible_framework_or_404(
        c.framework_id, current_user, selectinload(Framework.competencies)
    )
    form = competency_form(fw, c)
    if request.method == "GET":
        form.parent.data = str(c.parent_id or "")
    if form.validate_on_submit():
        try:
            frameworks.save_competency(fw, form.competency_data(), c)
        except frameworks.CodeTaken as error:
            form.code.errors.append(str(error))
        else:
            db.session.commit()
            flash("Saved.", "success")
            return redirect(url_for("competencies.framework", framework_id=fw.id))
    return render_template(
        "competencies/competency_form.html", form=form, framework=fw, competency=c
    )


@bp.route("/<int:competency_id>/delete", methods=["GET", "POST"])
def delete_competency(competency_id: int):
    """Say what uses it (and, for an area, its competencies) before the confirmed delete."""
    c = _own_competency(competency_id)
    form = EmptyForm()
    if form.validate_on_submit():
        frameworks.delete_competency(c)
        db.session.commit()
        flash(f"Deleted {c.code}.", "info")
        return redirect(url_for("competencies.framework", framework_id=c.framework_id))
    used = frameworks.competency_usage(c, current_user)
    return render_template("competencies/delete.html", thing=c, used=used, form=form)


@bp.get("/frameworks/<int:framework_id>/gap")
def gap_view(framework_id: int):
    """The chart and table, and what of this framework to learn next for the active cycles."""
    fw = get_visible_framework_or_404(framework_id, current_user)
    rows = gap.gap_rows(current_user, fw)
    next_best = suggestions(
        current_user, dashboard_cycles(current_user, today_for(current_user)), fw
    )
    db.session.commit()  # cycles that began since the last visit are stored
    return render_template(
        "competencies/gap.html",
        framework=fw,
        chart=gap.chart(rows, fw.levels, hours),
        level_name=lambda v: development.level_name(fw.levels, v),
        next_best=next_best,
    )
