"""Restoring a backup: the upload streams past MAX_CONTENT_LENGTH up to the user's quota, the
archive is checked before anything is imported (members, sizes, zip bombs, SHA-256), and a failed
or killed import leaves no file behind."""

import hashlib
import io
import json
import os
import re
import time
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from cpd_log.account import import_jobs
from cpd_log.evidence import storage
from cpd_log.extensions import db
from cpd_log.models import Activity, Evidence, ImportJob
from tests import factories
from tests.account.backup_helpers import (
    backup_of,
    exported,
    import_through_page,
    restore,
    upload,
    wait,
)
from tests.evidence import samples

MB = 1024 * 1024


@pytest.fixture
def app(app_factory, upload_dir):
    app = app_factory(
        UPLOAD_DIR=str(upload_dir),
        MAX_CONTENT_LENGTH=1 * MB,
        EVIDENCE_MAX_BYTES=2 * MB,
        EVIDENCE_QUOTA_BYTES=6 * MB,
        ACCOUNT_IMPORT_JSON_MAX_BYTES=1 * MB,
    )
    with app.app_context():
        yield app


def _count(model, user) -> int:
    return db.session.scalar(select(func.count(model.id)).where(model.user_id == user.id))


def _account_with_files(user, sizes: list[int]) -> None:
    activity = factories.make_activity(user, title="With files")
    for n, size in enumerate(sizes):
        samples.make_evidence(user, activity, samples.pdf_bytes() + os.urandom(size), f"f{n}.pdf")


def test_a_backup_larger_than_max_content_length_restores(app, user, client, login_as):
    """The measured defect: an export above MAX_CONTENT_LENGTH answered 413 on import."""
    _account_with_files(user, [int(1.5 * MB), int(1.5 * MB)])
    payload = backup_of(user)
    assert len(payload) > 3 * app.config["MAX_CONTENT_LENGTH"]
    newcomer = factories.make_user()
    login_as(client, newcomer)
    status = import_through_page(client, payload)
    assert status["state"] == "done", status
    assert status["counts"]["activities"] == 1 and status["total"] == 1
    assert _count(Evidence, newcomer) == 2


def test_an_upload_over_the_remaining_quota_is_refused_at_the_field(app, user, client, login_as):
    _account_with_files(user, [int(1.8 * MB)] * 3)  # 5.4 MB of the 6 MB quota used
    login_as(client, user)
    response = upload(client, b"x" * (3 * MB))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "MB your remaining storage allows" in page and 'class="invalid-feedback' in page
    assert list(import_jobs.imports_folder().iterdir()) == []  # the partial upload is gone


def test_the_limit_is_enforced_while_streaming_without_a_content_length(app, user):
    """A chunked body declares no length: the file is cut off at the limit, not after."""
    folder_count = len(list(import_jobs.imports_folder().iterdir()))
    body = io.BytesIO(
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.zip"\r\n\r\n'
        + b"y" * (2 * MB)
        + b"\r\n--b--\r\n"
    )
    with pytest.raises(import_jobs.UploadRefused, match="remaining storage"):
        import_jobs.accept_upload(lambda: body, ("multipart/form-data; boundary=b", None), MB, dict)
    assert len(list(import_jobs.imports_folder().iterdir())) == folder_count


def _zip(members: dict[str, bytes], manifest: dict | None = None) -> bytes:
    listed = {
        n: {"size": len(d), "sha256": hashlib.sha256(d).hexdigest()} for n, d in members.items()
    }
    manifest = manifest or {"format": "cpd-log-account-backup", "version": 2, "members": listed}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.writestr("MANIFEST.json", json.dumps(manifest))
    return out.getvalue()


def _valid_members(user) -> dict[str, bytes]:
    _account_with_files(user, [1000])
    with zipfile.ZipFile(io.BytesIO(backup_of(user))) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n != "MANIFEST.json"}


def _shrunk_declared_size(payload: bytes, name: str) -> bytes:
    """A zip bomb's trick: the directory declares a member smaller than it inflates to."""
    data = bytearray(payload)
    for match in re.finditer(re.escape(b"PK\x01\x02"), bytes(data)):
        start = match.start()
        length = int.from_bytes(data[start + 28 : start + 30], "little")
        if data[start + 46 : start + 46 + length] == name.encode():
            data[start + 24 : start + 28] = (10).to_bytes(4, "little")
    return bytes(data)


def _cases(user):
    members = _valid_members(user)
    evidence = next(n for n in members if n.startswith("evidence/"))
    bomb = {f"evidence/{n:064d}": b"\0" * int(1.9 * MB) for n in range(4)}
    bomb["account.json"] = members["account.json"]
    return [
        (_zip({**members, "../../etc/passwd": b"x"}), "unexpected file"),
        (_zip({**members, evidence: b"changed"}, manifest=None), "name is not its content"),
        (
            _zip(members, {"format": "cpd-log-account-backup", "members": {}}),
            "does not list exactly",
        ),
        # zipfile stops at the declared size; the CRC then fails: refused as damaged.
        (_shrunk_declared_size(_zip(members), "account.json"), "damaged"),
        (_zip(bomb), "storage quota"),  # 7.6 MB of zeros, 8 KB compressed: refused unread
        (_zip({"evidence/" + "0" * 64: b"\0" * (3 * MB)}), "larger than the 2 MB allowed"),
        (_zip({evidence: members[evidence]}), "no account.json"),
        (_zip(members)[:-30], "damaged"),
        (b"PK\x03\x04" + b"\0" * 100, "damaged"),
    ]


def test_a_bad_archive_is_refused_before_anything_is_imported(app, user):
    target = factories.make_user()
    for payload, message in _cases(user):
        job = restore(target, payload)
        assert job.state == "failed", message
        assert message in job.message, (message, job.message)
        assert _count(Activity, target) == 0 and _count(Evidence, target) == 0
    assert not storage.user_folder(target.id).exists()
    assert list(import_jobs.imports_folder().iterdir()) == []


def test_too_many_members_are_refused(app_factory, upload_dir, user):
    app = app_factory(UPLOAD_DIR=str(upload_dir), ACCOUNT_IMPORT_MAX_MEMBERS=3)
    with app.app_context():
        owner = factories.make_user()
        _account_with_files(owner, [10, 20, 30])
        job = restore(factories.make_user(), backup_of(owner))
        assert job.state == "failed" and "more than 3 files" in job.message


def test_a_failed_import_leaves_no_evidence_file(app, user):
    """The file of activity 1 is staged, activity 2 is bad: nothing is kept, in the database or
    on disk."""
    _account_with_files(user, [100])
    factories.make_activity(user, title="Second")
    payload = backup_of(user)
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        members = {n: archive.read(n) for n in archive.namelist() if n != "MANIFEST.json"}
    document = json.loads(members["account.json"])
    document["activities"][1]["minutes"] = -1
    members["account.json"] = json.dumps(document).encode()
    target = factories.make_user()
    job = restore(target, _zip(members))
    assert job.state == "failed" and "Activity 2: “minutes”" in job.message
    assert _count(Evidence, target) == 0
    assert not storage.user_folder(target.id).exists()
    assert list(import_jobs.imports_folder().iterdir()) == []


def _old(job: ImportJob, seconds: int) -> None:
    job.updated_at = datetime.now(UTC) - timedelta(seconds=seconds)
    db.session.commit()
    folder = import_jobs.imports_folder() / job.folder
    for path in (folder, folder / import_jobs.UPLOAD):
        if path.exists():
            os.utime(path, (time.time() - seconds,) * 2)


def test_the_sweep_fails_a_killed_import_and_removes_its_staged_files(app, user):
    folder = import_jobs.new_folder()
    (folder / import_jobs.UPLOAD).write_bytes(b"half an upload")
    (folder / import_jobs.FILES / ("a" * 64)).write_bytes(b"staged")
    job = ImportJob(user_id=user.id, folder=folder.name, state="importing")
    db.session.add(job)
    db.session.commit()
    import_jobs.sweep()
    assert folder.exists()  # still running as far as anyone knows
    _old(job, import_jobs.STALE_SECONDS + 60)
    import_jobs.sweep()
    db.session.refresh(job)
    assert job.state == "failed" and "interrupted" in job.message
    assert not folder.exists() and not storage.user_folder(user.id).exists()


def test_the_sweep_removes_a_finished_imports_staging_folder(app, user):
    """Files were stored by the import itself (in its transaction): what is left staged is
    only a copy, and goes with the folder."""
    folder = import_jobs.new_folder()
    (folder / import_jobs.FILES / ("b" * 64)).write_bytes(b"a staged copy")
    db.session.add(ImportJob(user_id=user.id, folder=folder.name, state="done"))
    db.session.commit()
    import_jobs.sweep()
    assert not folder.exists()
    assert not storage.user_folder(user.id).exists()


def test_an_abandoned_upload_folder_is_removed_by_the_sweep(app, user):
    folder = import_jobs.new_folder()
    (folder / import_jobs.UPLOAD).write_bytes(b"a client that went away")
    import_jobs.sweep()
    assert folder.exists()  # it may still be streaming
    for path in (folder, folder / import_jobs.UPLOAD):
        os.utime(path, (time.time() - import_jobs.STALE_SECONDS - 60,) * 2)
    import_jobs.sweep()
    assert not folder.exists()


def test_the_upload_checks_the_csrf_token_before_keeping_the_file(app_factory, upload_dir, user):
    app = app_factory(UPLOAD_DIR=str(upload_dir), WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        page = client.get("/account/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post(
            "/account/login",
            data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token},
        )
        response = upload(client, b'{"format": "cpd-log-account", "version": 2}', "a.json")
        assert response.status_code == 400 and "form has expired" in response.get_data(as_text=True)
        assert list(import_jobs.imports_folder().iterdir()) == []
        page = client.get("/export/").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = upload(
            client, b'{"format": "cpd-log-account", "version": 2}', "a.json", csrf_token=token
        )
        assert response.status_code == 302
        assert wait(client, response.headers["Location"])["state"] == "done"


def test_one_import_at_a_time(app, user, client, login_as):
    job = ImportJob(user_id=user.id, folder=import_jobs.new_folder().name, state="importing")
    db.session.add(job)
    db.session.commit()
    login_as(client, user)
    response = upload(client, b'{"format": "cpd-log-account", "version": 2}', "a.json")
    assert response.status_code == 400
    assert "already running" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ImportJob.id))) == 1


def test_a_document_nested_too_deeply_imports_nothing(app, user):
    """900 levels parse, but every later walk (validation, a JSON column, json.dumps) would
    recurse that deep: refused at the parse with a message, nothing imported."""
    activity = factories.make_activity(user, title="Course")
    document = exported(user)
    document["activities"][0]["title"] = "x"
    payload = json.dumps(document).replace('"title": "x"', '"title": ' + "[" * 900 + "]" * 900)
    job = restore(factories.make_user(), payload.encode())
    assert job.state == "failed" and "nested too deeply" in job.message
    assert db.session.scalar(select(func.count(Activity.id))) == 1
    assert activity.title == "Course"
