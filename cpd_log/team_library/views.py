"""Team library pages: what a team owns, and its leads publishing frameworks, schemes and
crosswalks. A non-member gets 404 on every page; a member who is not a lead gets 404 on the
lead's pages too (a role they do not hold is not revealed, as on the other team pages)."""

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from cpd_log.competencies import formats, frameworks
from cpd_log.competencies.forms import FrameworkForm, ImportForm
from cpd_log.competencies.importers import FrameworkFileError
from cpd_log.competencies.services import get_visible_framework_or_404, visible_frameworks
from cpd_log.competencies.views import IMPORT_REQUEST_LIMIT, read_upload
from cpd_log.crosswalks import formats as crosswalk_formats
from cpd_log.crosswalks.checking import CrosswalkError
from cpd_log.crosswalks.forms import ImportForm as CrosswalkImportForm
from cpd_log.extensions import db
from cpd_log.models import ActivityKind, Framework
from cpd_log.models.team import TeamRole
from cpd_log.schemes.checking import DATA_DIR
from cpd_log.schemes.forms import SchemeForm
from cpd_log.schemes.services import get_available_scheme
from cpd_log.team_library import services
from cpd_log.team_library.forms import CopyFrameworkForm
from cpd_log.teams.services import membership_for

bp = Blueprint("team_library", __name__, url_prefix="/teams")


@bp.before_request
@login_required
def _require_login():
    """Every team library page is for a logged-in member."""


def _membership(team_id: int, role: TeamRole | None = None):
    """The viewer's membership holding `role` (any when None), read afresh; 404 otherwise."""
    membership = membership_for(current_user, team_id, role)
    if membership is None:
        abort(404)
    return membership


def _library(team_id: int):
    return redirect(url_for("team_library.library", team_id=team_id))


@bp.get("/<int:team_id>/library")
def library(team_id: int):
    """The team's frameworks, schemes (enrol from here) and crosswalks."""
    membership = _membership(team_id)
    copy = CopyFrameworkForm()
    copy.source.choices = _copy_choices() if membership.is_lead else []
    return render_template(
        "team_library/library.html", membership=membership, team=membership.team,
        frameworks=services.team_frameworks(team_id), copy_form=copy,
        schemes=services.team_schemes(team_id, current_user),
        crosswalks=services.team_crosswalks(team_id),
    )  # fmt: skip


def _copy_choices() -> list[SelectChoice]:
    rows = db.session.scalars(visible_frameworks(current_user).order_by(Framework.name))
    return [SelectChoice(fw.id, fw.name) for fw in rows]


@bp.route("/<int:team_id>/frameworks/new", methods=["GET", "POST"])
def new_framework(team_id: int):
    """A lead starts an empty framework for the team (then edits it in the framework editor)."""
    team = _membership(team_id, TeamRole.LEAD).team
    form = FrameworkForm()
    if form.validate_on_submit():
        fw = frameworks.create_framework(current_user, form.framework_data(), team_id=team.id)
        db.session.commit()
        flash(f"Created “{fw.name}” for {team.name}. Add its areas and competencies.", "success")
        return redirect(url_for("competencies.framework", framework_id=fw.id))
    return render_template("competencies/framework_form.html", form=form, framework=None, team=team)


@bp.route("/<int:team_id>/frameworks/import", methods=["GET", "POST"])
def import_framework(team_id: int):
    """The framework import (CASE, .matrix, CSV) into the team; one transaction."""
    request.max_content_length = IMPORT_REQUEST_LIMIT
    team = _membership(team_id, TeamRole.LEAD).team
    form = ImportForm()
    if form.validate_on_submit():
        try:
            data = formats.parse(form.format.data, read_upload(form), {})
            fw = frameworks.import_framework(
                current_user, {**data, **form.overrides()}, team_id=team.id
            )
        except FrameworkFileError as error:
            db.session.rollback()
            form.file.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Imported “{fw.name}” for {team.name}.", "success")
            return redirect(url_for("competencies.framework", framework_id=fw.id))
    return render_template("competencies/import.html", form=form, team=team)


@bp.post("/<int:team_id>/frameworks/copy")
def copy_framework(team_id: int):
    """A copy of a framework the lead sees (e.g. the shipped PMO framework) as the team's."""
    team = _membership(team_id, TeamRole.LEAD).team
    form = CopyFrameworkForm()
    form.source.choices = _copy_choices()
    if not form.validate_on_submit():
        flash("Choose a framework to copy.", "danger")
        return _library(team_id)
    source = get_visible_framework_or_404(
        form.source.data, current_user, selectinload(Framework.competencies)
    )
    copy = frameworks.import_framework(
        current_user, formats.framework_dict(source), team_id=team.id
    )
    db.session.commit()
    flash(f"Copied “{source.name}” into {team.name}: the team's leads edit this copy.", "success")
    return redirect(url_for("competencies.framework", framework_id=copy.id))


def _starting_text(scheme_id: int) -> str:
    source = get_available_scheme(current_user, scheme_id) if scheme_id else None
    if source is None:
        return (DATA_DIR / "custom.json").read_text(encoding="utf-8")
    return json.dumps(source.content, indent=2, ensure_ascii=False)


@bp.route("/<int:team_id>/schemes/new", methods=["GET", "POST"])
def new_scheme(team_id: int):
    """A lead publishes a scheme for the team (the scheme format and checks of every scheme),
    from the blank one or a copy of any scheme the lead sees (?from=<id>). The same slug with a
    new version is a new version: members' open cycles move to it, ended ones keep theirs."""
    team = _membership(team_id, TeamRole.LEAD).team
    form = SchemeForm()
    if not form.is_submitted():
        form.content.data = _starting_text(request.args.get("from", 0, type=int))
    if form.validate_on_submit():
        if services.scheme_version_exists(team.id, form.data_):
            form.content.errors.append(
                f"{team.name} already has “{form.data_['slug']}” version "
                f"{form.data_['version']}: change the version to publish a new one."
            )
        else:
            scheme = services.publish_scheme(team.id, form.data_)
            db.session.commit()
            flash(f"Published {scheme.name} (version {scheme.version}) to {team.name}.", "success")
            return _library(team.id)
    return render_template(
        "schemes/new.html", form=form, kinds=[kind.value for kind in ActivityKind], team=team
    )


@bp.route("/<int:team_id>/crosswalks/import", methods=["GET", "POST"])
def import_crosswalk(team_id: int):
    """A crosswalk CSV joining one of the team's frameworks to another; one transaction."""
    request.max_content_length = 4 * crosswalk_formats.READ_LIMIT
    team = _membership(team_id, TeamRole.LEAD).team
    form = CrosswalkImportForm()
    if form.validate_on_submit():
        with form.file.data.stream as upload:
            raw = upload.read(crosswalk_formats.READ_LIMIT + 1)
        try:
            data = crosswalk_formats.parse(
                form.format.data, raw, form.meta_data(), current_user, team.id
            )
            row = services.import_crosswalk(team.id, data)
        except CrosswalkError as error:
            db.session.rollback()
            form.file.errors.extend(error.problems)
        else:
            db.session.commit()
            flash(f"Imported “{row.name}” with {len(row.mappings)} mappings.", "success")
            return _library(team.id)
    return render_template("crosswalks/import.html", form=form, team=team)
