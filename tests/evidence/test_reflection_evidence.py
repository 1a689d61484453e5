"""Evidence attached to a reflection: the panel, deletion with the reflection, owner-only, the
database invariant that every row has exactly one owner."""

import io

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from cpd_log.extensions import db
from cpd_log.models import Evidence, Reflection, TrashItem
from tests import factories
from tests.evidence import samples
from tests.evidence.conftest import stored_files


@pytest.fixture
def reflection(user):
    return factories.make_reflection(user, title="What the audit taught me")


def _upload(client, reflection, data: bytes, name: str, **extra):
    form = {"file": (io.BytesIO(data), name), "title": "", "url": "", **extra}
    return client.post(
        f"/evidence/reflection/{reflection.id}/new",
        data=form,
        content_type="multipart/form-data",
    )


def test_a_file_attached_to_a_reflection_shows_on_its_page(logged_in, reflection, upload_dir):
    page = logged_in.get(f"/reflections/{reflection.id}").get_data(as_text=True)
    assert f"/evidence/reflection/{reflection.id}/new" in page
    response = _upload(logged_in, reflection, samples.pdf_bytes(), "notes.pdf", title="Notes")
    assert response.headers["Location"] == f"/reflections/{reflection.id}"
    evidence = db.session.scalar(select(Evidence))
    assert (evidence.reflection_id, evidence.activity_id) == (reflection.id, None)
    page = logged_in.get(f"/reflections/{reflection.id}").get_data(as_text=True)
    assert "Notes" in page and f"/evidence/{evidence.id}/download" in page
    assert len(stored_files(upload_dir)) == 1


def test_a_web_address_attached_to_a_reflection(logged_in, reflection):
    form = {"url": "https://example.org/notes", "title": "Blog post"}
    assert logged_in.post(f"/evidence/reflection/{reflection.id}/new", data=form).status_code == 302
    assert db.session.scalar(select(Evidence.url)) == "https://example.org/notes"


def test_the_attach_form_links_back_to_the_reflection(logged_in, reflection):
    page = logged_in.get(f"/evidence/reflection/{reflection.id}/new").get_data(as_text=True)
    assert reflection.title in page and f'href="/reflections/{reflection.id}"' in page


def test_deleting_reflection_evidence_goes_back_to_the_reflection(logged_in, reflection):
    _upload(logged_in, reflection, samples.pdf_bytes(), "a.pdf")
    evidence = db.session.scalar(select(Evidence))
    page = logged_in.get(f"/evidence/{evidence.id}/delete").get_data(as_text=True)
    assert f'href="/reflections/{reflection.id}"' in page
    response = logged_in.post(f"/evidence/{evidence.id}/delete")
    assert response.headers["Location"] == f"/reflections/{reflection.id}"


def test_deleting_a_reflection_removes_its_evidence_and_files(logged_in, reflection, upload_dir):
    _upload(logged_in, reflection, samples.pdf_bytes(), "a.pdf")
    _upload(logged_in, reflection, samples.png_bytes(), "b.png")
    assert len(stored_files(upload_dir)) == 2
    reflection_id = reflection.id
    assert logged_in.post(f"/reflections/{reflection_id}/delete").status_code == 302
    assert db.session.get(Reflection, reflection_id) is None
    assert db.session.scalar(select(func.count(Evidence.id))) == 0
    assert len(stored_files(upload_dir)) == 2, "kept while the reflection is in the trash"
    item_id = db.session.scalar(select(TrashItem.id))
    assert logged_in.post(f"/trash/{item_id}/delete").status_code == 302
    assert stored_files(upload_dir) == []


def test_a_file_shared_with_an_activity_survives_the_reflection(
    logged_in, user, reflection, upload_dir
):
    data = samples.pdf_bytes()
    samples.make_evidence(user, factories.make_activity(user), data)
    _upload(logged_in, reflection, data, "same.pdf")
    logged_in.post(f"/reflections/{reflection.id}/delete")
    assert len(stored_files(upload_dir)) == 1


def test_deleting_the_linked_activity_keeps_the_reflection_evidence(logged_in, user, upload_dir):
    activity = factories.make_activity(user)
    reflection = factories.make_reflection(user, activity_id=activity.id)
    _upload(logged_in, reflection, samples.pdf_bytes(), "a.pdf")
    logged_in.post(f"/activities/{activity.id}/delete")
    assert db.session.scalar(select(func.count(Evidence.id))) == 1
    assert len(stored_files(upload_dir)) == 1


def test_another_user_cannot_reach_reflection_evidence(
    client, login_as, user, other_user, reflection
):
    login_as(client, user)
    _upload(client, reflection, samples.pdf_bytes(), "a.pdf")
    evidence_id = db.session.scalar(select(Evidence.id))
    client.post("/account/logout")
    login_as(client, other_user)
    assert client.get(f"/evidence/{evidence_id}/download").status_code == 404
    assert client.post(f"/evidence/{evidence_id}/delete").status_code == 404
    assert _upload(client, reflection, samples.pdf_bytes(), "b.pdf").status_code == 404
    assert db.session.scalar(select(func.count(Evidence.id))) == 1


@pytest.mark.parametrize("owners", [{}, "both"])
def test_every_row_has_exactly_one_owner(user, reflection, owners):
    fields = {}
    if owners == "both":
        fields = {"activity_id": factories.make_activity(user).id, "reflection_id": reflection.id}
    db.session.add(Evidence(user_id=user.id, url="https://example.org", **fields))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
