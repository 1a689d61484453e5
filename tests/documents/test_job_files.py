"""Export files leave the disk with their portfolio and with the account (defect 5: job files
outlived the account), after the commit only."""

from sqlalchemy import func, select

from cpd_log.documents import job_files, jobs, pdf
from cpd_log.extensions import db
from cpd_log.models import ExportJob, Portfolio
from cpd_log.portfolio import services
from tests import factories
from tests.portfolio.builders import make_finished_job, make_link, make_portfolio


def _files() -> set[str]:
    return {path.name for path in job_files.export_folder().iterdir()}


def test_job_files_go_with_their_portfolio(logged_in, user):
    portfolio = make_portfolio(user, title="To delete")
    link, _token = make_link(portfolio)
    doomed = [make_finished_job(portfolio), make_finished_job(portfolio, share_link_id=link.id)]
    kept = make_finished_job(make_portfolio(user, title="To keep"), kind="zip")
    assert _files() == {job.file_name for job in [*doomed, kept]}

    assert logged_in.post(f"/portfolios/{portfolio.id}/delete").status_code == 302
    assert _files() == {kept.file_name}
    assert db.session.scalar(select(func.count(ExportJob.id))) == 1


def test_a_rolled_back_delete_keeps_the_files(user):
    portfolio = make_portfolio(user)
    job = make_finished_job(portfolio)
    services.delete_portfolio(portfolio)
    db.session.rollback()
    assert _files() == {job.file_name}
    db.session.commit()  # a later commit does not remove what the rollback kept
    assert _files() == {job.file_name}


def test_job_files_go_with_the_account(logged_in, user, other_user):
    mine = [make_finished_job(make_portfolio(user, title=f"P{n}")).file_name for n in range(2)]
    theirs = make_finished_job(make_portfolio(other_user))
    assert _files() == {*mine, theirs.file_name}
    response = logged_in.post("/account/delete", data={"password": factories.PASSWORD})
    assert response.status_code == 302
    assert _files() == {theirs.file_name}


def test_a_job_deleted_while_rendering_leaves_no_file(app_factory, tmp_path, user, monkeypatch):
    """The owner deletes the portfolio while its PDF is being laid out: no file stays."""
    app = app_factory(UPLOAD_DIR=str(tmp_path / "uploads"))
    with app.app_context():
        for n in range(30):
            factories.make_activity(user, title=f"Course {n}")
        portfolio = make_portfolio(user)
        portfolio_id, render = portfolio.id, pdf.render

        def render_while_deleted(content, out, progress):
            pages = render(content, out, progress=progress)
            with app.app_context():  # the owner's request, meanwhile
                services.delete_portfolio(db.session.get(Portfolio, portfolio_id))
                db.session.commit()
            return pages

        monkeypatch.setattr(pdf, "render", render_while_deleted)
        jobs.start(portfolio, "pdf", 30)
        assert db.session.get(Portfolio, portfolio_id) is None
        assert _files() == set()
