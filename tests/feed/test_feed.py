"""The calendar feed: made and shown once on the settings page, valid RFC 5545 (parsed back with
icalendar), stable UIDs, no session needed, a replaced or revoked address answers 404, and the
same queries at any size."""

import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar

from cpd_log.extensions import db
from cpd_log.models import ActivityStatus
from cpd_log.models.reminder import CalendarFeed
from cpd_log.reflections.apply_queue import dismiss
from tests import factories
from tests.reminders.helpers import pmp_ending_soon

ADDRESS = re.compile(r'value="(http://localhost/feed/[^"]+\.ics)"')


def _new_address(client) -> str:
    page = client.post("/feed/new")
    assert page.status_code == 200 and "shown only now" in page.text
    return ADDRESS.search(page.text).group(1).removeprefix("http://localhost")


def _events(response) -> dict[str, object]:
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = calendar.walk("VEVENT")
    for event in events:
        assert event["UID"] and event["DTSTAMP"] and event["DTSTART"] and event["SUMMARY"]
    uids = [str(event["UID"]) for event in events]
    assert len(uids) == len(set(uids)), "UIDs are unique"
    return {str(event["UID"]): event for event in events}


@pytest.fixture
def busy(user):
    """A PMP cycle ending in 60 days, a planned course and an activity due its 30-day prompt."""
    enrolment = pmp_ending_soon(user)
    today = date.today()
    planned = factories.make_activity(
        user, title="Planned course", status=ActivityStatus.PLANNED,
        start_date=today + timedelta(days=20), end_date=today + timedelta(days=21),
    )  # fmt: skip
    done = factories.make_activity(user, title="Risk talk", start_date=today - timedelta(days=40))
    return enrolment.cycles[-1], planned, done


def test_the_feed_is_valid_icalendar_with_stable_uids_and_needs_no_session(app, logged_in, busy):
    cycle, planned, done = busy
    url = _new_address(logged_in)
    anonymous = app.test_client()
    first = _events(anonymous.get(url))
    assert _events(anonymous.get(url)).keys() == first.keys()  # stable across fetches
    end = first[f"cycle-{cycle.id}-end@cpd-log"]
    assert end["DTSTART"].dt == cycle.end_date and "PMP" in str(end["SUMMARY"])
    warning = first[f"cycle-{cycle.id}-warning@cpd-log"]
    assert warning["DTSTART"].dt == cycle.end_date - timedelta(days=90)
    course = first[f"activity-{planned.id}@cpd-log"]
    assert course["DTSTART"].dt == planned.start_date
    assert course["DTEND"].dt == planned.end_date + timedelta(days=1)  # all-day, exclusive end
    prompt = first[f"apply-{done.id}-30@cpd-log"]
    assert prompt["DTSTART"].dt == done.start_date + timedelta(days=30)
    assert f"apply-{done.id}-90@cpd-log" in first
    assert f"activity-{done.id}@cpd-log" not in first  # completed: not planned


def test_a_dismissed_or_answered_prompt_leaves_the_feed(app, logged_in, user, busy):
    _, _, done = busy
    url = _new_address(logged_in)
    dismiss(user, done, 30)
    db.session.commit()
    events = _events(app.test_client().get(url))
    assert f"apply-{done.id}-30@cpd-log" not in events
    assert f"apply-{done.id}-90@cpd-log" in events


def test_a_new_address_replaces_the_old_and_revoking_ends_it(app, logged_in, user):
    old = _new_address(logged_in)
    new = _new_address(logged_in)
    anonymous = app.test_client()
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200
    assert logged_in.post("/feed/revoke").status_code == 302
    assert anonymous.get(new).status_code == 404
    assert db.session.get(CalendarFeed, user.id) is None
    assert "Make a calendar address" in logged_in.get("/reminders/settings").text


def test_unknown_tokens_answer_404_and_only_a_hash_is_stored(app, logged_in, user):
    url = _new_address(logged_in)
    token = url.removeprefix("/feed/").removesuffix(".ics")
    row = db.session.get(CalendarFeed, user.id)
    assert token not in row.token_hash and len(row.token_hash) == 64
    client = app.test_client()
    for bad in ("x", token[:-1] + "A" if token[-1] != "A" else token[:-1] + "B", "a" * 5000):
        assert client.get(f"/feed/{bad}.ics").status_code == 404


def test_each_user_sees_only_their_own_events(app, client, login_as, user, other_user, busy):
    login_as(client, other_user)
    url = _new_address(client)
    events = _events(app.test_client().get(url))
    assert events == {}


def test_the_address_is_shown_once(logged_in):
    url = _new_address(logged_in)
    again = logged_in.get("/reminders/settings").text
    assert url not in again and "is not shown again" in again


def test_queries_do_not_grow_with_the_data(app, logged_in, user, count_queries):
    url = _new_address(logged_in)
    client = app.test_client()
    pmp_ending_soon(user)
    today = date.today()

    def add(n: int) -> None:
        for day in range(n):
            factories.make_activity(user, status=ActivityStatus.PLANNED,
                                    start_date=today + timedelta(days=day))  # fmt: skip
            factories.make_activity(user, start_date=today - timedelta(days=35 + day))

    add(1)
    with count_queries() as few:
        _events(client.get(url))
    add(20)
    with count_queries() as many:
        _events(client.get(url))
    assert len(many) == len(few)
    assert len(few) <= 6
