"""Issue 16, class 8: one malformed event costs that event, named with its reason; the rest is
imported. A file cut short or not a calendar is still refused whole. And the 5,000-event file
of bench/calendar.py offers exactly the events of the import window."""

import io
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from bench.calendar import make_calendar
from cpd_log.extensions import db
from cpd_log.imports.ics import (
    CalendarError,
    check_some_events,
    import_window,
    read_calendar,
)
from cpd_log.imports.ics_scan import split_calendar
from cpd_log.models import Activity, ImportBatch
from tests.imports.helpers import fixture

LONDON = ZoneInfo("Europe/London")
WINDOW = (date(2023, 1, 1), date(2027, 12, 31))


def read(name: str):
    result = read_calendar(fixture(name), LONDON, WINDOW)
    titles = [e.title for e in result.events]
    skipped = {s.title: (s.uid, s.reason) for s in result.skipped}
    return result, titles, skipped


def test_a_bad_tzid_skips_that_event_and_windows_zone_names_still_work():
    """Exchange: a VTIMEZONE whose offsets cannot be read, and a TZID defined nowhere."""
    result, titles, skipped = read("exchange_bad_tzid.ics")
    assert titles == ["Benefits realisation masterclass", "Lessons learned review"]
    masterclass, review = result.events
    # 09:00 "W. Europe Standard Time" in May is CEST, 07:00 UTC; 13:00 "GMT Standard Time" BST.
    assert masterclass.uid.endswith("#20260512T070000Z") and masterclass.minutes == 180
    assert review.uid.endswith("#20260603T120000Z")
    uid, reason = skipped["Vendor risk briefing"]
    assert uid.startswith("040000008200E00074C5B7101A82E0080000000020D2A5E1C0A4DC01")
    assert reason == "its time zone “Customized Time Zone” is defined wrongly in the file"
    _, reason = skipped["Steering committee dry run"]
    assert reason == (
        "its time zone “tzone://Microsoft/Custom” is neither defined in the file nor one we know"
    )


def test_an_invalid_duration_skips_that_event():
    """Google: DURATION "1H" is not RFC 5545's "PT1H"; a negative duration ends before it starts.
    The reminder (VALARM) inside an event neither breaks it nor lends it its description."""
    result, titles, skipped = read("google_bad_duration.ics")
    assert titles == ["Agile PMO webinar", "Mentoring: PMO career paths"]
    assert result.events[0].minutes == 90
    assert result.events[0].description == ""
    assert skipped == {
        "Data storytelling lunch and learn": (
            "1b2c3d4e5f6a@google.com",
            "its duration (DURATION) “1H” cannot be read",
        ),
        "Backwards session": ("2c3d4e5f6a7b@google.com", "its duration (DURATION) is negative"),
    }


def test_a_bad_or_missing_start_skips_that_event():
    """RFC 5545 §3.8.2.4 shapes: an ISO start with a dash and a space, no DTSTART, a 13th month,
    an end before the start; and an event without its required UID."""
    _, titles, skipped = read("rfc5545_bad_dtstart.ics")
    assert titles == ["Bastille Day Party"]
    assert skipped == {
        "Governance clinic": (
            "20260801-broken-start@example.com",
            "its start (DTSTART) “2026-08-01 09:00” cannot be read",
        ),
        "Reporting surgery": ("20260802-no-start@example.com", "it has no start (DTSTART)"),
        "Time travel workshop": (
            "20260803-ends-first@example.com",
            "it ends (DTEND) before it starts (DTSTART)",
        ),
        "Thirteenth month retro": (
            "20260804-bad-month@example.com",
            "its start (DTSTART) “20261304T100000Z” cannot be read",
        ),
        "Nameless meetup": ("", "it has no UID, so a re-import could not recognise it"),
    }


def test_a_broken_repeat_rule_skips_that_series():
    """Outlook series: an unknown weekday, no FREQ, an UNTIL that is no date, a bad EXDATE."""
    result, titles, skipped = read("outlook_bad_rrule.ics")
    assert [e.start for e in result.events] == ["2026-09-02", "2026-09-16"]  # 9th excluded
    assert set(titles) == {"PMO community of practice"}
    assert {title: reason for title, (_, reason) in skipped.items()} == {
        "Portfolio review prep": "its repeat rule (RRULE) “FREQ=WEEKLY;COUNT=4;BYDAY=TH,XX” "
        "cannot be read",
        "Monthly risk forum": "its repeat rule (RRULE) says not how often (no FREQ)",
        "Scheduling clinic": "its repeat rule (RRULE) “FREQ=WEEKLY;UNTIL=next-month” "
        "cannot be read",
        "Benefits huddle": "its excluded dates (EXDATE) “2026091” cannot be read",
    }


@pytest.mark.parametrize(
    "name",
    ["exchange_bad_tzid.ics", "google_bad_duration.ics", "outlook_bad_rrule.ics"],
)
def test_a_file_cut_short_is_still_refused_whole(name):
    data = fixture(name)
    for cut in (data[: len(data) // 2], data[: data.rindex(b"END:VEVENT")]):
        with pytest.raises(CalendarError, match="truncated"):
            read_calendar(cut, LONDON, WINDOW)


def test_a_file_of_only_broken_events_says_why_at_the_upload():
    only_broken = fixture("rfc5545_bad_dtstart.ics").replace(
        b"DTSTART:20260714T170000Z", b"DTSTART:14/07/2026"
    )
    read = read_calendar(only_broken, LONDON, WINDOW)
    with pytest.raises(CalendarError) as refused:
        check_some_events(read)
    message = str(refused.value)
    assert message.startswith("No event in the file could be read: “Bastille Day Party”: its start")
    assert message.endswith("(and 3 more).")


def test_window_filter_keeps_events_reaching_into_the_window_and_folded_lines():
    """One-off events outside the window are dropped before parsing, but not one that starts
    before the window and ends inside it, nor one whose DTSTART line is folded (RFC 5545 §3.1)."""
    head = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//x//EN\r\n"
    events = [
        (b"old", b"DTSTART:20200101T090000Z\r\nDTEND:20200101T100000Z"),
        (b"into", b"DTSTART;VALUE=DATE:20221220\r\nDTEND;VALUE=DATE:20230105"),
        (b"folded", b'DTSTART;TZID="(UTC+01:00) Amsterdam\\, Berlin\\, Bern\\, Rome\\, Sto\r\n'
         b' ckholm\\, Vienna":20250301T090000\r\nDTEND:20250301T100000Z'),
        (b"later", b"DTSTART:20300101T090000Z\r\nDTEND:20300101T100000Z"),
    ]  # fmt: skip
    body = b"".join(
        b"BEGIN:VEVENT\r\nUID:" + uid + b"\r\n" + dates + b"\r\nEND:VEVENT\r\n"
        for uid, dates in events
    )
    blocks = split_calendar(head + body + b"END:VCALENDAR\r\n", WINDOW)
    assert [block.split(b"\r\n")[1] for block in blocks.events] == [b"UID:into", b"UID:folded"]


def test_the_window_of_29_february_goes_back_to_the_28th():
    assert import_window(date(2028, 2, 29)) == (date(2025, 2, 28), date(2029, 2, 28))


# --- through the pages -------------------------------------------------------------------------


def upload(client, name: str, data: bytes):
    """Encoded here in memory: the test client spools a body over 500 KB to a temporary file it
    never closes (a ResourceWarning, an error under this suite's warning filter)."""
    boundary, body = encode_multipart({"calendar": FileStorage(io.BytesIO(data), name)})
    return client.post(
        "/imports/calendar", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def test_preview_lists_each_skipped_event_and_imports_the_rest(logged_in):
    response = upload(logged_in, "rrule.ics", fixture("outlook_bad_rrule.ics"))
    assert response.status_code == 302
    page = logged_in.get(response.headers["Location"]).data.decode()
    notice = page.split('id="skipped-events"', 1)[1].split("</div>", 1)[0]
    assert "4 event(s) in the file could not be read" in notice
    assert "“Benefits huddle” <span" in notice
    assert "(UID weekly-bad-exdate@example.com)</span>: its excluded dates (EXDATE)" in notice
    assert page.count('name="events"') == 2
    done = logged_in.post(
        response.headers["Location"], data={"events": ["0", "1"], "kind": "course"}
    )
    assert done.status_code == 302
    titles = db.session.scalars(select(Activity.title)).all()
    assert titles == ["PMO community of practice"] * 2


def test_an_upload_of_only_broken_events_is_refused_at_the_field(logged_in):
    data = fixture("google_bad_duration.ics").replace(b"PT1H30M", b"90 minutes")
    data = data.replace(b"DTEND:20260710T130000Z", b"DTEND:20260710T110000Z")
    response = upload(logged_in, "broken.ics", data)
    assert response.status_code == 200
    page = response.data.decode()
    assert "No event in the file could be read: “Agile PMO webinar”: its duration" in page
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_the_5000_event_calendar_imports_exactly_the_events_of_the_window(logged_in, user):
    """The bench file (bench/calendar.py): 5,000 events over many years, 60 repeating series."""
    today = date.today()
    data, expected = make_calendar(today)
    assert expected > 450 and len(data) > 1_500_000
    response = upload(logged_in, "outlook.ics", data)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert logged_in.get(location).data.count(b'name="events"') == expected
    done = logged_in.post(
        location, data={"events": [str(i) for i in range(expected)], "kind": "course"}
    )
    assert done.status_code == 302
    starts = db.session.scalars(select(Activity.start_date).where(Activity.user_id == user.id))
    starts = list(starts)
    assert len(starts) == expected
    first, end = import_window(today)
    assert first <= min(starts) and max(starts) < end + timedelta(days=1)
