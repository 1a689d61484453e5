"""Uploads and deletes racing each other through the real pages, on the run's real database.

Threads stand in for a user's browser tabs: each has its own client, request context and database
connection. The interpreter's switch interval is shortened so the threads interleave inside the
short windows where a race can happen.
"""

import io
import sys
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from cpd_log.evidence import services
from cpd_log.extensions import db
from cpd_log.models import Evidence
from tests import factories
from tests.evidence import samples
from tests.evidence.conftest import stored_files

# Enough rounds that the old delete (count after commit, then unlink, with no lock) lost a file in
# every run tried (it lost one in ~1 of 40 rounds); a few seconds on SQLite and PostgreSQL.
ROUNDS = 60


@pytest.fixture
def interleaved():
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(previous)


def _client(app, user):
    client = app.test_client()
    response = client.post(
        "/account/login", data={"email": user.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    return client


def _upload(client, activity_id: int, data: bytes, name: str):
    form = {"file": (io.BytesIO(data), name), "title": "", "url": ""}
    return client.post(
        f"/evidence/activity/{activity_id}/new", data=form, content_type="multipart/form-data"
    )


def _run_together(workers: list[Callable[[], None]]) -> list[str]:
    """Start the workers at once; what went wrong in any of them (exceptions included)."""
    failures: list[str] = []
    start = threading.Barrier(len(workers))

    def run(work):
        start.wait()
        try:
            work()
        except Exception as error:  # noqa: BLE001 - a 500 propagates as an exception in tests
            failures.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return failures


def _evidence_ids(app, activity_id: int) -> list[int]:
    with app.app_context():
        query = select(Evidence.id).where(Evidence.activity_id == activity_id)
        return list(db.session.scalars(query))


def test_delete_and_reupload_of_the_same_content_never_loses_a_file(
    app, user, upload_dir, interleaved
):
    """Two tabs of one user attach the same certificate and delete it again, over and over:
    every row that exists must still have its file (its download answers 200 with the bytes)."""
    data = samples.pdf_bytes("Shared certificate")
    activities = [factories.make_activity(user).id for _ in range(2)]
    problems: list[str] = []

    def tab(activity_id: int) -> Callable[[], None]:
        client = _client(app, user)

        def work():
            for round_ in range(ROUNDS):
                assert _upload(client, activity_id, data, "cert.pdf").status_code == 302
                for evidence_id in _evidence_ids(app, activity_id):
                    response = client.get(f"/evidence/{evidence_id}/download")
                    if response.status_code != 200 or response.data != data:
                        problems.append(f"round {round_}: download {response.status_code}")
                    response.close()
                    client.post(f"/evidence/{evidence_id}/delete")

        return work

    failures = _run_together([tab(a) for a in activities])
    assert failures == [] and problems == []
    assert db.session.scalar(select(func.count(Evidence.id))) == 0
    assert stored_files(upload_dir) == []


def test_every_remaining_row_keeps_its_file_after_racing_deletes(
    app, user, upload_dir, interleaved
):
    """One tab deletes while the other keeps a copy: at the end the kept copy downloads."""
    data = samples.png_bytes(colour=(10, 120, 200))
    keeper, churner = factories.make_activity(user).id, factories.make_activity(user).id
    client_keep, client_churn = _client(app, user), _client(app, user)

    def keep():
        for _ in range(ROUNDS):
            _upload(client_keep, keeper, data, "photo.png")
            for evidence_id in _evidence_ids(app, keeper)[:-1]:
                client_keep.post(f"/evidence/{evidence_id}/delete")

    def churn():
        for _ in range(ROUNDS):
            _upload(client_churn, churner, data, "photo.png")
            for evidence_id in _evidence_ids(app, churner):
                client_churn.post(f"/evidence/{evidence_id}/delete")

    assert _run_together([keep, churn]) == []
    remaining = list(db.session.scalars(select(Evidence)))
    assert [e.activity_id for e in remaining] == [keeper]
    for evidence in remaining:
        response = client_keep.get(f"/evidence/{evidence.id}/download")
        assert response.status_code == 200 and response.data == data
        response.close()
    assert len(stored_files(upload_dir)) >= 1
    assert services.file_path(remaining[0]).exists()


def _parallel_uploads(app, user, activity_id: int, count: int, size: int) -> list[int]:
    """`count` tabs each attach a different text file of `size` bytes at the same moment; the
    status codes they got."""
    statuses: list[int] = []

    def tab(number: int) -> Callable[[], None]:
        client = _client(app, user)
        data = (f"notes from tab {number} " * size).encode()[:size]

        def work():
            statuses.append(_upload(client, activity_id, data, f"notes-{number}.txt").status_code)

        return work

    assert _run_together([tab(n) for n in range(count)]) == []
    return statuses


def test_parallel_uploads_never_exceed_the_quota_together(app_factory, user, tmp_path, interleaved):
    """Each upload used to check the quota on its own, before any of the others was saved."""
    folder = tmp_path / "uploads"
    app = app_factory(UPLOAD_DIR=str(folder), EVIDENCE_QUOTA_BYTES=3 * 4000 + 100)
    with app.app_context():
        activity_id = factories.make_activity(user).id
    statuses = _parallel_uploads(app, user, activity_id, count=8, size=4000)
    assert statuses.count(302) == 3 and statuses.count(200) == 5
    with app.app_context():
        assert db.session.scalar(select(func.count(Evidence.id))) == 3
    assert sum(p.stat().st_size for p in stored_files(folder)) <= 3 * 4000 + 100


def test_parallel_uploads_never_exceed_the_files_per_activity(
    app_factory, user, tmp_path, interleaved
):
    app = app_factory(UPLOAD_DIR=str(tmp_path / "uploads"), EVIDENCE_MAX_FILES=3)
    with app.app_context():
        activity_id = factories.make_activity(user).id
    statuses = _parallel_uploads(app, user, activity_id, count=8, size=100)
    assert statuses.count(302) == 3
    with app.app_context():
        assert db.session.scalar(select(func.count(Evidence.id))) == 3
