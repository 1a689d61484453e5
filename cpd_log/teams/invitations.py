"""The team page with its invitations, and joining by an invitation's link.

An invitation link carries the token; the table keeps its hash (cpd_log/auth/sessions.py). The
link is shown once, on the answer to the lead's POST (never in a flash message, which would put
it in the session cookie), or mailed to the invited address.
"""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from cpd_log.extensions import db
from cpd_log.forms import EmptyForm
from cpd_log.mail.sending import compose, link, send
from cpd_log.models.team import TeamRole
from cpd_log.security_log import record_event
from cpd_log.teams import services
from cpd_log.teams.forms import InviteForm, RolesForm
from cpd_log.teams.services import INVITE_VALID_FOR, TeamError

NO_STORE = {"Cache-Control": "private, no-store"}


def role_words(lead: bool, appraiser: bool) -> str:
    words = [w for w, on in (("lead", lead), ("appraiser", appraiser)) if on]
    return " and ".join(words)


def team_page(membership, invite_form=None, new_link: str | None = None, status: int = 200):
    """The members and their roles for everyone in the team; invitations and role changes for
    its leads."""
    is_lead = TeamRole.LEAD in membership.roles
    page = render_template(
        "teams/detail.html",
        membership=membership,
        team=membership.team,
        members=services.members_of(membership.team_id),
        is_lead=is_lead,
        invites=services.open_invites(membership.team_id) if is_lead else [],
        invite_form=invite_form or InviteForm(formdata=None),
        roles_form=RolesForm,
        button=EmptyForm(),
        new_link=new_link,
        role_words=role_words,
    )
    return page, status, NO_STORE


def invite(lead, form: InviteForm):
    if not form.validate_on_submit():
        return team_page(lead, invite_form=form, status=400)
    team = lead.team
    email = form.email.data or None
    created, token = services.issue_invite(
        team, current_user, email=email, lead=form.lead.data, appraiser=form.appraiser.data
    )
    db.session.commit()
    record_event("team.invite_created", user_id=lead.user_id, team_id=team.id, mailed=bool(email))
    address = link("teams.join", token=token)
    if email:
        roles = role_words(created.is_lead, created.is_appraiser)
        days = INVITE_VALID_FOR.days
        by = current_user.display_name
        # No account may exist yet for the address: the layout greets "Hello there".
        greeted = {"display_name": "there"}
        context = {"team": team, "url": address, "roles": roles, "days": days, "by": by}
        send(compose("team_invite", email, user=greeted, **context))
        flash(f"Invitation mailed to {email}.", "success")
        return redirect(url_for("teams.detail", team_id=team.id))
    return team_page(lead, new_link=address)


def join(token: str):
    """GET shows the team the link leads to; POST joins it. A dead link says so (404)."""
    invitation = services.find_invite(token)
    if invitation is None:
        return render_template("teams/join.html", invitation=None, form=None), 404, NO_STORE
    form = EmptyForm()
    problem = None
    if form.validate_on_submit():
        try:
            membership = services.accept_invite(current_user, token)
        except TeamError as refused:
            db.session.rollback()
            problem = str(refused)
        else:
            db.session.commit()
            record_event("team.joined", user_id=current_user.id, team_id=membership.team_id)
            flash(
                f"You joined “{invitation.team.name}”. It sees nothing of your record until "
                "you choose below.",
                "success",
            )
            return redirect(url_for("teams.consent", team_id=membership.team_id))
    page = render_template(
        "teams/join.html",
        invitation=invitation,
        form=form,
        problem=problem,
        roles=role_words(invitation.is_lead, invitation.is_appraiser),
    )
    return page, 400 if problem else 200, NO_STORE
