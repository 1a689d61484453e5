"""Account backups in tests: make one, restore one through the job, upload one through the page."""

import io
import json
import shutil
import time
import zipfile
from pathlib import Path

from flask import current_app

from cpd_log.account import account_archive, account_export, import_jobs
from cpd_log.extensions import db
from cpd_log.models import ImportJob


def backup_of(user) -> bytes:
    """The archive the backup page streams, joined."""
    return b"".join(account_archive.stream(user.id, account_export.export_account(user)))


def document_in(payload: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        return json.loads(archive.read("account.json"))


def exported(user) -> dict:
    """The account document as it travels (JSON and back)."""
    return json.loads(json.dumps(account_export.export_account(user)))


def restore(user, payload: bytes | Path) -> ImportJob:
    """Run the import job on `payload` (bytes, or a file copied without reading it into memory)
    in this thread; the page puts the same job on the queue."""
    folder = import_jobs.new_folder()
    if isinstance(payload, Path):
        shutil.copyfile(payload, folder / import_jobs.UPLOAD)
    else:
        (folder / import_jobs.UPLOAD).write_bytes(payload)
    job = ImportJob(user_id=user.id, folder=folder.name)
    db.session.add(job)
    db.session.commit()
    import_jobs.run(current_app._get_current_object(), job.id)
    db.session.expire_all()
    return db.session.get(ImportJob, job.id)


def upload(client, payload: bytes, name: str = "backup.zip", **fields):
    """POST the import form as a browser does: text fields first, then the file. Encoded here
    (the test client would spool a large body to a temporary file it leaves open on a refusal)."""
    boundary = "----cpd-log-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode()
        + payload
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post(
        "/export/import",
        data=b"".join(parts),
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def wait(client, job_url: str) -> dict:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = client.get(f"{job_url}/status").get_json()
        if status["state"] in ("done", "failed"):
            return status
        time.sleep(0.1)
    raise AssertionError("the import did not finish")


def import_through_page(client, payload: bytes, name: str = "backup.zip") -> dict:
    response = upload(client, payload, name)
    assert response.status_code == 302, response.get_data(as_text=True)[-300:]
    return wait(client, response.headers["Location"])
