"""Minutes per month per activity kind over the last N months: the trend chart's figures, for the
dashboard and the portfolio PDF.

One grouped query over the user's daily totals (`daily_minutes`, kept by triggers on every
write: cpd_log/aggregates/), one row per day and kind rather than per activity. The month is the
day's "YYYY-MM", written per dialect (`to_char` on PostgreSQL; on SQLite, where a date is ISO
text, its first seven characters, which cost half of STRFTIME's parsing on the 5,000-activity
bench). Months without activities are
filled with zeros here, in Python. `MonthlySeries` and `zero_filled` are plain data and arithmetic
(they use no Flask and no session), so the PDF lays them out as well as the web page and tests
build them by hand.

What counts is what the dashboard's totals count (`dashboard/services.py`): the user's completed
activities, by the day they started, up to and including `until` (the user's today; dates are
calendar dates, so the user's time zone only decides which day "today" is).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from cpd_log.activities.choices import ActivityKind, ActivityStatus
from cpd_log.aggregates.services import period_rows

DEFAULT_MONTHS = 24


@dataclass(frozen=True)
class KindSeries:
    """One kind's minutes, one figure per month of the series (oldest first)."""

    kind: ActivityKind
    minutes: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.minutes)


@dataclass(frozen=True)
class MonthlySeries:
    """Minutes per month per kind. `months` are first days, oldest first; `kinds` holds only the
    kinds with minutes in the window, in the kinds' own order (so a colour follows its kind)."""

    months: tuple[date, ...]
    kinds: tuple[KindSeries, ...]

    @property
    def month_totals(self) -> tuple[int, ...]:
        return tuple(sum(row.minutes[i] for row in self.kinds) for i in range(len(self.months)))

    @property
    def total(self) -> int:
        return sum(row.total for row in self.kinds)

    @property
    def peak(self) -> int:
        """The largest month's minutes (0 when the window is empty): the chart's scale."""
        return max(self.month_totals, default=0)

    @property
    def first_day(self) -> date:
        return self.months[0]


def month_starts(until: date, months: int = DEFAULT_MONTHS) -> tuple[date, ...]:
    """The first days of the `months` calendar months ending with the one holding `until`."""
    if months < 1:
        raise ValueError("a series has at least one month")
    last = until.year * 12 + until.month - 1
    return tuple(
        date(index // 12, index % 12 + 1, 1) for index in range(last - months + 1, last + 1)
    )


def zero_filled(
    rows: Iterable[tuple[int, int, ActivityKind | str, int]],
    until: date,
    months: int = DEFAULT_MONTHS,
) -> MonthlySeries:
    """A series from (year, month, kind, minutes) rows; months and kinds not in `rows` are zero.
    Rows outside the window are ignored; two rows for one month and kind add up."""
    starts = month_starts(until, months)
    position = {(start.year, start.month): i for i, start in enumerate(starts)}
    figures: dict[ActivityKind, list[int]] = {}
    for year, month, kind, minutes in rows:
        slot = position.get((int(year), int(month)))
        if slot is None:
            continue
        per_month = figures.setdefault(ActivityKind(kind), [0] * len(starts))
        per_month[slot] += int(minutes or 0)
    kinds = tuple(
        KindSeries(kind, tuple(figures[kind]))
        for kind in ActivityKind
        if kind in figures and any(figures[kind])
    )
    return MonthlySeries(months=starts, kinds=kinds)


def monthly_minutes(user, until: date, months: int = DEFAULT_MONTHS) -> MonthlySeries:
    """The user's completed minutes per month and kind over the `months` months ending with
    `until`'s month, in one grouped query."""
    rows = period_rows(
        user.id, month_starts(until, months)[0], until, status=ActivityStatus.COMPLETED.value
    )
    return zero_filled(
        ((int(m[:4]), int(m[5:7]), k, total) for m, k, total, _ in rows), until, months
    )
