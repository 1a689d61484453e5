"""Cycles counted through the shipped crosswalks (issue 12, item 3), in the database and pages."""

from datetime import date, timedelta

from sqlalchemy import update

from cpd_log.demo import generate_activities
from cpd_log.extensions import db
from cpd_log.models import Crosswalk, CrosswalkMapping
from cpd_log.schemes import progress, services
from tests.schemes.helpers import make_course, make_enrolment, mark_one, seeded_pmo

TODAY = date.today()


def test_a_pmo_tagged_course_counts_as_power_skills_and_the_cycle_page_says_why(logged_in, user):
    pmo = seeded_pmo()
    cycle = make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=100), "PMP").cycles[0]
    make_course(user, [pmo["STK.3"]], TODAY - timedelta(days=2))
    view = progress.dashboard_cycles(user, TODAY)[0]
    assert view.progress.by_category["EDU.PS"] == 240
    page = logged_in.get(f"/schemes/cycles/{cycle.id}").data.decode()
    assert "STK.3 Influencing and negotiation → Power Skills (PMO framework crosswalk)" in page
    assert "Power Skills: 4 PDUs" in page


def test_a_manual_split_still_wins(logged_in, user):
    pmo = seeded_pmo()
    cycle = make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=100), "PMP").cycles[0]
    course = make_course(user, [pmo["STK.3"]], TODAY - timedelta(days=2))
    services.set_split(cycle, course.id, {"EDU.BA": 240})
    db.session.commit()
    for view in (
        progress.dashboard_cycles(user, TODAY)[0],
        progress.compute(user, [cycle], TODAY, {cycle.id})[cycle.id],
    ):
        assert view.progress.by_category["EDU.PS"] == 0
        assert view.progress.by_category["EDU.BA"] == 240


def test_an_ended_cycle_keeps_the_crosswalk_version_it_ended_with(app, user):
    pmo = seeded_pmo()
    enrolment = make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=4 * 365), "PMP")
    ended, current = enrolment.cycles
    for cycle in (ended, current):
        make_course(user, [pmo["STK.3"]], cycle.end_date - timedelta(days=400))
    # The shipped version was loaded before the first cycle ended; a later one maps STK.3 to
    # Business Acumen (a fake change, for the test).
    db.session.execute(update(Crosswalk).values(created_at=ended.end_date - timedelta(days=30)))
    newer = Crosswalk(
        slug="pmo-practitioner-talent-triangle",
        version="2.0",
        name="PMO framework crosswalk",
        from_framework="pmo-practitioner",
        to_framework="pmi-talent-triangle",
        mappings=[
            CrosswalkMapping(from_code="STK.3", to_code="TT.BA", relation="related", reason="x")
        ],
    )
    db.session.add(newer)  # loaded today
    db.session.commit()
    views = progress.compute(user, [ended, current], TODAY, {ended.id, current.id})
    assert views[ended.id].progress.by_category["EDU.PS"] == 240
    assert views[current.id].progress.by_category["EDU.PS"] == 0  # related: not counted
    assert views[current.id].progress.by_category["EDU.NONE"] == 240


def test_a_cycle_that_ended_before_crosswalks_existed_counts_without_them(app, user):
    pmo = seeded_pmo()
    ended = make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=4 * 365), "PMP").cycles[0]
    make_course(user, [pmo["STK.3"]], ended.end_date - timedelta(days=5))
    view = progress.compute(user, [ended], TODAY, {ended.id})[ended.id]
    assert view.progress.by_category["EDU.PS"] == 0


def test_the_dashboard_counts_groups_of_tagged_activities_like_the_cycle_page(app, user):
    seeded_pmo()
    make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=4 * 365), "PMP")
    make_enrolment(user, "apm", TODAY - timedelta(days=100), "APM")
    generate_activities(user.id, 400, years=4, tags_per_activity=2)
    db.session.commit()
    enrolments = services.user_enrolments(user, TODAY)
    active = progress.active_cycles(enrolments, TODAY)
    for view in progress.dashboard_cycles(user, TODAY):
        cycle = next(c for c in active if c.id == view.cycle.id)
        full = progress.compute(user, progress.with_predecessors([cycle]), TODAY, {cycle.id})
        assert full[cycle.id].progress.rules == view.progress.rules
        assert full[cycle.id].projection == view.projection
    pmp = progress.dashboard_cycles(user, TODAY)[0]
    assert pmp.progress.by_category["EDU.PS"] > 0 and pmp.progress.by_category["EDU.BA"] > 0


def _dashboard_queries(client, count_queries) -> int:
    with count_queries() as statements:
        page = client.get("/dashboard").data.decode()
    assert page.count('data-testid="cycle-card"') == 3
    return len(statements)


def test_dashboard_queries_stay_constant_with_crosswalks(logged_in, user, count_queries, uncached):
    pmo = seeded_pmo()
    for slug, days, label in (
        ("pmi-pmp", 4 * 365, "PMP"),
        ("apm", 100, "APM"),
        ("pmi-capm", 30, "CAPM"),
    ):
        make_enrolment(user, slug, TODAY - timedelta(days=days), label)
    make_course(user, [pmo["STK.3"]], TODAY - timedelta(days=3))
    logged_in.get("/dashboard")  # the first visit stores the cycles (and counts them whole)
    mark_one(user)  # each measured view is the first after a write (kept.py)
    small = _dashboard_queries(logged_in, count_queries)
    generate_activities(user.id, 300, years=4, tags_per_activity=2)
    db.session.commit()
    logged_in.get("/dashboard")  # keeps the 300 counted
    mark_one(user)
    assert _dashboard_queries(logged_in, count_queries) == small
