"""Large spreadsheets are checked and imported on the queue (QUEUE_URL immediate here: the job
runs in the request's thread, through the same code a worker runs): the pages answer with a
progress page that polls, and every guarantee of an import in the request still holds."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from cpd_log.extensions import db
from cpd_log.imports import batch_jobs, staging
from cpd_log.imports.columns import suggest_mapping
from cpd_log.imports.views import DEFAULTS
from cpd_log.models import Activity, ImportBatch, ImportRow
from tests import factories
from tests.imports.test_concurrent_import import big_csv
from tests.imports.test_sheets import mapping_form, upload

HEADERS = ["title", "date", "hours", "provider", "description"]
ROWS = 2 * staging.STAGE_CHUNK + 500  # three chunks: progress is counted as they go


@pytest.fixture
def app(app_factory):
    app = app_factory(IMPORT_BACKGROUND_AT=100, QUEUE_STALE_SECONDS=1)
    with app.app_context():
        yield app


def count(model=Activity) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def the_batch() -> ImportBatch:
    db.session.expire_all()
    return db.session.scalar(select(ImportBatch))


def test_a_large_file_is_checked_and_imported_by_the_job(logged_in):
    location = upload(logged_in, big_csv(ROWS), "big.csv").headers["Location"]
    batch = the_batch()
    assert batch.job == {
        "step": "stage",
        "signature": staging.signature(suggest_mapping(HEADERS), DEFAULTS),
        "duplicates": False,
    }
    assert (batch.job_state, batch.job_done, batch.job_total) == (None, ROWS, ROWS)
    status = logged_in.get(f"{location}/status").get_json()
    assert status["state"] == "staged" and status["next"] == location
    preview = logged_in.get(location).get_data(as_text=True)
    assert f"{ROWS} row(s)" in preview and "0 with errors" in preview

    form = mapping_form(suggest_mapping(HEADERS), commit="1")
    response = logged_in.post(location, data=form)
    assert response.status_code == 302 and response.headers["Location"] == location
    assert count() == ROWS and count(ImportRow) == 0
    page = logged_in.get(location).get_data(as_text=True)
    assert f"Imported {ROWS} activities." in page and "batch-progress.js" in page
    status = logged_in.get(f"{location}/status").get_json()
    assert status == {
        "state": "done",
        "step": "import",
        "done": ROWS,
        "total": ROWS,
        "message": f"Imported {ROWS} activities.",
        "next": "/activities/",
    }
    assert logged_in.post(location, data=form).status_code == 200  # a second submit: nothing
    assert count() == ROWS


def test_a_new_mapping_is_checked_by_the_job_and_kept_for_the_page(logged_in):
    location = upload(logged_in, big_csv(ROWS), "big.csv").headers["Location"]
    mapping = {**suggest_mapping(HEADERS), "provider": None, "description": 3}  # provider column
    response = logged_in.post(location, data=mapping_form(mapping, preview="1"))
    assert response.status_code == 302 and response.headers["Location"] == location
    batch = the_batch()
    assert batch.mapping[0]["description"] == 3 and batch.job_state is None
    page = logged_in.get(location).get_data(as_text=True)  # the page shows what was checked
    chosen = page.split('name="col_description"')[1].split("</select>")[0]
    assert '<option value="3" selected>' in chosen
    assert the_batch().job["step"] == "stage" and the_batch().mapping == batch.mapping
    logged_in.post(location, data=mapping_form(mapping, commit="1"))
    assert db.session.scalar(select(Activity.description).limit(1)) == "PMI"


def test_a_large_file_not_checked_with_this_mapping_waits_for_the_button(logged_in, user):
    location = upload(logged_in, big_csv(ROWS), "big.csv").headers["Location"]
    db.session.execute(update(ImportBatch).values(mapping=None))  # as a killed staging leaves it
    db.session.commit()
    page = logged_in.get(location).get_data(as_text=True)
    assert 'data-testid="sheet-not-checked"' in page and "sheet-summary" not in page
    assert the_batch().job_state is None  # a GET starts no job


def test_an_import_that_fails_half_way_leaves_nothing_and_can_be_retried(logged_in):
    location = upload(logged_in, big_csv(ROWS), "big.csv").headers["Location"]
    # A row the database refuses mid-INSERT (minutes below 0).
    db.session.execute(update(ImportRow).where(ImportRow.number == 2400).values(minutes=-1))
    db.session.commit()
    form = mapping_form(suggest_mapping(HEADERS), commit="1")
    response = logged_in.post(location, data=form)
    assert response.status_code == 302
    assert count() == 0
    batch = the_batch()
    assert batch.job_state == "failed" and batch.job_message == batch_jobs.FAILED
    status = logged_in.get(f"{location}/status").get_json()
    assert status["state"] == "failed" and status["next"] == location
    page = logged_in.get(location).get_data(as_text=True)  # the preview, with the message
    assert batch_jobs.FAILED.split(";")[0] in page and "Import 2500 rows" in page
    db.session.execute(update(ImportRow).where(ImportRow.number == 2400).values(minutes=90))
    db.session.commit()
    assert logged_in.post(location, data=form).status_code == 302
    assert count() == ROWS and the_batch().job_state == "done"


def test_a_running_job_whose_worker_died_ends_failed_saying_so(logged_in):
    location = upload(logged_in, big_csv(ROWS), "big.csv").headers["Location"]
    long_ago = datetime.now(UTC) - timedelta(minutes=5)
    db.session.execute(
        update(ImportBatch).values(
            job_state="importing", job_updated_at=long_ago, job={"step": "import"}
        )
    )
    db.session.commit()
    status = logged_in.get(f"{location}/status").get_json()
    assert status["state"] == "failed" and "stopped before it was done" in status["message"]
    assert count() == 0
    page = logged_in.get(location).get_data(as_text=True)
    assert "stopped before it was done" in page


def test_a_running_job_shows_its_progress_page(logged_in):
    location = upload(logged_in, big_csv(ROWS), "big.csv").headers["Location"]
    db.session.execute(
        update(ImportBatch).values(
            job_state="staging", job_done=1000, job_updated_at=datetime.now(UTC)
        )
    )
    db.session.commit()
    page = logged_in.get(location).get_data(as_text=True)
    assert "Checking your spreadsheet" in page and 'value="1000"' in page
    status = logged_in.get(f"{location}/status").get_json()
    assert (status["state"], status["done"], status["next"]) == ("staging", 1000, None)


def test_a_small_file_stays_in_the_request(logged_in):
    lines = "\r\n".join(f"Course {n},2026-01-05,1,PMI,x" for n in range(100))
    location = upload(logged_in, f"title,date,hours,provider,description\r\n{lines}".encode())
    batch = the_batch()
    assert batch.job is None and batch.mapping is not None
    assert location.status_code == 302


def test_another_users_batch_and_its_status_answer_404(app, logged_in, login_as):
    location = upload(logged_in, big_csv(ROWS), "big.csv").headers["Location"]
    other = login_as(app.test_client(), factories.make_user(email="eve@example.com"))
    assert other.get(f"{location}/status").status_code == 404
    assert other.get(location).status_code == 404


def test_an_unreachable_queue_says_so_and_answers_no_500(app_factory, login_as):
    app = app_factory(IMPORT_BACKGROUND_AT=100, QUEUE_URL="redis://127.0.0.1:1/0")  # nobody there
    with app.app_context():
        client = login_as(app.test_client(), factories.make_user(email="ada@example.com"))
        response = upload(client, big_csv(ROWS), "big.csv")
        assert response.status_code == 302
        location = response.headers["Location"]
        assert the_batch().job_state == "failed"
        page = client.get(location).get_data(as_text=True)
        assert "could not be reached; nothing was imported" in page
        assert count() == 0
