"""Attaching, downloading and deleting evidence through the pages, as a user would."""

import io

import pytest
from sqlalchemy import func, select

from cpd_log.extensions import db
from cpd_log.models import Activity, Evidence, TrashItem
from tests import factories
from tests.evidence import samples
from tests.evidence.conftest import stored_files


def _upload(client, activity, data: bytes, name: str, **extra):
    form = {"file": (io.BytesIO(data), name), "title": "", "url": "", **extra}
    return client.post(
        f"/evidence/activity/{activity.id}/new", data=form, content_type="multipart/form-data"
    )


def _count() -> int:
    return db.session.scalar(select(func.count(Evidence.id)))


@pytest.fixture
def activity(user):
    return factories.make_activity(user, title="PMO Flashmob")


def test_upload_a_pdf_stores_it_by_hash_and_shows_it(logged_in, activity, upload_dir):
    response = _upload(logged_in, activity, samples.pdf_bytes(), "My Cert.pdf", title="Cert")
    assert response.status_code == 302
    evidence = db.session.scalar(select(Evidence))
    assert evidence.mime_type == "application/pdf"
    assert evidence.original_name == "My Cert.pdf"
    files = stored_files(upload_dir)
    assert [f.name for f in files] == [evidence.sha256]
    page = logged_in.get(f"/activities/{activity.id}").get_data(as_text=True)
    assert "Cert" in page and f"/evidence/{evidence.id}/download" in page


def test_download_is_an_attachment_with_nosniff(logged_in, activity):
    data = samples.png_bytes()
    _upload(logged_in, activity, data, "photo.png")
    evidence = db.session.scalar(select(Evidence))
    response = logged_in.get(f"/evidence/{evidence.id}/download")
    assert response.status_code == 200
    assert response.data == data
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "photo.png" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "image/png"
    response.close()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (samples.pdf_bytes(), "photo.png", "content is PDF"),
        (samples.SVG_WITH_SCRIPT, "drawing.svg", "SVG and HTML"),
        (samples.HTML, "page.html", "SVG and HTML"),
        (samples.ELF, "run.pdf", "Programs are not accepted"),
        (samples.zip_bytes(), "all.zip", "Archives"),
    ],
)
def test_refused_upload_leaves_no_row_and_no_file(
    logged_in, activity, upload_dir, data, name, message
):
    response = _upload(logged_in, activity, data, name, title="Keep this title")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert 'value="Keep this title"' in page
    assert _count() == 0
    assert stored_files(upload_dir) == []


@pytest.mark.parametrize("name", ["../../etc/passwd.txt", "..\\..\\boot.ini.txt", "/abs/x.txt"])
def test_traversal_names_are_metadata_only(logged_in, activity, upload_dir, name):
    assert _upload(logged_in, activity, b"notes", name).status_code == 302
    evidence = db.session.scalar(select(Evidence))
    assert "/" not in evidence.original_name and "\\" not in evidence.original_name
    files = stored_files(upload_dir)
    assert len(files) == 1 and files[0].parent.parent == upload_dir
    assert files[0].name == evidence.sha256


def test_file_over_the_evidence_limit_is_refused_at_the_field(app_factory, tmp_path, user):
    app = app_factory(UPLOAD_DIR=str(tmp_path), EVIDENCE_MAX_BYTES=1000)
    client = app.test_client()
    with app.app_context():
        activity = factories.make_activity(user)
        client.post("/account/login", data={"email": user.email, "password": factories.PASSWORD})
        response = _upload(client, activity, b"x" * 2000, "big.txt")
        assert response.status_code == 200
        assert "larger than" in response.get_data(as_text=True)
        assert _count() == 0


def test_request_body_over_the_limit_gets_a_friendly_413(app_factory, tmp_path, user):
    app = app_factory(UPLOAD_DIR=str(tmp_path), MAX_CONTENT_LENGTH=5000)
    client = app.test_client()
    with app.app_context():
        activity = factories.make_activity(user)
        client.post("/account/login", data={"email": user.email, "password": factories.PASSWORD})
        response = _upload(client, activity, b"x" * 20_000, "big.txt")
        assert response.status_code == 413
        assert "too large" in response.get_data(as_text=True)
        assert _count() == 0


def test_quota_is_enforced(app_factory, tmp_path, user):
    app = app_factory(UPLOAD_DIR=str(tmp_path), EVIDENCE_QUOTA_BYTES=3000)
    client = app.test_client()
    with app.app_context():
        activity = factories.make_activity(user)
        client.post("/account/login", data={"email": user.email, "password": factories.PASSWORD})
        assert _upload(client, activity, b"a" * 2000, "one.txt").status_code == 302
        response = _upload(client, activity, b"b" * 2000, "two.txt")
        assert "quota" in response.get_data(as_text=True)
        assert _count() == 1


def test_a_web_address_can_be_attached(logged_in, activity):
    form = {"title": "Badge", "url": "https://badges.example.org/b/1"}
    response = logged_in.post(f"/evidence/activity/{activity.id}/new", data=form)
    assert response.status_code == 302
    assert db.session.scalar(select(Evidence.url)) == "https://badges.example.org/b/1"


def test_neither_file_nor_address_is_a_field_error(logged_in, activity):
    response = logged_in.post(f"/evidence/activity/{activity.id}/new", data={"title": "x"})
    assert "Choose a file or enter a web address" in response.get_data(as_text=True)


def test_deleting_evidence_removes_its_file(logged_in, activity, upload_dir):
    _upload(logged_in, activity, samples.pdf_bytes(), "c.pdf")
    evidence = db.session.scalar(select(Evidence))
    assert logged_in.post(f"/evidence/{evidence.id}/delete").status_code == 302
    assert _count() == 0
    assert stored_files(upload_dir) == []


def test_same_content_twice_keeps_the_file_until_the_last_row_goes(
    logged_in, user, activity, upload_dir
):
    other = factories.make_activity(user)
    ids = (activity.id, other.id)
    data = samples.pdf_bytes()
    _upload(logged_in, activity, data, "a.pdf")
    _upload(logged_in, other, data, "b.pdf")
    assert len(stored_files(upload_dir)) == 1
    logged_in.post(f"/activities/{ids[0]}/delete")
    _empty_trash(logged_in)
    assert len(stored_files(upload_dir)) == 1
    logged_in.post(f"/activities/{ids[1]}/delete")
    _empty_trash(logged_in)
    assert stored_files(upload_dir) == []


def _empty_trash(client) -> None:
    """Delete every trash item for good, through the Trash page's own form."""
    for item_id in db.session.scalars(select(TrashItem.id)).all():
        assert client.post(f"/trash/{item_id}/delete").status_code == 302


def test_deleting_an_activity_keeps_its_files_until_the_trash_lets_go(
    logged_in, activity, upload_dir
):
    _upload(logged_in, activity, samples.pdf_bytes(), "a.pdf")
    _upload(logged_in, activity, samples.png_bytes(), "b.png")
    assert len(stored_files(upload_dir)) == 2
    activity_id = activity.id
    assert logged_in.post(f"/activities/{activity_id}/delete").status_code == 302
    assert db.session.get(Activity, activity_id) is None
    assert _count() == 0
    assert len(stored_files(upload_dir)) == 2, "restorable from the trash"
    _empty_trash(logged_in)
    assert stored_files(upload_dir) == []


def test_deleting_the_account_removes_every_file(logged_in, user, activity, upload_dir):
    _upload(logged_in, activity, samples.pdf_bytes(), "a.pdf")
    response = logged_in.post("/account/delete", data={"password": factories.PASSWORD})
    assert response.status_code == 302
    assert stored_files(upload_dir) == []


def test_a_rolled_back_upload_leaves_no_file(app, user, activity, upload_dir):
    samples.make_evidence(user, activity)  # committed: stays
    from cpd_log.evidence import services

    services.attach_file(user, activity, services.Upload("n.txt", b"rolled back"))
    assert len(stored_files(upload_dir)) == 2
    db.session.rollback()
    assert len(stored_files(upload_dir)) == 1
