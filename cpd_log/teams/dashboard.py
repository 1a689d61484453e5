"""The lead's page: members × their active cycles, the team's coverage, the shared portfolios.

What a member does not share is never read: progress only for members sharing it, coverage only
of members sharing it, portfolios only those the member chose for this team. A fixed number of
queries at any team size (cpd_log/teams/progress.py says how progress stays so).
"""

import csv
import io
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from sqlalchemy import bindparam, select

from cpd_log.common.dates import today_for
from cpd_log.common.spreadsheet_safety import neutralise
from cpd_log.extensions import db
from cpd_log.models import Portfolio, TeamSharedPortfolio, User
from cpd_log.models.team import Team, TeamMembership
from cpd_log.team_library.services import team_framework
from cpd_log.teams import services
from cpd_log.teams.coverage import TeamCoverage, team_coverage
from cpd_log.teams.progress import MemberCycle, member_progress
from cpd_log.templating import hours


@dataclass(frozen=True)
class MemberRow:
    membership: TeamMembership
    cycles: tuple[MemberCycle, ...] | None  # None: progress not shared
    portfolios: tuple[Portfolio, ...]

    @property
    def shares_anything(self) -> bool:
        m = self.membership
        return m.shares_progress or m.shares_competencies or bool(self.portfolios)


@dataclass(frozen=True)
class LeadDashboard:
    team: Team
    members: tuple[MemberRow, ...]
    coverage: TeamCoverage | None  # None: the team has no framework yet


def shared_portfolios(membership_ids) -> dict[int, list[Portfolio]]:
    """{membership id: the portfolios it shares with the team, by title}: one query."""
    found: dict[int, list[Portfolio]] = {}
    ids = list(membership_ids)
    if not ids:
        return found
    rows = db.session.execute(
        select(TeamSharedPortfolio.membership_id, Portfolio)
        .join(Portfolio, Portfolio.id == TeamSharedPortfolio.portfolio_id)
        .where(TeamSharedPortfolio.membership_id.in_(ids))
        .order_by(Portfolio.title, Portfolio.id)
    )
    for membership_id, portfolio in rows:
        found.setdefault(membership_id, []).append(portfolio)
    return found


@dataclass(frozen=True)
class TeamState:
    """What the lead's page shows depends on, and who may see it."""

    name: str
    leads: frozenset[int]  # the user ids of the team's leads
    key: tuple  # the page cache's key


# What the page shows of the team, one row per membership and portfolio it shares. Built once, not
# on every view, where building it took about a third of the call (PostgreSQL, 50 members; the
# server plans it every time anyway: psycopg forgets prepared statements at each request's end).
_STATE_COLUMNS = (
    TeamMembership.id, TeamMembership.shares_progress, TeamMembership.shares_competencies,
    User.id, User.created_at, User.data_version, User.display_name,
    Portfolio.id, Portfolio.title, Portfolio.date_from, Portfolio.date_to,
    TeamMembership.is_lead, User.timezone, Team.name, Team.framework_id,
)  # fmt: skip
_LEADS, _ZONE = 11, 12  # is_lead's and the timezone's places; the key holds each row up to the
# timezone, and instead of it that timezone's today
_STATE = (
    select(*_STATE_COLUMNS)
    .join(Team, Team.id == TeamMembership.team_id)
    .join(User, User.id == TeamMembership.user_id)
    .outerjoin(TeamSharedPortfolio, TeamSharedPortfolio.membership_id == TeamMembership.id)
    .outerjoin(Portfolio, Portfolio.id == TeamSharedPortfolio.portfolio_id)
    .where(TeamMembership.team_id == bindparam("team_id"))
    .order_by(TeamMembership.id, Portfolio.id)
)


def team_state(team_id: int) -> TeamState | None:
    """Read afresh on every view, in one query of plain columns (no ORM rows) at any team size:
    the team, each membership's roles and consent, its member's account (data version, creation
    time, name, today) and the portfolios it shares; None when there is no such team. With the
    lead's own data version (which every change to a shipped or a team's framework, scheme or
    crosswalk raises) the key names the page as it would be rendered now. The same query tells
    who leads the team, so the page's access check costs no query of its own."""
    rows = db.session.connection().execute(_STATE, {"team_id": team_id}).all()
    if not rows:
        return None
    today = {
        zone: today_for(SimpleNamespace(timezone=zone)).isoformat()
        for zone in {row[_ZONE] for row in rows}
    }
    shown = tuple((*row[:_ZONE], today[row[_ZONE]]) for row in rows)
    leads = frozenset(row[3] for row in rows if row[_LEADS])
    name, framework_id = rows[0][-2:]
    return TeamState(name, leads, ("team dashboard", team_id, name, framework_id, shown))


def lead_dashboard(team: Team, today: date) -> LeadDashboard:
    memberships = services.members_of(team.id)
    portfolios = shared_portfolios(m.id for m in memberships)
    sharing = [m.user for m in memberships if m.shares_progress]
    cycles = member_progress().cycles(sharing, today_for)
    rows = tuple(
        MemberRow(
            m,
            cycles.get(m.user_id) if m.shares_progress else None,
            tuple(portfolios.get(m.id, ())),
        )
        for m in memberships
    )
    framework = team_framework(team)
    covered = None
    if framework is not None:
        sharing = [m for m in memberships if m.shares_competencies]
        covered = team_coverage(framework, sharing, today)
    return LeadDashboard(team, rows, covered)


CSV_HEADERS = (
    "Member",
    "Shared",
    "Item",
    "Start",
    "End",
    "Days left",
    "Standing",
    "Counted",
    "Target",
    "Hours",
)


def dashboard_csv(page: LeadDashboard) -> bytes:
    """Exactly what the page shows of each member, one row per shared item: UTF-8 with a BOM,
    every cell formula-safe (a member's title could start with "=")."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADERS)
    columns = {}
    if page.coverage is not None:
        columns = {m.id: n for n, m in enumerate(page.coverage.members)}
    for row in page.members:
        name = row.membership.user.display_name
        for c in row.cycles or ():
            writer.writerow(
                _safe(name, "Scheme cycle", f"{c.label} ({c.scheme})", c.start, c.end)
                + _safe(c.days_left, c.standing, c.counted, c.target, "")
            )
        if page.coverage is not None and row.membership.id in columns:
            place = columns[row.membership.id]
            for line in page.coverage.rows:
                minutes = line.by_member[place]
                if minutes:
                    item = f"{line.line.code} {line.line.name}"
                    start, end = page.coverage.start, page.coverage.end
                    writer.writerow(
                        _safe(name, "Competency", item, start, end, "", "", "", "", hours(minutes))
                    )
        for p in row.portfolios:
            writer.writerow(
                _safe(name, "Portfolio", p.title, p.date_from or "", p.date_to or "")
                + _safe("", "", "", "", "")
            )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _safe(*cells) -> list[str]:
    return [neutralise(c.isoformat() if isinstance(c, date) else c) for c in cells]
