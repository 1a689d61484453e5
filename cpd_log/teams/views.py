"""Teams: create, invite, join, leave, remove; the member's consent.

Every page with a team id loads the membership through `_membership_or_404`: not a member (or
not in the role the page needs) answers 404, so a team's existence is never revealed. Nothing is
cached, so a removal or a withdrawn consent holds from the next request on.
"""

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from cpd_log.extensions import db
from cpd_log.forms import EmptyForm
from cpd_log.models.team import TeamRole
from cpd_log.security_log import record_event
from cpd_log.teams import invitations, services
from cpd_log.teams.forms import ConsentForm, InviteForm, RolesForm, TeamForm
from cpd_log.teams.services import TeamError

bp = Blueprint("teams", __name__, url_prefix="/teams")


@bp.before_request
@login_required
def _require_login():
    """Every team page is for a logged-in member (the join page sends others to log in)."""


def _membership_or_404(team_id: int, role: TeamRole | None = None):
    membership = services.membership_for(current_user, team_id, role)
    if membership is None:
        abort(404)
    return membership


def _posted() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


@bp.route("/", methods=["GET", "POST"])
def index():
    """The user's teams, and a form to start one (its creator becomes its lead)."""
    form = TeamForm()
    if form.validate_on_submit():
        membership = services.create_team(current_user, form.name.data)
        db.session.commit()
        flash(f"Team “{membership.team.name}” created. Invite its members.", "success")
        return redirect(url_for("teams.detail", team_id=membership.team_id))
    return render_template(
        "teams/index.html", memberships=services.teams_of(current_user), form=form
    )


@bp.get("/<int:team_id>")
def detail(team_id: int):
    return invitations.team_page(_membership_or_404(team_id))


@bp.post("/<int:team_id>/invites")
def invite(team_id: int):
    """A lead invites by link (shown once, on this response only) or by mail."""
    return invitations.invite(_membership_or_404(team_id, TeamRole.LEAD), InviteForm())


@bp.post("/<int:team_id>/invites/<int:invite_id>/revoke")
def revoke_invite(team_id: int, invite_id: int):
    lead = _membership_or_404(team_id, TeamRole.LEAD)
    _posted()
    if not services.revoke_invite(team_id, invite_id):
        abort(404)
    db.session.commit()
    record_event("team.invite_revoked", user_id=lead.user_id, team_id=team_id)
    flash("Invitation withdrawn: its link no longer works.", "info")
    return redirect(url_for("teams.detail", team_id=team_id))


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token: str):
    return invitations.join(token)


@bp.post("/<int:team_id>/leave")
def leave(team_id: int):
    membership = _membership_or_404(team_id)
    _posted()
    try:
        services.leave(membership)
    except TeamError as refused:
        flash(str(refused), "danger")
        return redirect(url_for("teams.detail", team_id=team_id))
    db.session.commit()
    record_event("team.left", user_id=current_user.id, team_id=team_id)
    flash("You left the team. It sees nothing of your record any more.", "info")
    return redirect(url_for("teams.index"))


@bp.post("/<int:team_id>/members/<int:membership_id>/remove")
def remove(team_id: int, membership_id: int):
    lead = _membership_or_404(team_id, TeamRole.LEAD)
    _posted()
    if membership_id == lead.id:
        abort(404)  # leaving is the leave button
    try:
        found = services.remove_member(team_id, membership_id)
    except TeamError as refused:
        flash(str(refused), "danger")
        return redirect(url_for("teams.detail", team_id=team_id))
    if not found:
        abort(404)
    db.session.commit()
    record_event("team.member_removed", user_id=lead.user_id, team_id=team_id)
    flash("Member removed: the team sees nothing of their record any more.", "info")
    return redirect(url_for("teams.detail", team_id=team_id))


@bp.post("/<int:team_id>/members/<int:membership_id>/roles")
def roles(team_id: int, membership_id: int):
    lead = _membership_or_404(team_id, TeamRole.LEAD)
    member = services.member_of_team(team_id, membership_id)
    form = RolesForm()
    if member is None or not form.validate_on_submit():
        abort(404 if member is None else 400)
    try:
        services.set_roles(member, lead=form.lead.data, appraiser=form.appraiser.data)
    except TeamError as refused:
        flash(str(refused), "danger")
        return redirect(url_for("teams.detail", team_id=team_id))
    db.session.commit()
    record_event("team.roles_changed", user_id=lead.user_id, team_id=team_id)
    flash(f"Roles of {member.user.display_name} saved.", "success")
    return redirect(url_for("teams.detail", team_id=team_id))


@bp.route("/<int:team_id>/consent", methods=["GET", "POST"])
def consent(team_id: int):
    """What this team sees of the member's record; off until turned on, withdrawn any time."""
    membership = _membership_or_404(team_id)
    form = ConsentForm()
    form.portfolios.choices = services.own_portfolio_choices(current_user)
    if form.validate_on_submit():
        services.set_consent(
            membership,
            progress=form.progress.data,
            competencies=form.competencies.data,
            portfolio_ids=form.portfolios.data or (),
            now=datetime.now(UTC),
        )
        db.session.commit()
        record_event("team.consent_changed", user_id=current_user.id, team_id=team_id)
        flash("Saved. The team sees exactly what is ticked, from now on.", "success")
        return redirect(url_for("teams.consent", team_id=team_id))
    if not form.is_submitted():
        now = services.consent_of(membership)
        form.progress.data, form.competencies.data = now.progress, now.competencies
        form.portfolios.data = sorted(now.portfolio_ids)
    return render_template("teams/consent.html", membership=membership, form=form)
