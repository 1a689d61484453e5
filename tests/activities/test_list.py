"""The activity list: filters, search, sorting, pagination, constant query count."""

from datetime import date

import pytest

from cpd_log.demo import generate_activities
from cpd_log.extensions import db
from cpd_log.models import ActivityKind, ActivityStatus
from tests import factories


def titles(response) -> list[str]:
    """Activity titles in table order."""
    page = response.data.decode()
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return [
        chunk.split("</a>", 1)[0].split(">")[-1] for chunk in body.split('href="/activities/')[1:]
    ]


@pytest.fixture
def sample(user, other_user, framework):
    a1, a2, b1, _ = factories.leaves(framework)
    make = factories.make_activity
    make(
        user,
        [a1],
        title="Risk workshop",
        kind=ActivityKind.COURSE,
        start_date=date(2025, 1, 5),
        minutes=240,
        provider="APM",
    )
    make(
        user,
        [a2, b1],
        title="Benefits webinar",
        kind=ActivityKind.WEBINAR,
        start_date=date(2025, 6, 1),
        minutes=60,
        description="risk appetite discussed",
    )
    make(
        user,
        [],
        title="Reading on P3O",
        kind=ActivityKind.READING,
        start_date=date(2026, 2, 1),
        minutes=30,
        status=ActivityStatus.PLANNED,
    )
    make(other_user, [a1], title="Bob's risk course", start_date=date(2025, 1, 1))
    return {"a1": a1, "a2": a2, "b1": b1}


def test_lists_only_own_activities_newest_first(logged_in, sample):
    response = logged_in.get("/activities/")
    assert b"invalid" not in response.data and b"Not a valid" not in response.data
    assert titles(response) == [
        "Reading on P3O",
        "Benefits webinar",
        "Risk workshop",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Title or description, best match first: the title counts more.
        ("q=risk", ["Risk workshop", "Benefits webinar"]),
        ("q=risk&sort=date_desc", ["Benefits webinar", "Risk workshop"]),
        ("q=APM", ["Risk workshop"]),  # provider
        ("q=100%25", []),  # punctuation is no query syntax
        ("kind=webinar", ["Benefits webinar"]),
        ("status=planned", ["Reading on P3O"]),
        ("date_from=2025-03-01&date_to=2025-12-31", ["Benefits webinar"]),
        ("sort=hours_desc", ["Risk workshop", "Benefits webinar", "Reading on P3O"]),
        ("sort=title", ["Benefits webinar", "Reading on P3O", "Risk workshop"]),
        ("sort=date_asc", ["Risk workshop", "Benefits webinar", "Reading on P3O"]),
    ],
)
def test_filters_and_sorting(logged_in, sample, query, expected):
    assert titles(logged_in.get(f"/activities/?{query}")) == expected


def test_search_reads_the_learning_objective(logged_in, user):
    factories.make_activity(
        user, title="Contracts day", objective="Master NEC4 compensation events"
    )
    factories.make_activity(user, title="Other day", description="nothing on contracts")
    assert titles(logged_in.get("/activities/?q=nec4 COMPENSATION")) == ["Contracts day"]


def test_filter_by_competency(logged_in, sample):
    response = logged_in.get(f"/activities/?competency={sample['a1'].id}")
    assert titles(response) == ["Risk workshop"]
    assert f'<option value="{sample["a1"].id}" selected>' in response.data.decode()


def test_invalid_filters_are_reported_and_ignored(logged_in, sample):
    response = logged_in.get("/activities/?kind=party&date_from=yesterday&sort=x&page=-1")
    assert response.status_code == 200
    assert b"Not a valid date value." in response.data
    assert len(titles(response)) == 3


def test_pagination_50_a_page(logged_in, user):
    generate_activities(user.id, 51, tags_per_activity=0)
    db.session.commit()
    first = logged_in.get("/activities/")
    assert len(titles(first)) == 50
    assert b"51 activities" in first.data
    assert 'href="/activities/?page=2"' in first.data.decode()
    assert len(titles(logged_in.get("/activities/?page=2"))) == 1
    assert titles(logged_in.get("/activities/?page=99")) == []


def test_query_count_does_not_grow_with_data(
    app, logged_in, user, framework, count_queries, uncached
):
    def queries() -> int:
        with count_queries() as statements:
            assert logged_in.get("/activities/?sort=hours_desc").status_code == 200
        return len(statements)

    generate_activities(user.id, 5, tags_per_activity=2)
    db.session.commit()
    small = queries()
    generate_activities(user.id, 120, tags_per_activity=3, seed=7)
    db.session.commit()
    assert queries() == small
