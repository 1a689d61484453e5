"""Issue 17, Deliver 4: two app instances (gunicorn, from environment variables) on two ports
share the database (PostgreSQL under `make test-pg`, a SQLite file under `make test`), Redis
database 11 as the queue and one upload folder, with one worker process: a PDF export started
through instance A is taken by the worker, its progress read and its file downloaded through
instance B; an account restore uploaded through A completes as B shows. Redis is required: an
unreachable Redis fails the test, never skips it."""

import io

import redis
from pypdf import PdfReader

from tests.background.processes import (
    RESTORER,
    Browser,
    app_instance,
    production_env,
    seed,
    worker,
)
from tests.database import scratch_database
from tests.parallel import redis_db

REDIS_DB = redis_db(11)  # this test's own Redis database (per xdist worker); only it is flushed
QUEUE_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"


def test_a_job_started_on_one_instance_completes_and_downloads_on_the_other(tmp_path):
    store = redis.Redis.from_url(QUEUE_URL, socket_connect_timeout=5)
    store.flushdb()  # raises when Redis is unreachable: the test fails
    try:
        with scratch_database(tmp_path) as url:
            env = production_env(
                url,
                tmp_path / "shared-uploads",
                QUEUE_URL=QUEUE_URL,
                RATELIMIT_STORAGE_URI=QUEUE_URL,
            )
            email, portfolio_id = seed(env, activities=12)
            with (
                app_instance(env, tmp_path / "a.log") as a,
                app_instance(env, tmp_path / "b.log") as b,
            ):
                browser = Browser(a, email)
                job = browser.start_export(a, portfolio_id)
                assert b != a
                page = browser.get(f"{b}{job}")
                assert page.status_code == 200 and "Waiting for a worker" in page.text
                # No worker yet: the job waits in Redis, not in either instance.
                assert browser.get(f"{b}{job}/status").json()["state"] == "queued"
                assert store.llen("huey.redis.cpdlog") == 1
                restorer = Browser(a, RESTORER)
                restore = restorer.start_restore(a, browser.backup(a))
                with worker(env, tmp_path / "worker.log"):
                    status = browser.wait(b, job, lambda s: s["state"] not in ("queued", "running"))
                    restored = restorer.wait(b, restore, lambda s: s["state"] in ("done", "failed"))
                assert restored["state"] == "done", restored
                assert restored["counts"]["activities"] == 12
                assert "Queued course 11" in restorer.get(f"{b}/activities/?q=Queued").text
                assert status["state"] == "done", (tmp_path / "worker.log").read_text()
                download = browser.get(f"{b}{status['file']}")
                assert download.status_code == 200
                assert download.headers["Content-Disposition"].startswith("attachment")
                text = "".join(
                    p.extract_text() for p in PdfReader(io.BytesIO(download.content)).pages
                )
                assert "Rendered by the worker" in text and "Queued course 11" in text
                assert status["pages"] == len(PdfReader(io.BytesIO(download.content)).pages)
                # The file is in the shared folder, where instance A serves it too.
                assert browser.get(f"{a}{status['file']}").content == download.content
                assert len(list((tmp_path / "shared-uploads" / ".exports").iterdir())) == 1
                health = browser.get(f"{b}/healthz").json()
                assert health == {"status": "ok", "database": "ok", "redis": "ok", "queue": "ok"}
    finally:
        store.flushdb()
        store.close()
