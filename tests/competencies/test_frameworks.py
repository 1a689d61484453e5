"""Frameworks in the UI: import, export, create, edit, delete only after saying what uses them."""

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from cpd_log.competencies.services import seed_frameworks
from cpd_log.extensions import db
from cpd_log.models import Competency, Framework, Goal, SelfAssessment
from tests import factories

CSV = b"code,name,parent code,description\nG,Governance,,\nG.1,Stage gates,G,Run gate reviews\n"


def upload(client, data: bytes, fmt="csv", name="Our PMO framework", filename="f.csv", **extra):
    """POST the import form. The multipart body of a large file is a temporary file that the
    test client never closes, so it is built here and closed after the request."""
    form = {"format": fmt, "name": name, "file": (io.BytesIO(data), filename), **extra}
    builder = EnvironBuilder(path="/competencies/frameworks/import", method="POST", data=form)
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_import_csv_creates_the_users_own_framework(logged_in, user):
    response = upload(logged_in, CSV, version="2025.1", licence="Internal use")
    assert response.status_code == 302
    framework = db.session.scalar(select(Framework))
    assert (framework.owner_id, framework.name, framework.version, framework.licence) == (
        user.id, "Our PMO framework", "2025.1", "Internal use",
    )  # fmt: skip
    page = logged_in.get(response.headers["Location"]).data.decode()
    assert "G.1 Stage gates" in page and "Run gate reviews" in page


def test_import_twice_makes_two_frameworks(logged_in):
    upload(logged_in, CSV)
    upload(logged_in, CSV)
    assert sorted(db.session.scalars(select(Framework.slug))) == [
        "our-pmo-framework", "our-pmo-framework-2",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"G,Governance,,\nG.1,Gates,G,\nG.1,Again,G,\n", "line 3: Duplicate code “G.1”"),
        (b"A,Area,B,\nB,Other,A,\n", "cycle"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[" * (20 * 1024 * 1024), "larger than 5 MB"),
    ],
    ids=["duplicate", "cycle", "binary", "20 MB of junk"],
)
def test_malformed_file_imports_nothing_and_says_where(logged_in, data, message):
    response = upload(logged_in, data, licence="kept")
    page = response.data.decode()
    assert response.status_code == 200
    assert message in page
    assert 'id="file-errors"' in page
    assert "kept</textarea>" in page  # the other input is kept
    assert count(Framework) == count(Competency) == 0


def test_malformed_json_imports_nothing(logged_in):
    response = upload(
        logged_in, b'{"CFDocument": {"identifier": "d", "title": "T"},\n"CFItems": [}', "case"
    )
    assert "line 2" in response.data.decode()
    assert count(Framework) == 0


def test_csv_needs_a_name_and_a_file(logged_in):
    response = logged_in.post(
        "/competencies/frameworks/import", data={"format": "csv", "name": ""},
        content_type="multipart/form-data",
    )  # fmt: skip
    page = response.data.decode()
    assert "Choose a file to import." in page and "Name the framework" in page


@pytest.mark.parametrize("fmt", ["case", "matrix", "csv"])
def test_export_downloads_and_imports_back(logged_in, fmt):
    seed_frameworks()
    db.session.commit()
    pmo = db.session.scalar(select(Framework).where(Framework.slug == "pmo-practitioner"))
    response = logged_in.get(f"/competencies/frameworks/{pmo.id}/export?format={fmt}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Cache-Control"] == "no-store"
    again = upload(logged_in, response.data, fmt, name="Copy" if fmt == "csv" else "")
    assert again.status_code == 302
    copy = db.session.scalar(select(Framework).where(Framework.owner_id.is_not(None)))

    def codes(fw):
        return sorted(
            (c.code, c.name, c.parent.code if c.parent else None) for c in fw.competencies
        )

    assert codes(copy) == codes(pmo)


def test_export_of_case_is_valid_json_with_the_tree(logged_in, user):
    fw = factories.make_framework(owner=user)
    package = json.loads(logged_in.get(f"/competencies/frameworks/{fw.id}/export").data)
    assert len(package["CFItems"]) == 6
    assert {a["associationType"] for a in package["CFAssociations"]} == {"isChildOf"}


def test_create_a_framework_then_add_areas_and_competencies(logged_in, user):
    response = logged_in.post(
        "/competencies/frameworks/new",
        data={"name": "Team skills", "version": "1", "levels": "0 None\n1 Some\n2 Lots"},
    )
    assert response.status_code == 302
    fw = db.session.scalar(select(Framework))
    assert fw.owner_id == user.id
    assert [lv["name"] for lv in fw.levels] == ["None", "Some", "Lots"]
    url = f"/competencies/frameworks/{fw.id}/competencies/new"
    assert logged_in.post(url, data={"code": "D", "name": "Data", "parent": ""}).status_code == 302
    area = db.session.scalar(select(Competency).where(Competency.code == "D"))
    data = {"code": "D.1", "name": "Power BI", "parent": str(area.id)}
    assert logged_in.post(url, data=data).status_code == 302
    clash = logged_in.post(url, data={"code": "D.1", "name": "Again", "parent": ""})
    assert "already has a competency with the code D.1" in clash.data.decode()
    assert count(Competency) == 2


def test_bad_level_scale_is_reported(logged_in):
    response = logged_in.post(
        "/competencies/frameworks/new", data={"name": "X", "version": "1", "levels": "0 A\nzero B"}
    )
    assert "Line 2: write a number" in response.data.decode()
    assert count(Framework) == 0


def test_edit_framework_and_competency(logged_in, user):
    fw = factories.make_framework(owner=user)
    data = {"name": "Renamed", "version": "2", "levels": "0 A\n1 B"}
    assert logged_in.post(f"/competencies/frameworks/{fw.id}/edit", data=data).status_code == 302
    leaf = factories.leaves(fw)[0]
    data = {"code": "X1", "name": "New name", "parent": str(leaf.parent_id), "description": "d"}
    assert logged_in.post(f"/competencies/{leaf.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Framework, fw.id).name == "Renamed"
    assert db.session.get(Competency, leaf.id).code == "X1"


def test_an_area_with_competencies_cannot_be_nested(logged_in, user):
    fw = factories.make_framework(owner=user)
    area, other = [c for c in fw.competencies if c.parent_id is None]
    data = {"code": area.code, "name": area.name, "parent": str(other.id)}
    response = logged_in.post(f"/competencies/{area.id}/edit", data=data)
    assert response.status_code == 200
    assert "Not a valid choice" in response.data.decode()


def test_global_frameworks_are_read_only(logged_in, framework):
    leaf = factories.leaves(framework)[0]
    assert logged_in.get(f"/competencies/frameworks/{framework.id}").status_code == 200
    assert logged_in.get(f"/competencies/frameworks/{framework.id}/edit").status_code == 403
    assert logged_in.post(f"/competencies/frameworks/{framework.id}/delete").status_code == 403
    assert logged_in.post(f"/competencies/{leaf.id}/delete").status_code == 403
    assert count(Framework) == 1


def test_delete_says_what_uses_the_framework(logged_in, user):
    fw = factories.make_framework(owner=user)
    leaf = factories.leaves(fw)[0]
    factories.make_activity(user, [leaf])
    factories.make_reflection(user, [leaf])
    db.session.add(SelfAssessment(user_id=user.id, competency_id=leaf.id, level=1,
                                  assessed_on=factories.date(2026, 1, 1)))  # fmt: skip
    db.session.commit()
    factories.make_goal(user, leaf)
    page = logged_in.get(f"/competencies/frameworks/{fw.id}/delete").data.decode()
    assert "1 activity tag, 1 reflection tag, 1 self-assessment, 1 development goal" in page
    area_page = logged_in.get(f"/competencies/{leaf.parent_id}/delete").data.decode()
    assert "1 activity tag" in area_page
    assert logged_in.post(f"/competencies/frameworks/{fw.id}/delete").status_code == 302
    assert count(Framework) == count(SelfAssessment) == count(Goal) == 0


def test_unused_framework_says_so(logged_in, user):
    fw = factories.make_framework(owner=user)
    assert (
        'data-testid="not-in-use"'
        in logged_in.get(f"/competencies/frameworks/{fw.id}/delete").data.decode()
    )


def test_list_shows_global_and_own_never_anothers(logged_in, user, other_user, framework):
    factories.make_framework(owner=user, slug="mine")
    theirs = factories.make_framework(owner=other_user, slug="theirs")
    page = logged_in.get("/competencies/").data.decode()
    assert page.count("Test Framework") == 2
    assert f'/competencies/frameworks/{theirs.id}"' not in page


def test_deleting_an_area_deletes_its_competencies_and_their_tags_only(logged_in, user):
    fw = factories.make_framework(owner=user)
    leaf = factories.leaves(fw)[0]
    activity = factories.make_activity(user, [leaf], title="Kept")
    area_id = leaf.parent_id
    assert logged_in.post(f"/competencies/{area_id}/delete").status_code == 302
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Competency.code))) == ["A2", "A2.1", "A2.2"]
    assert db.session.get(type(activity), activity.id).competencies == []


def test_copy_a_global_framework_to_tailor_it(logged_in, user, framework):
    response = logged_in.post(f"/competencies/frameworks/{framework.id}/copy")
    assert response.status_code == 302
    copy = db.session.scalar(select(Framework).where(Framework.owner_id == user.id))
    assert copy.name == "Test Framework (copy)"
    assert sorted(c.code for c in copy.competencies) == sorted(
        c.code for c in framework.competencies
    )
    assert {c.id for c in copy.competencies}.isdisjoint({c.id for c in framework.competencies})
    assert logged_in.get(f"/competencies/frameworks/{copy.id}/edit").status_code == 200


def test_mahara_2016_matrix_imports_every_element_and_says_what_was_flattened(logged_in):
    """Issue 16, class 1: through the page, the elements arrive and the flattening is said."""
    data = (Path(__file__).parent / "data" / "mahara_2016_layout.matrix").read_bytes()
    response = upload(logged_in, data, fmt="matrix", name="", filename="pmo.matrix")
    assert response.status_code == 302
    page = logged_in.get(response.headers["Location"]).data.decode()
    assert "with 7 entries" in page and "2 entries nested deeper" in page
    long_code = "Terms of reference for programme boards and gates"
    assert db.session.scalar(select(Competency.name).where(Competency.code == long_code)) == (
        "Arranges independent assurance › Writes terms of reference"
    )


def test_mahara_matrix_with_a_duplicate_element_imports_nothing(logged_in):
    data = (Path(__file__).parent / "data" / "mahara_duplicate_element.matrix").read_bytes()
    page = upload(logged_in, data, fmt="matrix", name="", filename="dup.matrix").data.decode()
    assert "elementid “2.1” appears twice" in page and 'id="file-errors"' in page
    assert count(Framework) == count(Competency) == 0
