"""The dashboard's trends panel: the 24-month chart by kind and each open cycle's burn-up, laid
out for the templates from one grouped query and the cycles the dashboard already counted."""

from dataclasses import dataclass
from datetime import date

from cpd_log.templating import hours
from cpd_log.trends import chart
from cpd_log.trends.burnup import BurnUp, burn_up
from cpd_log.trends.series import MonthlySeries, monthly_minutes


@dataclass(frozen=True)
class Trends:
    series: MonthlySeries
    chart: dict
    burn_ups: tuple[tuple[BurnUp, dict], ...]  # each with its chart's coordinates


def dashboard_trends(user, today: date, cycles) -> Trends:
    """The trends for `user` on `today`; `cycles` are the dashboard's CycleViews, counted with
    `by_month` (schemes/progress.dashboard_cycles) so their burn-ups need no query."""
    series = monthly_minutes(user, today)
    burns = tuple((burn, chart.burnup_chart(burn)) for burn in (burn_up(v, today) for v in cycles))
    return Trends(series, chart.monthly_chart(series, hours), burns)
