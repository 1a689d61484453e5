"""Where a cycle is heading: days left, the finish date at the recent pace, and the monthly
amount still needed. Pure Python, like rules.py."""

import math
from dataclasses import dataclass
from datetime import date, timedelta

from cpd_log.schemes.rules import Progress, SchemeRules

PACE_DAYS = 90
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Projection:
    days_left: int
    needed: int  # minutes still needed toward the total
    finish: date | None  # at the last-90-days pace; None when there is no recent pace
    per_month: int | None  # minutes a month still needed; None when nothing is needed
    sentences: tuple[str, ...]


def project(scheme: SchemeRules, progress: Progress, start: date, end: date, today: date):
    """The projection for an open cycle (None once it has ended)."""
    if today > end:
        return None
    days_left = (end - max(today, start)).days + 1
    needed = progress.rule("total").needed
    if not needed:
        return Projection(days_left, 0, None, None, ("The total is reached.",))
    window_start = today - timedelta(days=PACE_DAYS)
    recent = progress.counted_between(window_start, today)
    finish = None
    sentences = []
    if recent:
        finish = today + timedelta(days=math.ceil(needed * PACE_DAYS / recent))
        late = " — after the cycle ends" if finish > end else ""
        sentences.append(f"At your last-90-days pace you finish on {finish:%-d %b %Y}{late}.")
    else:
        sentences.append("Nothing counted in the last 90 days, so there is no pace to project.")
    months = max(days_left / DAYS_PER_MONTH, 1 / DAYS_PER_MONTH)
    per_month = math.ceil(needed / months)
    sentences.append(f"You need {scheme.amount(per_month)} a month.")
    return Projection(days_left, needed, finish, per_month, tuple(sentences))
