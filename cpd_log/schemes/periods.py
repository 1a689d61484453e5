"""When a scheme's cycles start and end. Pure date arithmetic: no Flask, no database.

A scheme's period is one of:
- {"type": "cycle", "months": 36}: back-to-back cycles of N months from the start date
  (PMI's three years from certification, a membership year from the joining date);
- {"type": "calendar_year"}: 1 January to 31 December, starting with the start date's year;
- {"type": "rolling", "months": 12}: one window of N months that always ends today.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Period:
    index: int  # 0 for the first cycle
    start: date
    end: date  # inclusive

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def days_left(self, today: date) -> int:
        return max(0, (self.end - today).days)


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the 31st becomes the month's last day (29 Feb -> 28 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def cycle_at(period: dict, anchor: date, index: int) -> Period:
    """The cycle number `index` (0-based) of a scheme whose first cycle starts on `anchor`."""
    if period["type"] == "calendar_year":
        year = anchor.year + index
        return Period(index, date(year, 1, 1), date(year, 12, 31))
    months = period["months"]
    start = add_months(anchor, months * index)
    return Period(index, start, add_months(anchor, months * (index + 1)) - timedelta(days=1))


def cycles_until(period: dict, anchor: date, today: date) -> list[Period]:
    """Every cycle from the first up to the one containing `today` (oldest first).

    A start date in the future gives just the first cycle, which has not begun yet. A rolling
    window has no history: it is the one window that ends today.
    """
    if period["type"] == "rolling":
        start = max(anchor, add_months(today, -period["months"]) + timedelta(days=1))
        return [Period(0, start, today)]
    cycles = [cycle_at(period, anchor, 0)]
    while cycles[-1].end < today:
        cycles.append(cycle_at(period, anchor, len(cycles)))
    return cycles
