"""Appraisal test data through the real services: a team with a lead, an appraiser and a member,
a portfolio of the member's, and its submission."""

from dataclasses import dataclass
from datetime import date

from cpd_log.appraisals import services
from cpd_log.extensions import db
from cpd_log.models.team import Team, TeamMembership
from cpd_log.teams import services as teams
from tests import factories
from tests.portfolio.builders import make_portfolio


@dataclass
class Cast:
    team: Team
    lead: object
    appraiser: object
    member: object
    portfolio: object


def join(team: Team, user, *, lead: bool = False, appraiser: bool = False) -> TeamMembership:
    membership = TeamMembership(
        team_id=team.id, user_id=user.id, is_lead=lead, is_appraiser=appraiser
    )
    db.session.add(membership)
    db.session.commit()
    return membership


def make_cast(member=None, name: str = "PMO Office") -> Cast:
    """Lead Lee (lead only), appraiser Bea, member (Mia unless given) with two activities and a
    portfolio over 2026."""
    lead = factories.make_user(display_name="Lee Lead")
    team = teams.create_team(lead, name).team
    db.session.commit()
    appraiser = factories.make_user(display_name="Bea Appraiser")
    join(team, appraiser, appraiser=True)
    member = member or factories.make_user(display_name="Mia Member")
    join(team, member)
    factories.make_activity(member, title="Risk workshop", start_date=date(2026, 3, 2), minutes=180)
    factories.make_activity(member, title="PMO Flashmob", start_date=date(2026, 5, 6), minutes=90)
    portfolio = make_portfolio(
        member, "Appraisal 2026", date_from=date(2026, 1, 1), date_to=date(2026, 12, 31)
    )
    return Cast(team, lead, appraiser, member, portfolio)


def submit(cast: Cast):
    appraisal = services.submit(cast.member, cast.portfolio, cast.team.id, cast.appraiser.id)
    db.session.commit()
    return appraisal


def make_appraisal(member):
    """An appraisal submitted by `member` (the route audit's owner of an appraisal_id)."""
    return submit(make_cast(member=member))


def make_review(appraiser):
    """An appraisal submitted *to* `appraiser` (the route audit's owner of a review_id)."""
    cast = make_cast()
    join(cast.team, appraiser, appraiser=True)
    appraisal = services.submit(cast.member, cast.portfolio, cast.team.id, appraiser.id)
    db.session.commit()
    return appraisal
