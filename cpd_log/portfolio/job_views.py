"""Background exports of large portfolios: start, watch progress, fetch the file. Owner only."""

from flask import (
    Blueprint,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from cpd_log.access import get_owned_or_404
from cpd_log.forms import EmptyForm
from cpd_log.models import ExportJob, Portfolio
from cpd_log.portfolio import jobs, services

bp = Blueprint("export_jobs", __name__, url_prefix="/portfolios")


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
    return redirect(url_for("export_jobs.show", job_id=job.id))


@bp.get("/jobs/<int:job_id>")
def show(job_id: int):
    job = get_owned_or_404(ExportJob, job_id, current_user)
    return render_template(
        "portfolio/job.html",
        job=job,
        status_url=url_for("export_jobs.status", job_id=job.id),
        file_url=url_for("export_jobs.download", job_id=job.id),
        back_url=url_for("portfolio.detail", portfolio_id=job.portfolio_id),
    )


@bp.get("/jobs/<int:job_id>/status")
def status(job_id: int):
    job = get_owned_or_404(ExportJob, job_id, current_user)
    return jsonify(jobs.status(job, url_for("export_jobs.download", job_id=job.id)))


@bp.get("/jobs/<int:job_id>/file")
def download(job_id: int):
    return jobs.send(get_owned_or_404(ExportJob, job_id, current_user))
