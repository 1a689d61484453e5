"""The default, single-host mode: no QUEUE_URL, so the queue is a SQLite file beside the SQLite
database (or in instance/ beside PostgreSQL), served by a real `flask worker` process. A job
completes; a worker killed in the middle of a render leaves its job failed, saying so, within
QUEUE_STALE_SECONDS (never "working" forever), and a new worker renders it when asked again."""

import os
import signal
from pathlib import Path

from tests.background.processes import Browser, app_instance, production_env, seed, worker
from tests.database import scratch_database


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
