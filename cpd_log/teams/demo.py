"""The demo team (`flask demo`): the demo account leads "Demo PMO" with four colleagues whose
consent differs, so the lead's dashboard shows each case: everything shared, progress only,
coverage only, nothing. The team has its own appraisal year, which Priya follows."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from cpd_log.auth.services import find_by_email, register_user
from cpd_log.demo import generate_activities
from cpd_log.extensions import db
from cpd_log.models import Framework, Portfolio
from cpd_log.models.portfolio import Audience
from cpd_log.schemes.services import available_schemes, enrol
from cpd_log.team_library.services import publish_scheme
from cpd_log.teams import services

TEAM_NAME = "Demo PMO"
# (email, name, activities, scheme slug, days since enrolment, shares progress, coverage, portfolio)
COLLEAGUES = (
    ("demo-priya@example.com", "Priya Shah", 60, "apm", 200, True, True, True),
    ("demo-tom@example.com", "Tom Becker", 15, "pmi-pmp", 900, True, False, False),
    ("demo-grace@example.com", "Grace Okafor", 40, "rics-style", 300, False, True, False),
    ("demo-sam@example.com", "Sam Lee", 30, "apm", 100, False, False, False),
)

# The team's own scheme (issue 18, Deliver 4): 30 hours a year from 1 January, at least 10 in the
# shipped PMO framework's Governance and assurance area.
APPRAISAL_YEAR = {
    "slug": "demo-pmo-appraisal-year", "name": "Demo PMO appraisal year", "version": "1",
    "source": "Demo PMO's appraisal policy (demo data)",
    "period": {"type": "cycle", "months": 12},
    "unit": {"name": "hour", "plural": "hours", "minutes": 60},
    "total_min": 30,
    "categories": [{"code": "ALL", "name": "Learning", "subcategories": [
        {"code": "GOV", "name": "Governance and assurance", "min": 10},
        {"code": "OTHER", "name": "Other areas"},
    ]}],
    "allocation": {"default": "OTHER", "competencies": {
        "framework": "pmo-practitioner", "parent": "ALL",
        "map": {f"GOV.{n}": "GOV" for n in range(1, 6)},
    }},
}  # fmt: skip
APPRAISAL_YEAR_MEMBER = "demo-priya@example.com"


def demo_team(lead, password: str, today: date) -> bool:
    """Create the demo team once (False when the lead already has a team)."""
    if services.teams_of(lead):
        return False
    framework = db.session.scalar(
        select(Framework).where(Framework.slug == "pmo-practitioner", Framework.owner_id.is_(None))
    )
    membership = services.create_team(lead, TEAM_NAME, framework.id if framework else None)
    membership.is_appraiser = True
    appraisal_year = publish_scheme(membership.team_id, APPRAISAL_YEAR)
    for n, (email, name, count, slug, days, progress, coverage, folio) in enumerate(COLLEAGUES):
        user = find_by_email(email) or register_user(email, name, password)
        user.verified_at = datetime.now(UTC)
        db.session.flush()
        generate_activities(user.id, count, years=1, tags_per_activity=2, today=today, seed=n)
        schemes = {s.slug: s for s in available_schemes(user)}
        if slug in schemes:
            enrol(user, schemes[slug], today - timedelta(days=days), schemes[slug].name, today)
        if email == APPRAISAL_YEAR_MEMBER:
            start = date(today.year, 1, 1)
            enrol(user, appraisal_year, start, appraisal_year.name, today)
        _, token = services.issue_invite(membership.team, lead)
        joined = services.accept_invite(user, token)
        portfolios = []
        if folio:
            portfolio = Portfolio(
                user_id=user.id,
                title=f"{name}: appraisal {today.year}",
                audience=Audience.APPRAISAL,
                date_from=date(today.year, 1, 1),
                date_to=today,
                competency_ids=[],
                excluded_activity_ids=[],
            )
            db.session.add(portfolio)
            db.session.flush()
            portfolios.append(portfolio.id)
        services.set_consent(
            joined, progress=progress, competencies=coverage, portfolio_ids=portfolios
        )
    db.session.flush()
    return True
