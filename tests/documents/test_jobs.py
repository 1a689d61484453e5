"""Large portfolios render in the background: the page shows progress, then offers the file."""

import io
import time
import zipfile

import pytest
from pypdf import PdfReader

from cpd_log.extensions import db
from cpd_log.sharing import services as sharing
from tests import factories
from tests.portfolio.builders import make_link, make_portfolio


@pytest.fixture
def app(app_factory, tmp_path):
    app = app_factory(UPLOAD_DIR=str(tmp_path / "uploads"), PORTFOLIO_BACKGROUND_AT=2)
    with app.app_context():
        yield app


def _wait(client, job_url: str) -> dict:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = client.get(f"{job_url}/status").get_json()
        if status["state"] not in ("queued", "running"):
            return status
        time.sleep(0.2)
    raise AssertionError("the export did not finish")


@pytest.mark.parametrize("kind", ["pdf", "zip"])
def test_large_portfolio_renders_in_the_background(logged_in, user, kind):
    for n in range(3):
        factories.make_activity(user, title=f"Background course {n}")
    portfolio = make_portfolio(user, title="Big one")
    page = logged_in.get(f"/portfolios/{portfolio.id}").get_data(as_text=True)
    assert f'action="/portfolios/{portfolio.id}/prepare"' in page

    response = logged_in.post(f"/portfolios/{portfolio.id}/prepare", data={"kind": kind})
    assert response.status_code == 302
    job_url = response.headers["Location"]
    progress_page = logged_in.get(job_url).get_data(as_text=True)
    assert "export-progress.js" in progress_page and "3 activities" in progress_page

    status = _wait(logged_in, job_url)
    assert status["state"] == "done", status
    download = logged_in.get(status["file"])
    data = download.get_data()
    download.close()
    assert download.headers["Content-Disposition"].startswith("attachment")
    if kind == "pdf":
        assert status["pages"] >= 5
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
        assert "Big one" in text and "Background course 2" in text
    else:
        assert "MANIFEST" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    db.session.rollback()


def test_small_portfolio_downloads_directly(logged_in, user):
    factories.make_activity(user)
    portfolio = make_portfolio(user)
    page = logged_in.get(f"/portfolios/{portfolio.id}").get_data(as_text=True)
    assert f"/portfolios/{portfolio.id}/portfolio.pdf" in page


def test_unknown_kind_is_refused(logged_in, user):
    portfolio = make_portfolio(user)
    response = logged_in.post(f"/portfolios/{portfolio.id}/prepare", data={"kind": "exe"})
    assert response.status_code == 400


def test_reviewer_gets_a_large_portfolio_through_the_background_too(client, user, other_user):
    for n in range(3):
        factories.make_activity(user, title=f"Reviewed course {n}")
    portfolio = make_portfolio(user, title="Shared big one")
    _link, token = make_link(portfolio)
    page = client.get(f"/shared/{token}").get_data(as_text=True)
    assert f'action="/shared/{token}/prepare"' in page
    response = client.post(f"/shared/{token}/prepare", data={"kind": "pdf"})
    job_url = response.headers["Location"]
    assert job_url.startswith(f"/shared/{token}/jobs/")
    status = _wait(client, job_url)
    assert status["state"] == "done" and status["file"].startswith(f"/shared/{token}/")
    download = client.get(status["file"])
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(download.get_data())).pages)
    download.close()
    assert "Reviewed course 1" in text

    # Another link cannot reach this job, and a revoked link reaches nothing.
    other_link, other_token = make_link(make_portfolio(other_user, title="Bob's"))
    job_token = job_url.rsplit("/", 1)[1]
    assert client.get(f"/shared/{other_token}/jobs/{job_token}").status_code == 404
    assert client.get(f"/shared/{other_token}/jobs/{job_token}/file").status_code == 404
    assert client.get(f"/shared/{other_token}/jobs/{job_token}/status").status_code == 404
    sharing.revoke(_link)
    db.session.commit()
    assert client.get(f"{job_url}/file").status_code == 410
    db.session.rollback()
