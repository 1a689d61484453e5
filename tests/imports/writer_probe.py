"""Another user saving activities in a loop, in a process of its own (as a gunicorn worker).

    python -m tests.imports.writer_probe <database url> <email> <stop file>

Used by test_concurrent_import.py: logs in through the login form, saves once to warm up (the
first request compiles templates and statements), prints "ready", then posts
the new-activity form until the stop file appears, and prints one JSON line: each save's wait in
seconds and its status. A process, not a thread, so that its waits are the database's, not the
importer's share of the GIL.
"""

import json
import sys
import time
from pathlib import Path

from cpd_log import create_app
from tests.factories import PASSWORD


def main(url: str, email: str, stop: Path) -> None:
    app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url})
    client = app.test_client()
    login = client.post("/account/login", data={"email": email, "password": PASSWORD})
    assert login.status_code == 302, "login failed"
    assert client.post("/activities/new", data=_form("warm-up")).status_code == 302
    print("ready", flush=True)
    saves = []
    while not stop.exists():
        started = time.perf_counter()
        status = client.post("/activities/new", data=_form(len(saves))).status_code
        saves.append([round(time.perf_counter() - started, 4), status])
    print(json.dumps(saves), flush=True)


def _form(n) -> dict:
    return {
        "title": f"Saved during the import {n}",
        "kind": "course",
        "start_date": "2026-03-10",
        "hours": "1",
        "delivery": "online",
        "status": "completed",
    }


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], Path(sys.argv[3]))
