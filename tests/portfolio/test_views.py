"""Building, previewing, editing and downloading a portfolio through the pages."""

import hashlib
import io
import json
import zipfile
from datetime import date

from pypdf import PdfReader
from sqlalchemy import select

from cpd_log.extensions import db
from cpd_log.models import Portfolio, User
from cpd_log.portfolio import services
from tests import factories
from tests.evidence import samples
from tests.portfolio.builders import make_link, make_portfolio


def _form(**fields) -> dict:
    return {
        "title": "Appraisal 2026",
        "audience": "appraisal",
        "date_from": "",
        "date_to": "",
        "include_evidence": "y",
        **fields,
    }


def _chosen(portfolio) -> list[int]:
    return [
        a.id
        for a in db.session.scalars(services.chosen_query(portfolio, portfolio_owner(portfolio)))
    ]


def portfolio_owner(portfolio):
    return db.session.get(User, portfolio.user_id)


def test_build_saves_every_matching_activity(logged_in, user):
    inside = factories.make_activity(user, title="Inside", start_date=date(2026, 5, 1))
    factories.make_activity(user, title="Outside", start_date=date(2025, 5, 1))
    response = logged_in.post(
        "/portfolios/new", data=_form(date_from="2026-01-01", date_to="2026-12-31")
    )
    assert response.status_code == 302
    portfolio = db.session.scalar(select(Portfolio))
    assert _chosen(portfolio) == [inside.id]
    page = logged_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Inside" in page and "Outside" not in page
    assert "1 activities, 1.5 hours" in page


def test_competency_filter_keeps_tagged_activities(logged_in, user, framework):
    leaf = factories.leaves(framework)[0]
    tagged = factories.make_activity(user, competencies=[leaf])
    factories.make_activity(user)
    logged_in.post("/portfolios/new", data=_form(competencies=[str(leaf.id)]))
    assert _chosen(db.session.scalar(select(Portfolio))) == [tagged.id]


def test_bad_input_is_reported_at_the_field_and_kept(logged_in):
    response = logged_in.post(
        "/portfolios/new", data=_form(title="Kept", date_from="2026-05-01", date_to="2026-01-01")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "before its start" in page and 'value="Kept"' in page
    assert db.session.scalar(select(Portfolio)) is None


def test_unknown_competency_is_refused(logged_in):
    response = logged_in.post("/portfolios/new", data=_form(competencies=["99999"]))
    assert "unknown one" in response.get_data(as_text=True)


def test_edit_removes_an_activity_and_it_stays_removed(logged_in, user):
    keep = factories.make_activity(user, title="Keep")
    drop = factories.make_activity(user, title="Drop")
    portfolio = make_portfolio(user)
    response = logged_in.post(
        f"/portfolios/{portfolio.id}/edit", data=_form(activities=[str(keep.id)])
    )
    assert response.status_code == 302
    db.session.refresh(portfolio)
    assert _chosen(portfolio) == [keep.id]
    newer = factories.make_activity(user, title="Newer")
    assert set(_chosen(portfolio)) == {keep.id, newer.id}  # new matches are in by default
    page = logged_in.get(f"/portfolios/{portfolio.id}/edit").get_data(as_text=True)
    assert f'value="{newer.id}" id="act-{newer.id}" checked' in page
    assert f'value="{drop.id}" id="act-{drop.id}">' in page
    logged_in.post(
        f"/portfolios/{portfolio.id}/edit",
        data=_form(activities=[str(keep.id), str(newer.id)], title="Renamed"),
    )
    db.session.refresh(portfolio)
    assert portfolio.title == "Renamed"
    assert set(_chosen(portfolio)) == {keep.id, newer.id}
    assert drop.id not in _chosen(portfolio)


def test_another_users_activity_id_cannot_be_smuggled_in(logged_in, user, other_user):
    mine = factories.make_activity(user)
    theirs = factories.make_activity(other_user, title="Secret of Bob")
    portfolio = make_portfolio(user)
    logged_in.post(
        f"/portfolios/{portfolio.id}/edit", data=_form(activities=[str(mine.id), str(theirs.id)])
    )
    db.session.refresh(portfolio)
    assert _chosen(portfolio) == [mine.id]
    assert "Secret of Bob" not in logged_in.get(f"/portfolios/{portfolio.id}").get_data(True)


def test_pdf_download(logged_in, user):
    factories.make_activity(user, title="Downloaded course", minutes=45)
    portfolio = make_portfolio(user)
    response = logged_in.get(f"/portfolios/{portfolio.id}/portfolio.pdf")
    data = response.get_data()
    response.close()
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Downloaded course" in text and "0.75" in text


def test_zip_bundle_has_pdf_evidence_csv_json_and_a_true_manifest(logged_in, user):
    activity = factories.make_activity(user, title="Scrum / Master ../course")
    certificate = samples.pdf_bytes("CERT")
    samples.make_evidence(user, activity, certificate, name="../../cert.pdf")
    portfolio = make_portfolio(user)
    response = logged_in.get(f"/portfolios/{portfolio.id}/portfolio.zip")
    data = response.get_data()
    response.close()
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    assert {"portfolio.pdf", "activities.csv", "portfolio.json", "MANIFEST"} <= set(names)
    evidence = [n for n in names if n.startswith("evidence/")]
    assert len(evidence) == 1 and ".." not in evidence[0]
    assert archive.read(evidence[0]) == certificate
    manifest = archive.read("MANIFEST").decode().splitlines()
    assert len(manifest) == len(names) - 1
    for line in manifest:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    document = json.loads(archive.read("portfolio.json"))
    assert document["activities"][0]["title"] == "Scrum / Master ../course"
    assert archive.read("activities.csv").startswith(b"\xef\xbb\xbf")


def test_delete_portfolio_keeps_activities(logged_in, user):
    activity = factories.make_activity(user)
    portfolio = make_portfolio(user)
    assert logged_in.post(f"/portfolios/{portfolio.id}/delete").status_code == 302
    assert db.session.scalar(select(Portfolio)) is None
    assert db.session.get(type(activity), activity.id) is not None


def test_preview_query_count_does_not_grow(logged_in, user, framework, count_queries):
    leaf = factories.leaves(framework)[0]
    small = make_portfolio(user, title="small")
    for _ in range(3):
        samples.make_evidence(
            user, factories.make_activity(user, competencies=[leaf]), b"a", "a.txt"
        )
    small = make_portfolio(user, title="small")
    with count_queries() as few:
        logged_in.get(f"/portfolios/{small.id}")
    for _ in range(20):
        samples.make_evidence(
            user, factories.make_activity(user, competencies=[leaf]), b"b", "b.txt"
        )
    large = make_portfolio(user, title="large")
    with count_queries() as many:
        assert "23 activities" in logged_in.get(f"/portfolios/{large.id}").get_data(True)
    assert len(many) == len(few)


def test_hostile_text_is_escaped_on_the_preview_and_the_shared_page(logged_in, client, user):
    script = "<script>alert(1)</script>"
    factories.make_activity(user, title=script, provider=script, description=script)
    portfolio = make_portfolio(user, title=script)
    _link, token = make_link(portfolio)
    for page in (
        logged_in.get(f"/portfolios/{portfolio.id}").get_data(as_text=True),
        logged_in.get("/portfolios/").get_data(as_text=True),
        client.get(f"/shared/{token}").get_data(as_text=True),
    ):
        assert script not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
