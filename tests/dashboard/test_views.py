"""The dashboard: totals by period, by kind and by area; the empty state; constant queries."""

from datetime import date, timedelta

from cpd_log.common.dates import today_for
from cpd_log.dashboard import services
from cpd_log.demo import generate_activities
from cpd_log.extensions import db
from cpd_log.models import ActivityKind, ActivityStatus
from tests import factories


def stat(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}">', 1)[1].split("<", 1)[0]


def test_new_user_sees_what_to_do_first(logged_in):
    page = logged_in.get("/dashboard").data.decode()
    assert 'data-testid="empty-state"' in page
    assert "Log your first activity" in page
    assert stat(page, "hours-all") == "0 h"


def test_totals_by_period(logged_in, user):
    today = today_for(user)
    make = factories.make_activity
    make(user, start_date=today, minutes=90)
    make(user, start_date=today.replace(month=1, day=1), minutes=60)
    make(user, start_date=today - timedelta(days=300), minutes=30)  # last 12 months
    make(user, start_date=today - timedelta(days=800), minutes=600)  # all time only
    make(user, start_date=today, minutes=45, status=ActivityStatus.PLANNED)  # not counted
    make(user, start_date=today + timedelta(days=30), minutes=120)  # in the future: not yet
    page = logged_in.get("/dashboard").data.decode()
    this_year = 90 + 60 + (30 if (today - timedelta(days=300)).year == today.year else 0)
    assert stat(page, "hours-year") == f"{this_year / 60:g} h"
    assert stat(page, "hours-12m") == f"{(90 + 60 + 30) / 60:g} h"
    assert stat(page, "hours-all") == f"{(90 + 60 + 30 + 600) / 60:g} h"
    assert 'data-testid="empty-state"' not in page


def test_hours_by_kind_and_area_count_an_activity_once_per_area(logged_in, user, framework):
    a1, a2, b1, _ = factories.leaves(framework)
    factories.make_activity(user, [a1, a2, b1], kind=ActivityKind.COURSE, minutes=120)
    factories.make_activity(user, [b1], kind=ActivityKind.WEBINAR, minutes=60)
    factories.make_activity(
        user, [a1], kind=ActivityKind.WEBINAR, minutes=60, status=ActivityStatus.PLANNED
    )
    assert services.minutes_by_kind(user, None, date.today()) == [
        (ActivityKind.COURSE, 120),
        (ActivityKind.WEBINAR, 60),
    ]
    assert services.minutes_by_area(user, None, date.today()) == [
        ("Test Framework", "Area 2", 180),
        ("Test Framework", "Area 1", 120),
    ]
    page = logged_in.get("/dashboard").data.decode()
    assert "Area 2" in page and "3 h" in page


def test_other_users_hours_never_show(logged_in, user, other_user):
    factories.make_activity(other_user, minutes=600, start_date=date.today())
    page = logged_in.get("/dashboard").data.decode()
    assert stat(page, "hours-all") == "0 h"


def test_query_count_does_not_grow_with_data(logged_in, user, framework, count_queries, uncached):
    def queries() -> int:
        with count_queries() as statements:
            assert logged_in.get("/dashboard").status_code == 200
        return len(statements)

    generate_activities(user.id, 3, tags_per_activity=1)
    db.session.commit()
    small = queries()
    generate_activities(user.id, 200, years=3, tags_per_activity=3, seed=3)
    db.session.commit()
    assert queries() == small


def test_breakdowns_follow_the_chosen_period(logged_in, user):
    today = today_for(user)
    factories.make_activity(user, kind=ActivityKind.COURSE, start_date=today, minutes=60)
    factories.make_activity(
        user, kind=ActivityKind.EXAM, start_date=today - timedelta(days=900), minutes=120
    )
    factories.make_activity(
        user, kind=ActivityKind.PODCAST, start_date=today + timedelta(days=9), minutes=30
    )

    def by_kind(query: str) -> str:
        page = logged_in.get(f"/dashboard{query}").data.decode()
        return page.split('id="by-kind"', 1)[1].split('id="by-area"', 1)[0]

    recent = by_kind("")
    assert "Course" in recent and "Exam" not in recent and "Podcast" not in recent
    everything = by_kind("?period=all")
    assert "Exam" in everything and "Podcast" not in everything  # the future is not counted yet
    assert logged_in.get("/dashboard?period=bogus").status_code == 200
