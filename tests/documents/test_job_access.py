"""Background exports: addressed by a random token, served only to their requester, and never once
the portfolio's content has changed (defect 5: share links served stale export jobs)."""

import io
import time
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from cpd_log.documents import jobs
from cpd_log.evidence import services as evidence_services
from cpd_log.extensions import db
from cpd_log.models import ExportJob
from cpd_log.portfolio import services
from cpd_log.sharing import services as sharing
from tests import factories
from tests.evidence.samples import make_evidence
from tests.portfolio.builders import make_finished_job, make_link, make_portfolio

OUT_OF_DATE = "This export is out of date — start a new one"


@pytest.fixture
def shared(user):
    activity = factories.make_activity(user, title="Shared course")
    evidence = make_evidence(user, activity, name="private-certificate.pdf")
    portfolio = make_portfolio(user, title="For the assessor")
    link, token = make_link(portfolio)
    return portfolio, link, token, activity, evidence


def _urls(prefix: str, job_token: str) -> list[str]:
    base = f"{prefix}/jobs/{job_token}"
    return [base, f"{base}/status", f"{base}/file"]


def test_job_urls_carry_a_random_token_and_integer_ids_reach_nothing(logged_in, client, shared):
    portfolio, link, token, *_ = shared
    owner_job = jobs.start(portfolio, "zip", 1)
    reviewer_job = jobs.start(portfolio, "pdf", 1, link=link)
    for job in (owner_job, reviewer_job):
        assert len(job.token) >= 32 and job.token != str(job.id)  # 192 random bits
    response = logged_in.post(f"/portfolios/{portfolio.id}/prepare", data={"kind": "zip"})
    assert response.headers["Location"] == f"/portfolios/jobs/{owner_job.token}"
    for guess in range(0, owner_job.id + reviewer_job.id + 3):
        for url in _urls("/portfolios", str(guess)) + _urls(f"/shared/{token}", str(guess)):
            assert logged_in.get(url).status_code == 404, url


def test_reviewer_cannot_fetch_the_owners_job_or_another_links_job(client, logged_in, shared):
    portfolio, link, token, *_ = shared
    other_link, other_token = make_link(portfolio)
    owners = make_finished_job(portfolio)
    theirs = make_finished_job(portfolio, share_link_id=other_link.id)
    mine = make_finished_job(portfolio, share_link_id=link.id, data=b"%PDF-1.4 mine")
    for job in (owners, theirs):
        for url in _urls(f"/shared/{token}", job.token):
            assert client.get(url).status_code == 404, url
    response = client.get(f"/shared/{token}/jobs/{mine.token}/file")
    assert response.status_code == 200 and response.get_data() == b"%PDF-1.4 mine"
    response.close()
    # The reviewer's job is the owner's too (their portfolio); another user's is not.
    response = logged_in.get(f"/portfolios/jobs/{mine.token}/file")
    assert response.status_code == 200
    response.close()


def test_other_users_job_is_404_for_the_owner_routes(client, login_as, other_user, shared):
    portfolio, *_ = shared
    job = make_finished_job(portfolio)
    login_as(client, other_user)
    for url in _urls("/portfolios", job.token):
        assert client.get(url).status_code == 404, url


def _remove_evidence(logged_in, portfolio, activity, evidence):
    assert logged_in.post(f"/evidence/{evidence.id}/delete").status_code == 302


def _edit_activity(logged_in, portfolio, activity, evidence):
    activity.title = "Renamed course"
    db.session.commit()


def _edit_portfolio(logged_in, portfolio, activity, evidence):
    portfolio.title = "Renamed portfolio"
    db.session.commit()


@pytest.mark.parametrize(
    "change", [_remove_evidence, _edit_activity, _edit_portfolio], ids=lambda f: f.__name__[1:]
)
def test_out_of_date_job_is_refused_never_served(logged_in, client, shared, change):
    portfolio, link, token, activity, evidence = shared
    reviewer_job = make_finished_job(portfolio, share_link_id=link.id)
    owner_job = make_finished_job(portfolio)
    assert client.get(f"/shared/{token}/jobs/{reviewer_job.token}/status").json["state"] == "done"

    change(logged_in, portfolio, activity, evidence)

    for prefix, job, browser in (
        (f"/shared/{token}", reviewer_job, client),
        ("/portfolios", owner_job, logged_in),
    ):
        base = f"{prefix}/jobs/{job.token}"
        status = browser.get(f"{base}/status").json
        assert status["state"] == "stale" and status["file"] is None
        for url in (base, f"{base}/file"):
            response = browser.get(url)
            page = response.get_data(as_text=True)
            assert response.status_code == 410, url
            assert OUT_OF_DATE in page and "%PDF" not in page
            assert f'action="{prefix}/' in page  # the button that starts a new one


def test_a_new_review_also_makes_a_job_out_of_date(client, shared):
    portfolio, link, token, *_ = shared
    job = make_finished_job(portfolio, share_link_id=link.id)
    sharing.add_review(link, {"reviewer_name": "Grace", "comment": "Fine", "signed_off": True})
    db.session.commit()
    assert client.get(f"/shared/{token}/jobs/{job.token}/file").status_code == 410


def test_fingerprint_sees_evidence_replaced_under_a_reused_id(user, shared):
    """SQLite gives a new row the highest deleted id again: count and max id alone repeat."""
    portfolio, _link, _token, activity, evidence = shared
    before = jobs.fingerprint(portfolio.id)
    assert jobs.fingerprint(portfolio.id) == before  # stable while nothing changes
    db.session.delete(evidence)
    db.session.commit()
    time.sleep(0.002)
    make_evidence(user, activity, data=b"another certificate", name="other.txt")
    assert jobs.fingerprint(portfolio.id) != before


def test_expired_job_is_not_served(client, shared):
    portfolio, link, token, *_ = shared
    past = datetime.now(UTC) - timedelta(minutes=1)
    job = make_finished_job(portfolio, share_link_id=link.id, expires_at=past)
    assert client.get(f"/shared/{token}/jobs/{job.token}/file").status_code == 410


@pytest.mark.parametrize(
    ("how", "says"), [("revoked", "has been revoked"), ("expired", "has expired")]
)
def test_revoked_or_expired_link_serves_no_job(client, shared, how, says):
    portfolio, link, token, *_ = shared
    job = make_finished_job(portfolio, share_link_id=link.id)
    if how == "revoked":
        sharing.revoke(link)
    else:
        link.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    for url in _urls(f"/shared/{token}", job.token):
        response = client.get(url)
        assert response.status_code == 410 and says in response.get_data(as_text=True)


def test_preparing_again_reuses_the_current_job_until_the_content_changes(client, shared):
    portfolio, link, token, activity, _evidence = shared
    first = client.post(f"/shared/{token}/prepare", data={"kind": "zip"}).headers["Location"]
    again = client.post(f"/shared/{token}/prepare", data={"kind": "zip"}).headers["Location"]
    assert first == again
    activity.minutes += 15
    db.session.commit()
    third = client.post(f"/shared/{token}/prepare", data={"kind": "zip"}).headers["Location"]
    assert third != first
    assert db.session.scalar(select(ExportJob.share_link_id).distinct()) == link.id


def test_reviewer_gets_the_present_content_after_evidence_is_removed(app_factory, tmp_path, user):
    """End to end through the queue (in tests a job runs in the request that starts it;
    tests/background/ run real workers): the old ZIP held the removed file."""
    app = app_factory(UPLOAD_DIR=str(tmp_path / "uploads"), PORTFOLIO_BACKGROUND_AT=0)
    with app.app_context():
        activity = factories.make_activity(user, title="Course with a certificate")
        evidence = make_evidence(user, activity, data=b"secret notes\n", name="secret-notes.txt")
        _link, token = make_link(make_portfolio(user, title="Reviewed"))
        reviewer = app.test_client()
        old = reviewer.post(f"/shared/{token}/prepare", data={"kind": "zip"}).headers["Location"]
        assert any("secret-notes" in name for name in _zip_names(reviewer, old))

        evidence_services.delete_evidence(evidence)
        db.session.commit()
        assert reviewer.get(f"{old}/file").status_code == 410
        new = reviewer.post(f"/shared/{token}/prepare", data={"kind": "zip"}).headers["Location"]
        assert new != old
        assert not any("secret-notes" in name for name in _zip_names(reviewer, new))


def _zip_names(client, job_url: str) -> list[str]:
    deadline = time.monotonic() + 60
    while (status := client.get(f"{job_url}/status").json)["state"] in ("queued", "running"):
        assert time.monotonic() < deadline, "the export did not finish"
        time.sleep(0.1)
    assert status["state"] == "done", status
    response = client.get(status["file"])
    names = zipfile.ZipFile(io.BytesIO(response.get_data())).namelist()
    response.close()
    return names


def test_chosen_count_is_what_the_progress_page_shows(logged_in, shared):
    portfolio, *_ = shared
    job = make_finished_job(portfolio, total=services.chosen_count(portfolio), state="running")
    assert "1 activities" in logged_in.get(f"/portfolios/jobs/{job.token}").get_data(as_text=True)
