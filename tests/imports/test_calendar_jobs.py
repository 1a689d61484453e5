"""Large calendars are read on the queue (QUEUE_URL immediate here: the job runs in the request's
thread, through the same code a worker runs): the upload answers with a progress page, and once
read the batch is the same preview a calendar read in the request gives."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from cpd_log.extensions import db
from cpd_log.imports import batch_jobs
from cpd_log.models import ImportBatch
from tests import factories
from tests.imports.test_ics import count, upload

BACKGROUND_AT = 3


@pytest.fixture
def app(app_factory):
    app = app_factory(IMPORT_BACKGROUND_AT=BACKGROUND_AT, QUEUE_STALE_SECONDS=1)
    with app.app_context():
        yield app


def calendar(days: list[date]) -> bytes:
    """An export with one hour-long event on each of `days`."""
    events = "".join(
        "BEGIN:VEVENT\r\n"
        f"UID:event-{n}@example.com\r\n"
        f"SUMMARY:PMO webinar {n}\r\n"
        f"DTSTART:{day:%Y%m%d}T090000Z\r\n"
        f"DTEND:{day:%Y%m%d}T100000Z\r\n"
        "END:VEVENT\r\n"
        for n, day in enumerate(days)
    )
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n{events}END:VCALENDAR\r\n"
    ).encode()


def recent(count: int) -> bytes:
    today = date.today()
    return calendar([today - timedelta(days=7 * n + 1) for n in range(count)])


def the_batch() -> ImportBatch | None:
    db.session.expire_all()
    return db.session.scalar(select(ImportBatch))


def test_a_large_calendar_is_read_by_the_job_then_its_events_are_chosen(logged_in):
    response = upload(logged_in, "big.ics", recent(5))
    assert response.status_code == 302
    location = response.headers["Location"]
    batch = the_batch()
    assert batch.job["step"] == "read" and batch.job_state is None
    assert "ics" not in batch.payload and len(batch.payload["events"]) == 5  # read: no bytes kept
    status = logged_in.get(f"{location}/status").get_json()
    assert (status["state"], status["next"]) == ("staged", location)

    page = logged_in.get(location).get_data(as_text=True)
    assert page.count('name="events"') == 5 and "PMO webinar 4" in page
    response = logged_in.post(location, data={"events": ["0", "3"], "kind": "webinar"})
    assert response.headers["Location"] == "/activities/"
    assert count() == 2 and the_batch() is None


def test_what_the_job_reads_is_what_the_request_reads(app_factory, login_as):
    """The same file, once read in the request and once by the job: the same stored events."""
    payloads = []
    for threshold in (100, BACKGROUND_AT):
        app = app_factory(IMPORT_BACKGROUND_AT=threshold)
        with app.app_context():
            user = factories.make_user(email=f"ada{threshold}@example.com")
            client = login_as(app.test_client(), user)
            upload(client, "big.ics", recent(5))
            db.session.expire_all()
            batch = db.session.scalar(select(ImportBatch).filter_by(user_id=user.id))
            payloads.append(batch.payload)
            assert (batch.job is None) == (threshold == 100)
    assert payloads[0] == payloads[1]


def test_a_small_calendar_stays_in_the_request(logged_in):
    response = upload(logged_in, "small.ics", recent(BACKGROUND_AT))
    assert response.status_code == 302
    batch = the_batch()
    assert batch.job is None and len(batch.payload["events"]) == BACKGROUND_AT


def test_a_calendar_the_job_cannot_read_ends_failed_and_the_upload_page_says_why(logged_in):
    old = calendar([date(2001, 3, n) for n in range(1, 6)])  # nothing in the last three years
    location = upload(logged_in, "old.ics", old).headers["Location"]
    status = logged_in.get(f"{location}/status").get_json()
    assert status["state"] == "failed" and status["next"] == location
    assert "no events from the last three years" in status["message"]

    response = logged_in.get(location)
    assert response.status_code == 302 and response.headers["Location"] == "/imports/"
    page = logged_in.get("/imports/").get_data(as_text=True)
    assert "Nothing was imported: The file holds no events from the last three years." in page
    assert the_batch() is None and count() == 0
    assert logged_in.get(location).status_code == 404  # shown once, then gone


def test_a_file_too_large_to_read_is_refused_at_the_field_before_any_job(logged_in, monkeypatch):
    from cpd_log.imports import ics

    monkeypatch.setattr(ics, "MAX_COMPONENTS", 4)
    response = upload(logged_in, "huge.ics", recent(5))
    assert response.status_code == 200
    assert "The file holds more than 4 events" in response.get_data(as_text=True)
    assert the_batch() is None


def test_a_calendar_being_read_shows_its_progress_page(logged_in):
    location = upload(logged_in, "big.ics", recent(5)).headers["Location"]
    db.session.execute(
        update(ImportBatch).values(job_state="reading", job_updated_at=datetime.now(UTC))
    )
    db.session.commit()
    page = logged_in.get(location).get_data(as_text=True)
    assert "Reading your calendar" in page and "batch-progress.js" in page
    status = logged_in.get(f"{location}/status").get_json()
    assert (status["state"], status["step"], status["next"]) == ("reading", "read", None)
    # The choice form cannot be posted meanwhile: the page answers with the progress page.
    response = logged_in.post(location, data={"events": ["0"], "kind": "webinar"})
    assert response.status_code == 200 and count() == 0


def test_a_reading_job_whose_worker_died_ends_failed_saying_so(logged_in):
    location = upload(logged_in, "big.ics", recent(5)).headers["Location"]
    long_ago = datetime.now(UTC) - timedelta(minutes=5)
    db.session.execute(update(ImportBatch).values(job_state="reading", job_updated_at=long_ago))
    db.session.commit()
    status = logged_in.get(f"{location}/status").get_json()
    assert status["state"] == "failed" and status["message"] == batch_jobs.WORKER_LOST
    logged_in.get(location)
    assert batch_jobs.WORKER_LOST in logged_in.get("/imports/").get_data(as_text=True)
    assert count() == 0


def test_another_users_calendar_batch_and_its_status_answer_404(app, logged_in, login_as):
    location = upload(logged_in, "big.ics", recent(5)).headers["Location"]
    other = login_as(app.test_client(), factories.make_user(email="eve@example.com"))
    assert other.get(f"{location}/status").status_code == 404
    assert other.get(location).status_code == 404


def test_an_unreachable_queue_says_so_and_answers_no_500(app_factory, login_as):
    app = app_factory(IMPORT_BACKGROUND_AT=BACKGROUND_AT, QUEUE_URL="redis://127.0.0.1:1/0")
    with app.app_context():
        client = login_as(app.test_client(), factories.make_user(email="ada@example.com"))
        response = upload(client, "big.ics", recent(5))
        assert response.status_code == 302
        assert the_batch().job_state == "failed"
        client.get(response.headers["Location"])
        page = client.get("/imports/").get_data(as_text=True)
        assert "could not be reached; nothing was imported" in page
        assert count() == 0
