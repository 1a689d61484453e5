"""Calendar import: real-shaped exports, choosing events, idempotent re-import, bad files."""

import io
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from cpd_log.extensions import db
from cpd_log.imports.ics import CalendarError, check_some_events, read_calendar
from cpd_log.models import Activity, ActivityKind, ActivityStatus, Delivery, ImportBatch
from cpd_log.models.activity import ActivitySource
from tests import factories
from tests.imports.helpers import fixture, make_batch

LONDON = ZoneInfo("Europe/London")
WINDOW = (date(2023, 1, 1), date(2027, 12, 31))


def read(name: str, zone=LONDON):
    return read_calendar(fixture(name), zone, WINDOW).events


def test_outlook_export_with_windows_time_zones():
    workshop, webinar = read("outlook.ics")
    assert workshop.title == "Portfolio reporting workshop"
    assert workshop.organiser == "Priya Shah"
    assert (workshop.start, workshop.minutes) == ("2026-04-15", 150)
    assert workshop.location == "Conference Room 4, London"
    assert not workshop.online
    # 14:00 "GMT Standard Time" in April is BST: 13:00 UTC.
    assert workshop.uid.endswith("#20260415T130000Z")
    assert webinar.url == "https://events.example.org/risk-appetite"
    assert webinar.online
    assert webinar.minutes == 60


def test_dates_are_the_users_own_days():
    # 09:00 Pacific on 20 May is already 21 May in Tokyo.
    webinar = read("outlook.ics", ZoneInfo("Asia/Tokyo"))[1]
    assert webinar.start == "2026-05-21"


def test_google_all_day_event_spans_its_days():
    conference, book_club = read("google_allday.ics")
    assert conference.all_day
    assert (conference.start, conference.end) == ("2026-06-10", "2026-06-11")
    assert conference.minutes == 2 * 7 * 60
    assert conference.url == "https://pmo-conference.example.com/2026"
    assert conference.uid == "2k8v0c3q1l5h7m9n0p2r4t6v8x@google.com#20260610"
    assert book_club.start == "2026-07-02"
    assert book_club.minutes == 60


def test_weekly_meetup_expands_skips_exdate_and_keeps_the_moved_occurrence():
    events = read("meetup_weekly.ics")
    assert [e.start for e in events] == [
        "2026-03-05",
        "2026-03-12",
        "2026-03-26",
        "2026-04-02",
        "2026-04-09",
    ]
    moved = events[2]
    assert moved.title == "PMO Flashmob: lean coffee (moved, longer)"
    assert moved.minutes == 120
    assert len({e.uid for e in events}) == 5
    assert all(e.uid.startswith("event_301234567@meetup.com#") for e in events)
    assert events[0].organiser == "PMO Flashmob"


def test_events_outside_the_window_are_left_out():
    april = read_calendar(
        fixture("meetup_weekly.ics"), LONDON, (date(2026, 4, 1), date(2026, 5, 1))
    )
    assert [e.start for e in april.events] == ["2026-04-02", "2026-04-09"]
    old = read_calendar(fixture("outlook.ics"), LONDON, (date(2020, 1, 1), date(2021, 1, 1)))
    assert (old.events, old.skipped) == ([], [])


@pytest.mark.parametrize(
    "data",
    [
        fixture("outlook.ics")[:900],
        b"",
        b"this is not a calendar",
        b"\x89PNG\r\n\x1a\n\x00\x00garbage",
        fixture("outlook.ics").replace(b"DTSTART;TZID", b"XSTART;TZID"),
    ],
    ids=["truncated", "empty", "text", "binary", "no-start"],
)
def test_unreadable_files_raise_a_calendar_error(data):
    with pytest.raises(CalendarError):
        check_some_events(read_calendar(data, LONDON, WINDOW))


# --- through the pages -------------------------------------------------------------------------


def upload(client, name: str, data: bytes | None = None):
    body = data if data is not None else fixture(name)
    return client.post(
        "/imports/calendar",
        data={"calendar": (io.BytesIO(body), name)},
        content_type="multipart/form-data",
    )


def count(model=Activity) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_preview_lists_events_with_nothing_preselected(logged_in):
    response = upload(logged_in, "meetup_weekly.ics")
    assert response.status_code == 302
    page = logged_in.get(response.headers["Location"]).data.decode()
    assert page.count('name="events"') == 5
    assert "checked" not in page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert "PMO Flashmob: lean coffee (moved, longer)" in page
    assert count() == 0


def test_import_chosen_events_with_kind_and_competencies(logged_in, user, framework):
    leaf = factories.leaves(framework)[1]
    location = upload(logged_in, "meetup_weekly.ics").headers["Location"]
    response = logged_in.post(
        location, data={"events": ["0", "2"], "kind": "community_event", "competencies": [leaf.id]}
    )
    assert response.headers["Location"] == "/activities/"
    activities = db.session.scalars(select(Activity).order_by(Activity.start_date)).all()
    assert [(a.start_date, a.minutes) for a in activities] == [
        (date(2026, 3, 5), 90),
        (date(2026, 3, 26), 120),
    ]
    for activity in activities:
        assert activity.user_id == user.id
        assert activity.kind is ActivityKind.COMMUNITY_EVENT
        assert activity.source is ActivitySource.ICS
        assert activity.delivery is Delivery.ONLINE
        assert activity.provider in ("PMO Flashmob", "")
        assert [c.id for c in activity.competencies] == [leaf.id]
    assert count(ImportBatch) == 0, "a committed batch is cleared"


def test_reimporting_the_same_file_creates_no_duplicates(logged_in):
    location = upload(logged_in, "meetup_weekly.ics").headers["Location"]
    logged_in.post(location, data={"events": ["0", "1"], "kind": "community_event"})
    assert count() == 2

    location = upload(logged_in, "meetup_weekly.ics").headers["Location"]
    page = logged_in.get(location).data.decode()
    assert page.count("already logged") == 2
    assert page.count("disabled") >= 2
    # A forged POST that ticks everything still adds only the three new occurrences.
    response = logged_in.post(
        location, data={"events": [str(i) for i in range(5)], "kind": "community_event"}
    )
    assert count() == 5
    assert len(set(db.session.scalars(select(Activity.external_uid)))) == 5
    follow = logged_in.get(response.headers["Location"]).data.decode()
    assert "Imported 3 activities. Skipped 2 already in your log." in follow


def test_future_events_are_planned(logged_in, user):
    start = date.today() + timedelta(days=30)
    text = fixture("google_allday.ics").replace(
        b"20260702T07", start.strftime("%Y%m%dT07").encode()
    )
    text = text.replace(b"20260702T08", start.strftime("%Y%m%dT08").encode())
    location = upload(logged_in, "future.ics", text).headers["Location"]
    logged_in.post(location, data={"events": ["1"], "kind": "reading"})
    activity = db.session.scalar(select(Activity))
    assert activity.start_date == start
    assert activity.status is ActivityStatus.PLANNED


def test_choosing_nothing_is_an_error_at_the_list(logged_in):
    location = upload(logged_in, "outlook.ics").headers["Location"]
    response = logged_in.post(location, data={"kind": "course"})
    assert response.status_code == 200
    assert "Tick the events you want to log." in response.data.decode()
    response = logged_in.post(location, data={"events": ["7"], "kind": "course"})
    assert response.status_code == 200
    assert count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (fixture("outlook.ics")[:900], "truncated"),
        (b"", "The file is empty."),
        ("Réunion".encode("latin-1") * 50, "not a complete calendar"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "no events"),
    ],
)
def test_bad_calendar_upload_gets_a_message_and_creates_nothing(logged_in, data, message):
    response = upload(logged_in, "bad.ics", data)
    assert response.status_code == 200
    assert message in response.data.decode()
    assert count() == 0
    assert count(ImportBatch) == 0


def test_an_expired_batch_is_gone(logged_in, user):
    batch = make_batch(user, expires_in=timedelta(hours=-1))
    assert logged_in.get(f"/imports/{batch.id}").status_code == 404
    assert count(ImportBatch) == 0


def test_discard_removes_the_upload(logged_in, user):
    batch = make_batch(user)
    assert logged_in.post(f"/imports/{batch.id}/discard").status_code == 302
    assert count(ImportBatch) == 0


def test_import_posts_need_the_csrf_token(app_factory, user, login_as):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        page = client.get("/account/login").data.decode()
        token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
        login = client.post(
            "/account/login",
            data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token},
        )
        assert login.headers["Location"] == "/dashboard"
        for path in ("/imports/calendar", "/imports/spreadsheet", "/imports/badge", "/log/"):
            data = {"calendar": (io.BytesIO(fixture("outlook.ics")), "a.ics"), "title": "x"}
            response = client.post(path, data=data, content_type="multipart/form-data")
            assert response.status_code == 400, path
        assert count() == 0
        assert count(ImportBatch) == 0


def test_eventbrite_export_with_a_tzid_but_no_vtimezone():
    (event,) = read("eventbrite.ics")
    # 18:00 in New York is 23:00 in London: still 15 September there.
    assert (event.start, event.minutes) == ("2026-09-15", 105)
    assert event.uid == "123456789@eventbrite.com#20260915T220000Z"
    assert event.organiser == "PMO Network NYC"
    assert event.online
    (tokyo,) = read("eventbrite.ics", ZoneInfo("Asia/Tokyo"))
    assert tokyo.start == "2026-09-16"


def test_preview_query_count_does_not_grow_with_events(logged_in, user, count_queries):
    def queries(batch) -> int:
        with count_queries() as statements:
            assert logged_in.get(f"/imports/{batch.id}").status_code == 200
        return len(statements)

    small = make_batch(user)
    large = make_batch(user)
    events = large.payload["events"]
    large.payload = {"events": [{**events[0], "uid": f"e{n}"} for n in range(1200)]}
    db.session.commit()
    for n in range(0, 1200, 2):
        factories.make_activity(user, commit=False, source=ActivitySource.ICS, external_uid=f"e{n}")
    db.session.commit()
    assert queries(large) == queries(small)


def test_each_event_may_have_its_own_kind_and_dates_read_like_everywhere_else(logged_in):
    """Issue 14, defect 8: a kind per event wins over the kind for all; "5 Mar 2026", not ISO."""
    location = upload(logged_in, "meetup_weekly.ics").headers["Location"]
    page = logged_in.get(location).data.decode()
    table = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert "5 Mar 2026" in table and "2026-03-05" not in table
    assert page.count('name="kind_') == 5
    data = {"events": ["0", "2"], "kind": "community_event", "kind_2": "webinar"}
    assert logged_in.post(location, data=data).status_code == 302
    activities = db.session.scalars(select(Activity).order_by(Activity.start_date)).all()
    assert [a.kind for a in activities] == [ActivityKind.COMMUNITY_EVENT, ActivityKind.WEBINAR]


def test_an_unknown_kind_for_one_event_is_refused(logged_in):
    location = upload(logged_in, "meetup_weekly.ics").headers["Location"]
    data = {"events": ["0"], "kind": "community_event", "kind_0": "party"}
    response = logged_in.post(location, data=data)
    assert response.status_code == 200 and "Not a valid choice" in response.data.decode()
    assert count() == 0
