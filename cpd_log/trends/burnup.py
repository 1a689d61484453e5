"""A cycle's burn-up: what counted toward its total by the end of each month, against the
required pace (a straight line from nothing on the first day to the total on the last). Pure
Python: it reads the figures the schemes' counting already made (`CycleView.progress`, computed
with `by_month` so `progress.daily` splits at every first of a month), never counts again.

Minutes over a category's cap never count (rules.py), but `progress.daily` holds them as they
were completed; the line therefore stops at the cycle's counted total, which is where the
cycle's bars on the dashboard stand.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from cpd_log.schemes.periods import add_months
from cpd_log.schemes.rules import SchemeRules


@dataclass(frozen=True)
class BurnPoint:
    day: date
    counted: int  # minutes counted by the end of `day` (the first point: its start)
    pace: int  # minutes the required pace reaches then


@dataclass(frozen=True)
class BurnUp:
    cycle_id: int
    label: str
    start: date
    end: date
    target: int  # the total rule's minutes
    scheme: SchemeRules  # its unit: `scheme.figure(minutes)`, `scheme.unit_plural`
    # the start of the first day (what was carried in), each month's last day, today; in order
    points: tuple[BurnPoint, ...]

    @property
    def counted(self) -> int:
        return self.points[-1].counted

    @property
    def ahead(self) -> int:
        """Minutes counted beyond the pace today (negative: behind)."""
        last = self.points[-1]
        return last.counted - last.pace


def pace(target: int, start: date, end: date, day: date) -> int:
    """Minutes the straight line from 0 at the start of `start` to `target` at the end of `end`
    reaches by the end of `day`."""
    days = (end - start).days + 1
    done = min(max((day - start).days + 1, 0), days)
    return target * done // days


def checkpoints(start: date, end: date, today: date) -> list[date]:
    """The cycle's first day, the last day of each of its months up to today, and today (or
    the last day, once the cycle has ended)."""
    last = min(end, today)
    days = [start]
    month_end = add_months(start.replace(day=1), 1) - timedelta(days=1)
    while month_end < last:
        days.append(month_end)
        month_end = add_months(month_end + timedelta(days=1), 1) - timedelta(days=1)
    if last > start:
        days.append(last)
    return days


def burn_up(view, today: date) -> BurnUp:
    """The burn-up of one dashboard CycleView (cpd_log/schemes/progress.py)."""
    info, progress = view.cycle, view.progress
    target = progress.rule("total").target
    daily = sorted(progress.daily.items())
    start = BurnPoint(info.start, min(progress.carried_in, progress.total), 0)
    points, running, index = [start], progress.carried_in, 0
    for day in checkpoints(info.start, info.end, today)[1:]:
        # The dashboard files its activities under the first day of a stretch within a month
        # (progress._cuts), so a month's last day takes in every stretch of that month.
        while index < len(daily) and daily[index][0] <= day:
            running += daily[index][1]
            index += 1
        counted = min(running, progress.total)
        points.append(BurnPoint(day, counted, pace(target, info.start, info.end, day)))
    return BurnUp(info.id, info.label, info.start, info.end, target, view.scheme, tuple(points))
