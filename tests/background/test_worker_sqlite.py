"""The default, single-host mode: no QUEUE_URL, so the queue is a SQLite file beside the SQLite
database (or in instance/ beside PostgreSQL), served by a real `flask worker` process. A job
completes; a worker killed in the middle of a render leaves its job failed, saying so, within
QUEUE_STALE_SECONDS (never "working" forever), and a new worker renders it when asked again."""

import os
import signal
from pathlib import Path

import requests

from cpd_log.imports import batch_jobs
from cpd_log.imports.columns import suggest_mapping
from tests.background.processes import Browser, app_instance, production_env, seed, worker
from tests.database import scratch_database
from tests.imports.test_concurrent_import import ROWS, big_csv
from tests.imports.test_sheet_jobs import HEADERS
from tests.imports.test_sheets import mapping_form
from tests.test_deployment import csrf_token


def test_a_job_completes_and_a_killed_worker_fails_its_job_saying_so(tmp_path):
    with scratch_database(tmp_path) as url:
        queue_file = tmp_path / "queue.sqlite"
        settings = {"QUEUE_STALE_SECONDS": "5"}
        if not url.startswith("sqlite"):  # beside PostgreSQL the default is instance/queue.sqlite
            settings["QUEUE_URL"] = f"sqlite:///{queue_file}"
        else:
            queue_file = Path(url.removeprefix("sqlite:///")).with_suffix("")
            queue_file = queue_file.with_name(queue_file.name + "-queue.sqlite")
        env = production_env(url, tmp_path / "uploads", **settings)
        email, portfolio_id = seed(env, activities=600)
        with app_instance(env, tmp_path / "app.log") as base:
            browser = Browser(base, email)
            worker_log = tmp_path / "worker.log"
            with worker(env, worker_log) as process:
                job = browser.start_export(base, portfolio_id)
                assert queue_file.exists()  # the queue the app wrote to, and the worker reads
                browser.wait(base, job, lambda s: s["state"] == "running" and s["pages"] > 0)
                os.killpg(process.pid, signal.SIGKILL)  # mid-render
                process.wait(timeout=15)
            status = browser.wait(base, job, lambda s: s["state"] != "running", seconds=30)
            assert status["state"] == "failed", status
            assert "worker preparing this file stopped" in status["message"]
            assert "worker preparing this file stopped" in browser.get(f"{base}{job}").text
            assert status["file"] is None

            with worker(env, tmp_path / "worker-2.log"):
                again = browser.start_export(base, portfolio_id)
                assert again != job  # a failed job is never reused
                done = browser.wait(base, again, lambda s: s["state"] in ("done", "failed"))
            assert done["state"] == "done", (tmp_path / "worker-2.log").read_text()
            pdf = browser.get(f"{base}{done['file']}")
            assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_largest_spreadsheet_is_checked_and_imported_by_the_worker(tmp_path):
    """20,000 rows (the most a spreadsheet may hold): the upload and the Import button answer
    with the progress page at once; the worker checks the rows, then imports them. A worker
    killed while checking leaves the batch failed, saying so; the next worker checks it again
    when "Update preview" is pressed."""
    with scratch_database(tmp_path) as url:
        settings = {"QUEUE_STALE_SECONDS": "5", "IMPORT_BACKGROUND_AT": "2000"}
        if not url.startswith("sqlite"):
            settings["QUEUE_URL"] = f"sqlite:///{tmp_path / 'queue.sqlite'}"
        env = production_env(url, tmp_path / "uploads", **settings)
        email, _ = seed(env, activities=0)
        data = big_csv(ROWS)
        with app_instance(env, tmp_path / "app.log") as base:
            browser = Browser(base, email)
            with worker(env, tmp_path / "worker.log") as process:
                batch = upload(browser, base, data)
                page = browser.get(f"{base}{batch}").text
                assert "Checking your spreadsheet" in page and "batch-progress.js" in page
                browser.wait(base, batch, lambda s: s["state"] == "staging" and s["done"] > 0)
                os.killpg(process.pid, signal.SIGKILL)  # mid-check
                process.wait(timeout=15)
            status = browser.wait(base, batch, lambda s: s["state"] != "staging", seconds=30)
            assert status["state"] == "failed", status
            assert "stopped before it was done" in status["message"]
            assert "stopped before it was done" in browser.get(f"{base}{batch}").text

            with worker(env, tmp_path / "worker-2.log"):
                assert submit(browser, base, batch, preview="1") == batch
                staged = browser.wait(base, batch, lambda s: s["state"] not in batch_jobs.RUNNING)
                assert staged["state"] == "staged", (tmp_path / "worker-2.log").read_text()
                assert f"{ROWS} row(s)" in browser.get(f"{base}{batch}").text
                assert submit(browser, base, batch, commit="1") == batch
                done = browser.wait(base, batch, lambda s: s["state"] in ("done", "failed"))
            assert done["state"] == "done", (tmp_path / "worker-2.log").read_text()
            assert done["message"] == f"Imported {ROWS} activities."
            assert "Imported 20000 activities." in browser.get(f"{base}{batch}").text


def upload(browser: Browser, base: str, data: bytes) -> str:
    """Upload a CSV on the imports page; the batch's path (/imports/<id>)."""
    page = browser.get(f"{base}/imports/")
    response = requests.post(
        f"{base}/imports/spreadsheet",
        data={"csrf_token": csrf_token(page.text)},
        files={"sheet": ("big.csv", data, "text/csv")},
        cookies=browser.cookies,
        allow_redirects=False,
        timeout=120,
    )
    assert response.status_code == 302, response.text[-500:]
    return response.headers["Location"]


def submit(browser: Browser, base: str, batch: str, **button: str) -> str:
    """Press a button on the preview with the suggested columns; where it leads."""
    page = browser.get(f"{base}{batch}").text
    form = mapping_form(suggest_mapping(HEADERS), csrf_token=csrf_token(page), **button)
    response = requests.post(
        f"{base}{batch}", data=form, cookies=browser.cookies, allow_redirects=False, timeout=120
    )
    assert response.status_code == 302, response.text[-500:]
    return response.headers["Location"]
