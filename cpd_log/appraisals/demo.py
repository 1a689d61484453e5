"""The demo's appraisals (`flask demo`): in the demo team, whose lead (the demo account) is also
its appraiser, Priya's appraisal portfolio is submitted, commented on and signed off (so her PDF
prints the sign-off), and Tom's waits for the demo account to appraise it."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from cpd_log.appraisals import services, snapshot
from cpd_log.auth.services import find_by_email
from cpd_log.extensions import db
from cpd_log.models import Portfolio
from cpd_log.models.portfolio import Audience
from cpd_log.teams.demo import TEAM_NAME
from cpd_log.teams.services import teams_of


def _portfolio(user, today: date) -> Portfolio:
    """The member's demo appraisal portfolio (the team demo made Priya's), or a new one."""
    found = db.session.scalar(
        select(Portfolio).where(Portfolio.user_id == user.id).order_by(Portfolio.id)
    )
    if found is not None:
        return found
    portfolio = Portfolio(
        user_id=user.id,
        title=f"{user.display_name}: appraisal {today.year}",
        audience=Audience.APPRAISAL,
        date_from=date(today.year, 1, 1),
        date_to=today,
        competency_ids=[],
        excluded_activity_ids=[],
        excluded_reflection_ids=[],
    )
    db.session.add(portfolio)
    db.session.flush()
    return portfolio


def demo_appraisals(lead, today: date) -> int:
    """Submit the two colleagues' portfolios to the demo lead; sign Priya's off. Returns how
    many were submitted (0 when the demo team is missing)."""
    team = next((m.team for m in teams_of(lead) if m.team.name == TEAM_NAME), None)
    if team is None:
        return 0
    now = datetime.now(UTC)
    submitted = 0
    for email, sign in (("demo-priya@example.com", True), ("demo-tom@example.com", False)):
        member = find_by_email(email)
        if member is None:
            continue
        appraisal = services.submit(member, _portfolio(member, today), team.id, lead.id, now)
        submitted += 1
        if sign:
            first = snapshot.activities(appraisal.snapshot)[:1]
            services.add_comment(
                lead,
                appraisal,
                appraisal.round,
                first[0]["id"] if first else None,
                "Good range of learning; tell me how you applied it at the next 1:1.",
                now,
            )
            services.decide(lead, appraisal, appraisal.round, True, "", now)
    return submitted
