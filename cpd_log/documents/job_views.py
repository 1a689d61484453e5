"""Background exports of large portfolios: start, watch progress, fetch the file. Owner only.

Jobs are addressed by their random token; the pages and the file answer for the owner's own jobs
(404 for anything else). The progress page, the status and the file are shared with the
reviewer's side (sharing/views.py) through `progress_page`, `status_response` and `file_response`.
"""

from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from cpd_log.access import get_owned_or_404
from cpd_log.documents import jobs
from cpd_log.forms import EmptyForm
from cpd_log.models import ExportJob, Portfolio
from cpd_log.portfolio import services

bp = Blueprint("export_jobs", __name__, url_prefix="/portfolios")


@dataclass(frozen=True)
class JobUrls:
    status: str
    file: str
    back: str
    restart: str  # where "start a new one" posts


@bp.before_request
@login_required
def _require_login():
    """Jobs belong to the portfolio's owner."""


@bp.post("/<int:portfolio_id>/prepare")
def start(portfolio_id: int):
    """Start rendering the PDF or ZIP (form field `kind`) and show its progress page."""
    portfolio = get_owned_or_404(Portfolio, portfolio_id, current_user)
    kind = request.form.get("kind")
    if not EmptyForm().validate_on_submit() or kind not in ("pdf", "zip"):
        abort(400)
    job = jobs.start(portfolio, kind, services.chosen_count(portfolio))
    return redirect(url_for("export_jobs.show", job_token=job.token))


def _job(job_token: str) -> tuple[ExportJob, JobUrls]:
    job = jobs.find(job_token, user_id=current_user.id)
    if job is None:
        abort(404)
    return job, JobUrls(
        status=url_for("export_jobs.status", job_token=job.token),
        file=url_for("export_jobs.download", job_token=job.token),
        back=url_for("portfolio.detail", portfolio_id=job.portfolio_id),
        restart=url_for("export_jobs.start", portfolio_id=job.portfolio_id),
    )


@bp.get("/jobs/<job_token>")
def show(job_token: str):
    return progress_page(*_job(job_token))


@bp.get("/jobs/<job_token>/status")
def status(job_token: str):
    return status_response(*_job(job_token))


@bp.get("/jobs/<job_token>/file")
def download(job_token: str):
    return file_response(*_job(job_token))


def progress_page(job: ExportJob, urls: JobUrls):
    if not jobs.is_current(job):
        return out_of_date(job, urls)
    return render_template("documents/job.html", job=job, urls=urls)


def status_response(job: ExportJob, urls: JobUrls):
    return jsonify(jobs.status(job, urls.file))


def file_response(job: ExportJob, urls: JobUrls):
    """The file while it shows the portfolio as it is now; never an out-of-date one."""
    if not jobs.is_current(job):
        return out_of_date(job, urls)
    if not jobs.ready(job):
        abort(404)
    return jobs.send(job)


def out_of_date(job: ExportJob, urls: JobUrls):
    """410 with a button that starts a new export of the present content."""
    page = render_template("documents/job_stale.html", job=job, urls=urls, form=EmptyForm())
    return make_response(page, 410)
