"""Minutes per month per kind: month boundaries, empty months, what counts, one query."""

from datetime import date

import pytest

from cpd_log.dashboard import services as dashboard
from cpd_log.models import ActivityKind, ActivityStatus
from cpd_log.trends.series import month_starts, monthly_minutes, zero_filled
from tests import factories

COURSE, WEBINAR, READING = ActivityKind.COURSE, ActivityKind.WEBINAR, ActivityKind.READING


def test_month_starts_cross_the_year_and_end_with_the_month_of_until():
    starts = month_starts(date(2026, 2, 28), 24)
    assert len(starts) == 24
    assert starts[0] == date(2024, 3, 1)
    assert starts[-1] == date(2026, 2, 1)
    assert date(2025, 1, 1) in starts and date(2024, 12, 1) in starts
    assert month_starts(date(2026, 1, 1), 2) == (date(2025, 12, 1), date(2026, 1, 1))
    with pytest.raises(ValueError):
        month_starts(date(2026, 1, 1), 0)


def test_zero_filled_adds_up_and_ignores_rows_outside_the_window():
    series = zero_filled(
        [
            (2026, 3, "course", 60),
            (2026, 3, COURSE, 30),
            (2026, 1, "webinar", 45),
            (2025, 1, "exam", 9),
        ],
        until=date(2026, 3, 5),
        months=3,
    )
    assert series.months == (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1))
    assert [(row.kind, row.minutes) for row in series.kinds] == [
        (COURSE, (0, 0, 90)),
        (WEBINAR, (45, 0, 0)),
    ]
    assert series.month_totals == (45, 0, 90)
    assert (series.total, series.peak) == (135, 90)


def test_an_empty_window_is_all_zeros():
    series = zero_filled([], until=date(2026, 3, 5))
    assert len(series.months) == 24 and series.kinds == ()
    assert series.month_totals == (0,) * 24
    assert (series.total, series.peak) == (0, 0)


def test_month_boundaries_by_start_date(user):
    make = factories.make_activity
    make(user, kind=COURSE, start_date=date(2026, 1, 31), minutes=60)
    make(user, kind=COURSE, start_date=date(2026, 2, 1), minutes=120)
    # Started on the last day of the year, ended in the next: it counts in the month it started.
    make(user, kind=WEBINAR, start_date=date(2025, 12, 31), end_date=date(2026, 1, 2), minutes=30)
    make(user, kind=READING, start_date=date(2026, 2, 28), minutes=15)
    series = monthly_minutes(user, until=date(2026, 2, 28), months=3)
    assert series.months == (date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1))
    assert {row.kind: row.minutes for row in series.kinds} == {
        COURSE: (0, 60, 120),
        WEBINAR: (30, 0, 0),
        READING: (0, 0, 15),
    }


def test_only_the_users_completed_activities_up_to_until_in_the_window(user, other_user):
    make = factories.make_activity
    until = date(2026, 6, 15)
    make(user, kind=COURSE, start_date=date(2026, 6, 15), minutes=60)  # until itself counts
    make(user, kind=COURSE, start_date=date(2026, 6, 16), minutes=600)  # after until
    make(user, kind=COURSE, start_date=date(2026, 6, 1), minutes=45, status=ActivityStatus.PLANNED)
    make(user, kind=COURSE, start_date=date(2024, 6, 30), minutes=700)  # the month before
    make(user, kind=COURSE, start_date=date(2024, 7, 1), minutes=30)  # the first month
    make(other_user, kind=COURSE, start_date=date(2026, 6, 1), minutes=800)
    series = monthly_minutes(user, until=until)
    assert series.first_day == date(2024, 7, 1)
    (course,) = series.kinds
    assert course.minutes[0] == 30 and course.minutes[-1] == 60
    assert sum(course.minutes[1:-1]) == 0
    assert series.total == 90


def test_the_last_12_months_agree_with_the_dashboards_hours_by_kind(user):
    make = factories.make_activity
    until = date(2026, 11, 30)
    for day, kind, minutes in [
        (date(2025, 12, 1), COURSE, 90),
        (date(2026, 4, 30), WEBINAR, 60),
        (date(2026, 5, 1), WEBINAR, 15),
        (date(2026, 11, 30), READING, 240),
        (date(2025, 11, 30), COURSE, 999),  # outside both
    ]:
        make(user, kind=kind, start_date=day, minutes=minutes)
    series = monthly_minutes(user, until=until, months=12)
    since = dashboard.period_start("12m", until)
    assert since == series.first_day
    by_kind = dict(dashboard.minutes_by_kind(user, since, until))
    assert {row.kind: row.total for row in series.kinds} == by_kind


def test_one_query_whatever_the_number_of_activities(user, count_queries):
    for index in range(40):
        factories.make_activity(
            user,
            kind=list(ActivityKind)[index % 5],
            start_date=date(2025 + index % 2, index % 12 + 1, index % 28 + 1),
            minutes=15 * (index + 1),
        )
    assert user.id  # loaded: the user row is not part of the series' cost
    with count_queries() as statements:
        series = monthly_minutes(user, until=date(2026, 12, 31))
    assert len(statements) == 1
    assert series.total == sum(15 * (index + 1) for index in range(40))
    assert len(series.kinds) == 5
