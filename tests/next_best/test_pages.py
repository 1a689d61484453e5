"""The next best activity on the dashboard and the gap view (issue 12, item 6)."""

from datetime import date, timedelta

from sqlalchemy import select

from cpd_log.competencies.services import seed_frameworks
from cpd_log.crosswalks.services import seed_crosswalks
from cpd_log.demo import generate_activities
from cpd_log.extensions import db
from cpd_log.models import ActivityKind, Competency, Framework
from tests import factories
from tests.schemes.helpers import make_enrolment, mark_one

TODAY = date.today()


def _seeded() -> dict[str, Competency]:
    """The shipped frameworks and crosswalks; every competency by code."""
    seed_frameworks()
    seed_crosswalks()
    db.session.commit()
    return {c.code: c for c in db.session.scalars(select(Competency))}


def _framework(slug: str) -> Framework:
    return db.session.scalar(select(Framework).where(Framework.slug == slug))


def _course(user, tags, days_ago=2, minutes=240):
    day = TODAY - timedelta(days=days_ago)
    return factories.make_activity(
        user, tags, kind=ActivityKind.COURSE, start_date=day, minutes=minutes
    )


def test_the_dashboard_says_what_closes_power_skills_with_the_goal_first(logged_in, user):
    codes = _seeded()
    make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=100), "PMP")
    _course(user, [codes["STK.3"]])  # 4 h of Power Skills through the PMO crosswalk
    _course(user, [codes["TT.WOW"]], minutes=480)
    _course(user, [codes["TT.BA"]], minutes=480)
    factories.make_goal(user, codes["STK.3"], target_level=3)
    db.session.commit()
    page = logged_in.get("/dashboard").data.decode()
    assert 'data-testid="next-best"' in page
    first = page.split('data-testid="next-best-item">')[1]
    assert first.startswith(
        "4 h on STK.3 Influencing and negotiation closes Power Skills for PMP and works "
        "toward your goal for STK.3."
    )
    assert f'href="/competencies/{codes["STK.3"].id}"' in first.split("</li>")[0]


def test_nothing_is_suggested_without_schemes_or_once_the_areas_are_met(logged_in, user):
    codes = _seeded()
    assert 'data-testid="next-best"' not in logged_in.get("/dashboard").data.decode()
    make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=100), "PMP")
    for code in ("TT.WOW", "TT.PS", "TT.BA"):
        _course(user, [codes[code]], minutes=480)
    assert 'data-testid="next-best"' not in logged_in.get("/dashboard").data.decode()


def test_the_gap_view_suggests_only_its_own_frameworks_competencies(logged_in, user):
    codes = _seeded()
    make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=100), "PMP")
    _course(user, [codes["STK.3"]])
    factories.make_goal(user, codes["STK.3"], target_level=3)
    pmo = _framework("pmo-practitioner")
    page = logged_in.get(f"/competencies/frameworks/{pmo.id}/gap").data.decode()
    items = page.split('data-testid="next-best-item">')[1:]
    assert items[0].startswith("4 h on STK.3 Influencing and negotiation closes Power Skills")
    assert all(" closes " in item for item in items)
    assert not any(" on TT." in item for item in items)  # the Talent Triangle's own codes
    tt = _framework("pmi-talent-triangle")
    page = logged_in.get(f"/competencies/frameworks/{tt.id}/gap").data.decode()
    assert "8 h on TT.WOW Ways of Working closes Ways of Working for PMP." in page
    own = factories.make_framework(owner=user)  # reaches no scheme
    page = logged_in.get(f"/competencies/frameworks/{own.id}/gap").data.decode()
    assert 'data-testid="next-best"' not in page


def _queries(client, count_queries, url: str) -> int:
    with count_queries() as statements:
        page = client.get(url).data.decode()
    assert 'data-testid="next-best-item"' in page
    return len(statements)


def test_queries_stay_constant_with_the_data(logged_in, user, count_queries, uncached):
    codes = _seeded()
    make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=4 * 365), "PMP")
    make_enrolment(user, "pmi-acp", TODAY - timedelta(days=30), "ACP")
    _course(user, [codes["STK.3"]])
    factories.make_goal(user, codes["STK.3"], target_level=3)
    pmo = _framework("pmo-practitioner")
    pages = ("/dashboard", f"/competencies/frameworks/{pmo.id}/gap")
    logged_in.get("/dashboard")  # the first visit stores the cycles (and counts them whole)
    mark_one(user)  # each measured view is the first after a write (schemes/kept.py)
    small = [_queries(logged_in, count_queries, url) for url in pages]
    generate_activities(user.id, 300, years=4, tags_per_activity=2)
    for code in ("STK.1", "FIN.1", "GOV.1"):
        factories.make_goal(user, codes[code], target_level=2)
    db.session.commit()
    logged_in.get("/dashboard")  # keeps the 300 counted
    mark_one(user)
    assert [_queries(logged_in, count_queries, url) for url in pages] == small


def test_a_new_goal_refreshes_the_kept_dashboard(logged_in, user):
    codes = _seeded()
    make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=100), "PMP")
    _course(user, [codes["STK.3"]])
    assert "your goal for STK.3" not in logged_in.get("/dashboard").data.decode()
    factories.make_goal(user, codes["STK.3"], target_level=3)
    db.session.commit()
    assert "works toward your goal for STK.3." in logged_in.get("/dashboard").data.decode()
