"""The pages count cycles with a tally and per-page memos (progress.compute); these tests hold
that path to the plain rules engine (rules.evaluate of a CategoryShare per category of a split)."""

from datetime import date, timedelta

from cpd_log.demo import generate_activities
from cpd_log.extensions import db
from cpd_log.models import ActivityKind
from cpd_log.models.scheme import Allocation as OwnSplit
from cpd_log.schemes import progress, rules, services
from cpd_log.schemes.periods import add_months
from cpd_log.schemes.reflection_counts import reflection_counts
from tests import factories
from tests.schemes.helpers import make_enrolment

TODAY = date.today()


def _enrolled_with_activities(user):
    """Four schemes (PMP and the employer year each in their second cycle: only PMP carries over),
    generated activities, and own splits: some that fit, some the page must set aside."""
    make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=4 * 365), "PMP")
    make_enrolment(user, "apm", TODAY - timedelta(days=100), "APM")
    make_enrolment(user, "peoplecert-axelos", TODAY - timedelta(days=200), "PRINCE2")
    make_enrolment(user, "rics-style", TODAY - timedelta(days=400), "Employer year")
    generate_activities(user.id, 400, years=4, tags_per_activity=2)
    db.session.commit()
    enrolments = services.user_enrolments(user, TODAY)
    views = progress.compute(user, [c for e in enrolments for c in e.cycles], TODAY)
    for cycle in (c for e in enrolments for c in e.cycles):
        scheme = views[cycle.id].scheme
        leaf = scheme.leaves()[-1].code
        for n, line in enumerate(
            progress.compute(user, [cycle], TODAY, {cycle.id})[cycle.id].lines[:12]
        ):
            minutes = line.activity.minutes + (60 if n % 3 == 0 else -line.activity.minutes // 2)
            code = "GONE" if n % 4 == 1 else leaf
            db.session.add(
                OwnSplit(
                    user_id=user.id,
                    cycle_id=cycle.id,
                    activity_id=line.activity.id,
                    category=code,
                    minutes=minutes,
                )
            )
    db.session.commit()
    return services.user_enrolments(user, TODAY)


def test_tally_path_agrees_with_the_rules_engine(app, user):
    enrolments = _enrolled_with_activities(user)
    cycles = [c for e in enrolments for c in e.cycles]
    views = progress.compute(user, cycles, TODAY, lines_of={c.id for c in cycles})
    counts = reflection_counts(cycles)
    assert any(line.stale for v in views.values() for line in v.lines)
    assert any(line.overridden and not line.stale for v in views.values() for line in v.lines)
    for view in views.values():
        shares = [
            rules.CategoryShare(line.activity.id, code, minutes, line.activity.last_date)
            for line in view.lines
            for code, minutes in line.split.items()
        ]
        expected = rules.evaluate(
            view.scheme, shares, counts[view.cycle.id], view.progress.carried_in
        )
        assert view.progress.rules == expected.rules
        assert view.progress.total == expected.total
        assert view.progress.by_category == expected.by_category
        end = view.cycle.end
        assert view.carry_out == rules.carry_over(view.scheme, expected, end)


def test_dashboard_builds_no_lines_and_shows_the_same_progress(app, user):
    enrolments = _enrolled_with_activities(user)
    active = progress.active_cycles(enrolments, TODAY)
    dashboard = progress.dashboard_cycles(user, TODAY)
    assert [v.cycle.id for v in dashboard] == [c.id for c in active]
    for view in dashboard:
        assert view.lines == []
        cycle = next(c for c in active if c.id == view.cycle.id)
        full = progress.compute(user, progress.with_predecessors([cycle]), TODAY, {cycle.id})
        assert full[cycle.id].lines
        assert full[cycle.id].progress.rules == view.progress.rules
        assert full[cycle.id].projection == view.projection


def test_a_predecessor_is_counted_only_when_its_surplus_can_carry_over(app, user):
    pmp = make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=4 * 365), "PMP")
    rics = make_enrolment(user, "rics-style", TODAY - timedelta(days=400), "Employer year")
    active = progress.active_cycles(services.user_enrolments(user, TODAY), TODAY)
    assert all(cycle.number == 1 for cycle in active)
    found = progress.with_predecessors(active)
    assert {(c.enrolment_id, c.number) for c in found} == {
        (pmp.id, 1),
        (pmp.id, 0),
        (rics.id, 1),
    }


def test_dashboard_groups_respect_every_window_edge(app, user):
    """Activities on each side of the cycle edge, the carry-over window's edge and the pace
    window's edge: the dashboard's grouped count must file each on the right side."""
    pmp = make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=4 * 365), "PMP")
    before, current = pmp.cycles[0], pmp.cycles[1]
    window = add_months(before.end_date, -12)
    edges = [before.end_date, window, window + timedelta(days=1), current.start_date]
    edges += [TODAY - timedelta(days=90), TODAY - timedelta(days=89), TODAY]
    for n, day in enumerate(edges):
        for minutes in (25 * 60, 15 * 60 + 15 * (n + 1)):
            factories.make_activity(user, start_date=day, minutes=minutes, kind=ActivityKind.COURSE)
    factories.make_activity(
        user,
        start_date=before.start_date + timedelta(days=3),
        minutes=60 * 60,
        kind=ActivityKind.COURSE,
    )
    db.session.commit()
    dashboard = progress.dashboard_cycles(user, TODAY)[0]
    cycles = progress.with_predecessors([current])
    full = progress.compute(user, cycles, TODAY, {current.id})[current.id]
    assert 0 < dashboard.progress.carried_in == full.progress.carried_in
    assert dashboard.progress.rules == full.progress.rules
    assert dashboard.projection == full.projection
