"""A cycle's burn-up: checkpoints, the pace line, caps and carry-over, and agreement with the
counting the cycle page does activity by activity."""

from datetime import date, timedelta

from cpd_log.models import ActivityKind
from cpd_log.schemes import progress as scheme_progress
from cpd_log.schemes.checking import DATA_DIR, read_scheme_file
from cpd_log.schemes.progress import CycleInfo, CycleView, dashboard_cycles
from cpd_log.schemes.rules import NOT_MET, Progress, RuleResult
from cpd_log.schemes.services import user_enrolments
from cpd_log.trends.burnup import burn_up, checkpoints, pace
from cpd_log.trends.chart import burnup_chart
from tests import factories
from tests.schemes.helpers import make_enrolment, talent_triangle

TODAY = date.today()


def test_checkpoints_are_the_first_day_each_month_end_and_today():
    days = checkpoints(date(2026, 1, 14), date(2026, 12, 31), date(2026, 3, 5))
    assert days == [date(2026, 1, 14), date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 5)]
    # A cycle that has not begun has its first day only; one that has ended stops at its end.
    assert checkpoints(date(2026, 5, 1), date(2026, 12, 31), date(2026, 3, 5)) == [date(2026, 5, 1)]
    assert checkpoints(date(2025, 11, 15), date(2025, 12, 31), date(2026, 3, 5))[-2:] == [
        date(2025, 11, 30),
        date(2025, 12, 31),
    ]


def test_pace_runs_straight_from_nothing_to_the_target():
    start, end = date(2026, 1, 1), date(2026, 12, 31)  # 365 days
    assert pace(365 * 60, start, end, date(2025, 12, 31)) == 0
    assert pace(365 * 60, start, end, start) == 60
    assert pace(365 * 60, start, end, date(2026, 7, 2)) == 183 * 60
    assert pace(365 * 60, start, end, end) == 365 * 60
    assert pace(365 * 60, start, end, date(2027, 5, 1)) == 365 * 60


def _view(daily: dict, total: int, carried_in: int = 0) -> CycleView:
    scheme = read_scheme_file(DATA_DIR / "pmi-pmp.json")[1]
    rule = RuleResult("total", "Total", NOT_MET, 60 * 60, total, 60 * 60 - total, "")
    info = CycleInfo(7, 1, "PMP", date(2026, 1, 1), date(2028, 12, 31), "PMP", "1", False)
    progress = Progress((rule,), total, {}, (), carried_in, daily)
    return CycleView(info, scheme, [], progress, None, 0, False)


def test_the_line_starts_at_what_was_carried_in_and_stops_at_the_counted_total():
    # 30 PDUs logged in February, but a category cap let only 20 count (carried-in 5 included).
    view = _view({date(2026, 1, 10): 5 * 60, date(2026, 2, 3): 25 * 60}, 20 * 60, 5 * 60)
    burn = burn_up(view, date(2026, 3, 15))
    assert [(p.day, p.counted // 60) for p in burn.points] == [
        (date(2026, 1, 1), 5),  # carried in
        (date(2026, 1, 31), 10),
        (date(2026, 2, 28), 20),
        (date(2026, 3, 15), 20),
    ]
    assert burn.target == 60 * 60 and burn.counted == 20 * 60
    assert burn.points[-1].pace == pace(
        60 * 60, date(2026, 1, 1), date(2028, 12, 31), date(2026, 3, 15)
    )
    assert burn.ahead == burn.counted - burn.points[-1].pace > 0


def test_the_chart_speaks_the_schemes_unit():
    view = _view({date(2026, 1, 10): 90}, 90)
    layout = burnup_chart(burn_up(view, date(2026, 2, 10)))
    assert [label for _, label in layout["ticks"]] == ["0", "20", "40", "60"]
    assert layout["dots"][-1][2] == "10 Feb 2026: 1.5 PDUs counted, pace 2.23 PDUs"
    assert layout["table"] == [
        ("1 Jan 2026 (start)", "0", "0"),
        ("31 Jan 2026", "1.5", "1.68"),  # 60 PDUs over 1,096 days: 31 of them
        ("10 Feb 2026", "1.5", "2.23"),
    ]
    x1, y1, x2, y2 = layout["pace"]
    assert (x1, y1) == (layout["left"], layout["base"]) and x2 > x1 and y2 < y1


def test_month_end_figures_agree_with_counting_activity_by_activity(user):
    make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=200), "PMP")
    tt = talent_triangle()
    made = [
        (TODAY - timedelta(days=190), [tt["TT.PS"]], ActivityKind.COURSE, 180),
        (TODAY - timedelta(days=120), [tt["TT.WOW"]], ActivityKind.COURSE, 240),
        (TODAY - timedelta(days=61), [], ActivityKind.VOLUNTEERING, 120),
        (TODAY - timedelta(days=30), [tt["TT.BA"]], ActivityKind.WEBINAR, 60),
        (TODAY, [tt["TT.PS"]], ActivityKind.COURSE, 45),
        (TODAY - timedelta(days=400), [tt["TT.PS"]], ActivityKind.COURSE, 600),  # before the cycle
    ]
    for day, tags, kind, minutes in made:
        factories.make_activity(user, tags, kind=kind, start_date=day, minutes=minutes)
    (view,) = dashboard_cycles(user, TODAY, by_month=True)
    burn = burn_up(view, TODAY)
    # The cycle page's counting (every activity by its own day) gives the same line.
    active = scheme_progress.active_cycles(user_enrolments(user, TODAY), TODAY)
    cycles = scheme_progress.with_predecessors(active)
    exact = scheme_progress.compute(user, cycles, TODAY, lines_of={view.cycle.id})
    assert burn == burn_up(exact[view.cycle.id], TODAY)
    for point in burn.points:
        assert point.counted == sum(m for day, _, _, m in made[:5] if day <= point.day)
    assert burn.counted == view.progress.total == 645
    # Without the monthly cuts the dashboard files activities by wider stretches (here the
    # first two under the cycle's first day): same total, wrong months. Hence `by_month`.
    (coarse,) = dashboard_cycles(user, TODAY)
    assert coarse.progress.total == view.progress.total
    assert burn_up(coarse, TODAY) != burn
