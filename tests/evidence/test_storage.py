"""Stored files on disk: a killed upload's orphan counts in the quota until the sweep removes it,
the sweep spares what rows name, and the cap on evidence per activity or reflection."""

import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cpd_log.evidence import services
from cpd_log.extensions import db
from cpd_log.models import Evidence
from tests import factories
from tests.evidence import samples
from tests.evidence.conftest import stored_files

ROOT = Path(__file__).resolve().parents[2]
# Attach a file through the real service in a process of its own, then die by SIGKILL after the
# file is written and before the commit, as a worker killed mid-upload would.
KILLED_UPLOAD = """
import os, signal, sys
from cpd_log import create_app
from cpd_log.evidence import services
from cpd_log.extensions import db
from cpd_log.models import Activity, User
url, folder, user_id, activity_id = sys.argv[1:]
app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": folder})
with app.app_context():
    user, activity = db.session.get(User, int(user_id)), db.session.get(Activity, int(activity_id))
    services.attach_file(user, activity, services.Upload("notes.txt", b"never committed " * 200))
    os.kill(os.getpid(), signal.SIGKILL)
"""


def _kill_an_upload(database_url, upload_dir, user, activity) -> None:
    arguments = [database_url, str(upload_dir), str(user.id), str(activity.id)]
    done = subprocess.run(
        [sys.executable, "-c", KILLED_UPLOAD, *arguments], cwd=ROOT, capture_output=True, timeout=60
    )
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()


def _upload(client, activity, data: bytes, name: str):
    form = {"file": (io.BytesIO(data), name), "title": "", "url": ""}
    return client.post(
        f"/evidence/activity/{activity.id}/new", data=form, content_type="multipart/form-data"
    )


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_killed_upload_leaves_an_orphan_that_counts_until_swept(
    app_factory, database_url, user, tmp_path, login_as
):
    folder = tmp_path / "uploads"
    app = app_factory(UPLOAD_DIR=str(folder), EVIDENCE_QUOTA_BYTES=4000)
    client = app.test_client()
    with app.app_context():
        activity = factories.make_activity(user)
        _kill_an_upload(database_url, folder, user, activity)
        assert db.session.scalar(select(func.count(Evidence.id))) == 0
        [orphan] = stored_files(folder)
        assert services.used_bytes(user) == orphan.stat().st_size == 3200
        login_as(client, user)
        response = _upload(client, activity, b"n" * 1000, "notes.txt")
        assert "storage quota" in response.get_data(as_text=True)

        assert services.sweep_orphan_files(timedelta(hours=1)) == services.Swept(0, 0)
        _age(orphan, 2 * 3600)
        assert services.sweep_orphan_files(timedelta(hours=1)) == services.Swept(1, 3200)
        assert stored_files(folder) == []
        assert _upload(client, activity, b"n" * 1000, "notes.txt").status_code == 302


def test_sweep_spares_named_young_and_foreign_files(app, user, upload_dir):
    activity = factories.make_activity(user)
    photo = samples.make_evidence(user, activity, samples.png_bytes((2400, 1200)), "wide.png")
    kept = [services.file_path(photo), services.file_path(photo).with_name(photo.rendition_sha256)]
    folder = kept[0].parent
    orphan, temporary, young = folder / ("ab" * 32), folder / ".cd.1234.part", folder / ("ef" * 32)
    gone_user = upload_dir / "999999" / ("12" * 32)
    exports = upload_dir / ".exports" / "job.pdf"
    for path in (orphan, temporary, young, gone_user, exports):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 10)
    for path in (*kept, orphan, temporary, gone_user, exports):
        _age(path, 3 * 86400)

    assert services.sweep_orphan_files(timedelta(days=1)) == services.Swept(3, 30)
    assert all(p.exists() for p in (*kept, young, exports))
    assert not any(p.exists() for p in (orphan, temporary, gone_user))
    with services.open_file(photo) as original, services.open_file(photo, rendition=True) as copy:
        assert original.read().startswith(b"\x89PNG") and copy.read(2) == b"\xff\xd8"


@pytest.mark.parametrize("kind", ["activity", "reflection"])
def test_evidence_per_activity_or_reflection_is_capped_at_the_field(
    app_factory, user, tmp_path, login_as, kind
):
    app = app_factory(UPLOAD_DIR=str(tmp_path), EVIDENCE_MAX_FILES=2)
    client = app.test_client()
    with app.app_context():
        target = factories.make_activity(user) if kind == "activity" else None
        target = target or factories.make_reflection(user)
        login_as(client, user)
        address = f"/evidence/{kind}/{target.id}/new"
        form = {"title": "", "url": "https://example.org/slides"}
        assert client.post(address, data=form).status_code == 302
        upload = {"file": (io.BytesIO(b"notes"), "notes.txt"), "title": "", "url": ""}
        assert client.post(address, data=upload).status_code == 302
        upload = {"file": (io.BytesIO(b"more"), "more.txt"), "title": "Keep me", "url": ""}
        response = client.post(address, data=upload)
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert f"This {kind} already has 2 pieces of evidence, the most allowed" in page
        assert 'value="Keep me"' in page
        assert client.post(address, data=form).status_code == 200
        assert db.session.scalar(select(func.count(Evidence.id))) == 2
        assert len(stored_files(tmp_path)) == 1


def test_the_default_cap_leaves_room_for_a_conference_worth_of_handouts(app):
    assert app.config["EVIDENCE_MAX_FILES"] >= 100


def test_files_attached_in_one_transaction_count_together(app_factory, user, tmp_path):
    """An import attaches many files before one commit: each counts against the quota."""
    app = app_factory(UPLOAD_DIR=str(tmp_path), EVIDENCE_QUOTA_BYTES=3000)
    with app.app_context():
        activity = factories.make_activity(user)
        services.attach_file(user, activity, services.Upload("a.txt", b"a" * 2000))
        with pytest.raises(services.Refused, match="storage quota"):
            services.attach_file(user, activity, services.Upload("b.txt", b"b" * 2000))
        db.session.rollback()
        assert stored_files(tmp_path) == []
