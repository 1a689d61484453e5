"""The dashboard's trends: the chart and its table, burn-ups in the scheme's unit, the user's
today, the page cache, constant queries."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from cpd_log.common.dates import today_for
from cpd_log.extensions import db
from cpd_log.models import ActivityKind, ActivityStatus
from cpd_log.trends.series import month_starts
from tests import factories
from tests.schemes.helpers import make_enrolment, talent_triangle


def _titles(page: str) -> list[str]:
    chart = page.split('data-testid="trend-chart"', 1)[1].split("</svg>", 1)[0]
    return re.findall(r"<rect [^>]*class=\"trend-bar\"><title>([^<]*)</title>", chart)


def _table_rows(page: str) -> dict[str, list[str]]:
    table = page.split('data-testid="trend-table"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for head, cells in re.findall(r'<th scope="row"[^>]*>([^<]*)</th>(.*?)</tr>', table, re.S):
        rows[head] = re.findall(r"<td[^>]*>([^<]*)</td>", cells)
    return rows


def test_the_chart_and_the_table_show_the_same_months(logged_in, user):
    today = today_for(user)
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    make = factories.make_activity
    make(user, kind=ActivityKind.COURSE, start_date=this_month, minutes=150)
    make(user, kind=ActivityKind.READING, start_date=this_month, minutes=30)
    make(user, kind=ActivityKind.COURSE, start_date=last_month, minutes=60)
    make(
        user,
        kind=ActivityKind.EXAM,
        start_date=this_month,
        minutes=90,
        status=ActivityStatus.PLANNED,
    )
    page = logged_in.get("/dashboard").data.decode()
    assert 'data-testid="trend-chart"' in page and 'role="img"' in page
    assert sorted(_titles(page)) == sorted(
        [
            f"{this_month:%b %Y} · Course: 2.5 h",
            f"{this_month:%b %Y} · Reading: 0.5 h",
            f"{last_month:%b %Y} · Course: 1 h",
        ]
    )
    rows = _table_rows(page)
    assert len(rows) == 24 + 1  # the months and the total
    assert rows[f"{this_month:%b %Y}"] == ["2.5", "0.5", "3"]  # Course, Reading, Total
    assert rows[f"{last_month:%b %Y}"] == ["1", "0", "1"]
    assert rows[f"{month_starts(today)[0]:%b %Y}"] == ["0", "0", "0"]
    assert rows["Total"] == ["3.5", "0.5", "4"]
    assert "Exam" not in page.split('data-testid="trends"', 1)[1].split("</section>", 1)[0]


def test_a_new_user_sees_an_empty_trend_and_no_burn_up(logged_in):
    page = logged_in.get("/dashboard").data.decode()
    assert 'data-testid="trend-empty"' in page
    assert 'data-testid="trend-chart"' not in page and 'data-testid="burnup-card"' not in page


def test_each_open_cycle_has_a_burn_up_in_its_schemes_unit(logged_in, user):
    today = today_for(user)
    make_enrolment(user, "pmi-pmp", today - timedelta(days=100), "PMP")
    make_enrolment(user, "rics-style", today.replace(month=1, day=1), "Employer year")
    tt = talent_triangle()
    factories.make_activity(
        user, [tt["TT.PS"]], kind=ActivityKind.COURSE, minutes=180, start_date=today
    )
    page = logged_in.get("/dashboard").data.decode()
    assert page.count('data-testid="burnup-card"') == 2
    assert page.count('data-testid="burnup-chart"') == 2
    summaries = re.findall(r'data-testid="burnup-summary">(.*?)</p>', page, re.S)
    assert sorted(summary.split(";")[0] for summary in summaries) == [
        "3 PDUs counted of 60 PDUs",
        "3 hours counted of 20 hours",
    ]
    tables = page.split('data-testid="burnup-table"')[1:]
    (pmp_table,) = [t.split("</table>", 1)[0] for t in tables if "Counted (PDUs)" in t]
    assert "Counted (PDUs)" in pmp_table and "Pace (PDUs)" in pmp_table
    assert re.findall(r'<td class="text-end">([^<]*)</td>', pmp_table)[-2] == "3"


def test_the_series_ends_with_the_users_today_not_the_servers(logged_in, user):
    utc_today = datetime.now(ZoneInfo("UTC")).date()
    # Kiribati is 14 hours ahead of UTC, Niue 11 behind: one of them is on another day now.
    for zone in ("Pacific/Kiritimati", "Pacific/Niue"):
        user.timezone = zone
        if today_for(user) != utc_today:
            break
    db.session.commit()
    today = today_for(user)
    factories.make_activity(user, kind=ActivityKind.COURSE, start_date=today, minutes=60)
    if utc_today > today:  # the server's today is the user's tomorrow: not counted yet
        factories.make_activity(user, kind=ActivityKind.COURSE, start_date=utc_today, minutes=600)
    page = logged_in.get("/dashboard").data.decode()
    rows = _table_rows(page)
    assert list(rows)[-2] == f"{today.replace(day=1):%b %Y}"
    assert rows["Total"] == ["1", "1"]


def test_a_new_activity_shows_in_the_cached_dashboard(logged_in, user):
    """The page cache keeps the trends until the user's data changes (page_cache.py)."""
    today = today_for(user)
    factories.make_activity(user, kind=ActivityKind.COURSE, start_date=today, minutes=60)
    assert _table_rows(logged_in.get("/dashboard").data.decode())["Total"] == ["1", "1"]
    factories.make_activity(user, kind=ActivityKind.WEBINAR, start_date=today, minutes=30)
    assert _table_rows(logged_in.get("/dashboard").data.decode())["Total"] == ["1", "0.5", "1.5"]


def _dashboard_queries(client, user, count_queries, activities: int) -> int:
    today = today_for(user)
    for index in range(activities):
        factories.make_activity(
            user,
            kind=list(ActivityKind)[index % 6],
            start_date=today - timedelta(days=index * 13 % 700),
            minutes=30 + index,
        )
    with count_queries() as statements:
        assert client.get("/dashboard").status_code == 200
    return len(statements)


def test_the_trends_cost_the_same_queries_at_any_size(
    app, uncached, login_as, count_queries, user, other_user
):
    counts = []
    for owner, activities in ((user, 3), (other_user, 60)):
        make_enrolment(owner, "pmi-pmp", date.today() - timedelta(days=400), "PMP")
        client = login_as(app.test_client(), owner)
        counts.append(_dashboard_queries(client, owner, count_queries, activities))
    assert counts[0] == counts[1]
