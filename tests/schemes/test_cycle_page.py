"""The cycle page a page of activities at a time: its totals, lines and pre-audit findings are
those of counting every activity of the cycle one by one (the engine the page used before)."""

from dataclasses import replace
from datetime import date, timedelta

from cpd_log.claims import preaudit_loading
from cpd_log.competencies.services import seed_frameworks
from cpd_log.crosswalks.services import seed_crosswalks
from cpd_log.demo import generate_activities
from cpd_log.extensions import db
from cpd_log.models import Activity
from cpd_log.models.scheme import Cycle
from cpd_log.schemes import progress, services
from tests import factories
from tests.schemes.helpers import make_enrolment

TODAY = date.today()
PER_PAGE = 20


def _line(line) -> tuple:
    return (line.activity.id, line.split, line.overridden, line.stale, line.reason)


def _user_with_splits(user) -> Cycle:
    """Four schemes, 400 tagged activities over four years, own splits (one of them stale) and
    one activity begun before the PMP cycle."""
    seed_frameworks()
    seed_crosswalks()
    for slug, days, label in (
        ("pmi-pmp", 4 * 365, "PMP"),
        ("apm", 100, "APM"),
        ("peoplecert-axelos", 200, "PRINCE2"),
        ("rics-style", 20, "Employer year"),
    ):
        make_enrolment(user, slug, TODAY - timedelta(days=days), label)
    generate_activities(user.id, 400, years=4, tags_per_activity=3)
    db.session.commit()
    cycle = db.session.scalars(db.select(Cycle).order_by(Cycle.id)).first()
    inside = db.session.scalars(
        db.select(Activity)
        .where(Activity.user_id == user.id, Activity.last_date >= cycle.start_date)
        .where(Activity.last_date <= cycle.end_date)
        .order_by(Activity.last_date, Activity.start_date, Activity.id)
    ).all()
    leaf = next(iter(progress.compute(user, [cycle], TODAY)[cycle.id].scheme.leaves())).code
    for activity in inside[:3]:
        services.set_split(cycle, activity.id, {leaf: activity.minutes})
    inside[0].minutes -= 1  # shortened since: its split no longer fits
    factories.make_activity(
        user, [], start_date=cycle.start_date - timedelta(days=2), end_date=cycle.start_date
    )
    db.session.commit()
    return cycle


def test_the_pages_count_what_every_activity_counted_one_by_one_counts(app, user):
    cycle = _user_with_splits(user)
    cycles = progress.with_predecessors([cycle])
    full = progress.compute(user, cycles, TODAY, lines_of={cycle.id})[cycle.id]
    paged, first = progress.cycle_page(user, cycle, TODAY, 1, PER_PAGE)

    assert paged.progress.rules == full.progress.rules
    assert (paged.progress.total, paged.progress.by_category) == (
        full.progress.total,
        full.progress.by_category,
    )
    assert (paged.carry_out, paged.warning, paged.projection) == (
        full.carry_out,
        full.warning,
        full.projection,
    )
    lines = []
    for number in range(1, first.pages + 1):
        _, page = progress.cycle_page(user, cycle, TODAY, number, PER_PAGE)
        assert len(page.items) <= PER_PAGE
        lines.extend(page.items)
    assert first.total == paged.completed == len(full.lines) > 2 * PER_PAGE
    assert [_line(line) for line in lines] == [_line(line) for line in full.lines]
    assert sum(line.stale for line in lines) == 1 and sum(line.overridden for line in lines) == 3

    expected = preaudit_loading.findings(user, cycle, full)
    assert expected  # the activity begun before the cycle at least
    assert preaudit_loading.page_findings(user, cycle, paged) == expected
    assert preaudit_loading.page_findings(user, cycle, replace(paged, lines=[])) == expected


def test_the_page_shows_a_page_of_lines_and_links_the_others(logged_in, user):
    cycle = _user_with_splits(user)
    first = logged_in.get(f"/schemes/cycles/{cycle.id}").get_data(as_text=True)
    per_page = logged_in.application.config["ITEMS_PER_PAGE"]
    total = progress.cycle_page(user, cycle, TODAY, 1, per_page)[1].total
    assert total > per_page
    assert first.count('data-testid="line"') == per_page
    assert f"/schemes/cycles/{cycle.id}?page=2" in first
    last_number = -(-total // per_page)
    last = logged_in.get(f"/schemes/cycles/{cycle.id}?page={last_number}").get_data(as_text=True)
    assert last.count('data-testid="line"') == total - per_page * (last_number - 1)
    assert "Your own split no longer fits" in first  # the stale split is among the first


def test_the_split_page_finds_an_activity_on_any_page_and_refuses_others(logged_in, user):
    cycle = _user_with_splits(user)
    per_page = logged_in.application.config["ITEMS_PER_PAGE"]
    _, last = progress.cycle_page(user, cycle, TODAY, 99, per_page)
    assert last.items == []
    _, page = progress.cycle_page(user, cycle, TODAY, 2, per_page)
    activity = page.items[-1].activity
    assert logged_in.get(f"/schemes/cycles/{cycle.id}/activities/{activity.id}").status_code == 200
    outside = factories.make_activity(user, [], start_date=cycle.start_date - timedelta(days=30))
    db.session.commit()
    url = f"/schemes/cycles/{cycle.id}/activities/{outside.id}"
    assert logged_in.get(url).status_code == 404
