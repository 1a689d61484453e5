"""The lead's pages: the team dashboard, its CSV, the team framework, a shared portfolio.

Only leads of the team reach them (anyone else: 404), and they show only what each member
shares with this team, read afresh on every request.
"""

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from cpd_log.common.dates import today_for
from cpd_log.extensions import db
from cpd_log.models import Framework, Portfolio, TeamSharedPortfolio
from cpd_log.models.team import Team, TeamMembership, TeamRole
from cpd_log.page_cache import page_cache
from cpd_log.portfolio import services as portfolios
from cpd_log.teams import services
from cpd_log.teams.dashboard import dashboard_csv, lead_dashboard, team_state
from cpd_log.teams.forms import FrameworkForm

bp = Blueprint("team_lead", __name__, url_prefix="/teams")
NO_STORE = {"Cache-Control": "private, no-store"}


@bp.before_request
@login_required
def _require_login():
    """Leads only; each view checks the lead's membership of the team in the URL."""


def _lead_or_404(team_id: int) -> TeamMembership:
    membership = services.membership_for(current_user, team_id, TeamRole.LEAD)
    if membership is None:
        abort(404)
    return membership


def _framework_form(team) -> FrameworkForm:
    form = FrameworkForm(formdata=None, framework=team.framework_id or 0)
    form.framework.choices = [(0, "— choose a framework —")] + [
        (fid, name) for fid, name in services.framework_choices(team.id)
    ]
    return form


@bp.get("/<int:team_id>/dashboard")
def dashboard(team_id: int):
    """The body is kept by the page cache under the lead's data version and today and what
    the page shows of the team (dashboard.team_state: consent, members' data versions, shared
    portfolios), read afresh on every view in the same query that says who leads the team."""
    state = team_state(team_id)
    if state is None or current_user.id not in state.leads:
        abort(404)
    today = today_for(current_user)
    body = page_cache().body(
        current_user, today, state.key, lambda **kw: _body(_team(team_id), today, **kw)
    )
    return render_template("teams/dashboard.html", team_name=state.name, body=body), 200, NO_STORE


def _team(team_id: int) -> Team:
    return db.session.get(Team, team_id)


def _body(team, today, **template_context) -> str:
    page = lead_dashboard(team, today)
    body = render_template(
        "teams/_dashboard_body.html",
        page=page,
        team=team,
        form=_framework_form(team),
        **template_context,
    )
    # After rendering (a commit expires every row the page shows): cycles that began since a
    # member's last visit are stored.
    db.session.commit()
    return body


@bp.get("/<int:team_id>/dashboard.csv")
def dashboard_export(team_id: int):
    lead = _lead_or_404(team_id)
    page = lead_dashboard(lead.team, today_for(current_user))
    data = dashboard_csv(page)
    db.session.commit()
    name = f"team-{team_id}-{today_for(current_user).isoformat()}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', **NO_STORE}
    return Response(data, mimetype="text/csv", headers=headers)


@bp.post("/<int:team_id>/framework")
def framework(team_id: int):
    """The framework the coverage heat-map is drawn against (any the app ships)."""
    lead = _lead_or_404(team_id)
    form = FrameworkForm()
    form.framework.choices = [(0, "")] + services.framework_choices(lead.team.id)
    if not form.validate_on_submit() or not form.framework.data:
        flash("Choose one of the listed frameworks.", "danger")
        return redirect(url_for("team_lead.dashboard", team_id=team_id))
    lead.team.framework_id = db.session.get(Framework, form.framework.data).id
    db.session.commit()
    flash("Team framework saved.", "success")
    return redirect(url_for("team_lead.dashboard", team_id=team_id))


@bp.get("/<int:team_id>/portfolios/<int:portfolio_id>")
def portfolio(team_id: int, portfolio_id: int):
    """A portfolio a current member shares with this team, read-only."""
    lead = _lead_or_404(team_id)
    shared = db.session.scalar(
        select(Portfolio)
        .join(TeamSharedPortfolio, TeamSharedPortfolio.portfolio_id == Portfolio.id)
        .join(TeamMembership, TeamMembership.id == TeamSharedPortfolio.membership_id)
        .where(
            Portfolio.id == portfolio_id,
            TeamMembership.team_id == team_id,
            TeamMembership.user_id == Portfolio.user_id,
        )
    )
    if shared is None:
        abort(404)
    content = portfolios.gather(shared)
    body = render_template("teams/portfolio.html", team=lead.team, content=content)
    return body, 200, NO_STORE
