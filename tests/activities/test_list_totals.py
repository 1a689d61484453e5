"""The activity list's totals: how many activities match the filters and their hours, over every
page, in one aggregate query."""

import re
from datetime import date

from cpd_log.models import ActivityKind, ActivityStatus
from tests import factories


def totals(client, query: str = "") -> str:
    page = client.get(f"/activities/{query}").data.decode()
    found = re.search(r'data-testid="list-totals">([^<]*)</p>', page)
    assert found, "no totals on the list"
    return found.group(1)


def test_totals_follow_the_filters(logged_in, user, other_user, framework):
    a1, a2, *_ = factories.leaves(framework)
    make = factories.make_activity
    make(
        user,
        [a1],
        title="Risk course",
        kind=ActivityKind.COURSE,
        minutes=90,
        start_date=date(2026, 2, 3),
    )
    make(
        user,
        [a2],
        title="Risk podcast",
        kind=ActivityKind.PODCAST,
        minutes=45,
        start_date=date(2026, 3, 9),
    )
    make(
        user,
        [a1],
        title="Planned course",
        kind=ActivityKind.COURSE,
        minutes=600,
        start_date=date(2026, 9, 1),
        status=ActivityStatus.PLANNED,
    )
    make(other_user, [a1], title="Risk elsewhere", kind=ActivityKind.COURSE, minutes=999)
    assert totals(logged_in) == "3 activities · 12.25 h"
    assert totals(logged_in, "?q=risk") == "2 activities · 2.25 h matching the filters"
    assert totals(logged_in, "?kind=course") == "2 activities · 11.5 h matching the filters"
    assert totals(logged_in, "?status=completed") == "2 activities · 2.25 h matching the filters"
    assert totals(logged_in, f"?competency={a1.id}") == (
        "2 activities · 11.5 h matching the filters"
    )
    assert totals(logged_in, "?date_from=2026-03-01&date_to=2026-03-31") == (
        "1 activity · 0.75 h matching the filters"
    )
    assert totals(logged_in, "?q=nothing-like-this") == "0 activities · 0 h matching the filters"


def test_totals_count_every_page_not_only_the_first(logged_in, user):
    for index in range(55):
        factories.make_activity(user, minutes=60 + index)
    assert totals(logged_in) == f"55 activities · {sum(60 + i for i in range(55)) / 60:g} h"
    assert totals(logged_in, "?page=2") == totals(logged_in)


def test_totals_are_one_aggregate_query(logged_in, user, count_queries, uncached):
    factories.make_activity(user, minutes=30)
    with count_queries() as statements:
        assert logged_in.get("/activities/?kind=webinar").status_code == 200
    # Filters on kind, status and start date: the monthly totals the triggers keep answer them.
    aggregates = [s for s in statements if "sum(" in s.lower()]
    assert len(aggregates) == 1 and "monthly_minutes" in aggregates[0]
    assert not [s for s in statements if "count(" in s.lower()]
    with count_queries() as statements:
        assert logged_in.get("/activities/?date_from=2020-01-01").status_code == 200
    # A filter they cannot answer (an activity ending after a day) counts the activities.
    aggregates = [s for s in statements if "count(" in s.lower()]
    assert len(aggregates) == 1 and "sum(" in aggregates[0].lower()
    assert not [s for s in statements if "monthly_minutes" in s]
