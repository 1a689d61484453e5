"""The reviewer's side: a read-only portfolio behind a share-link token. No login, by design.

Only the portfolio the token names is reachable; an expired or revoked link answers 410 with a page
that says which; an unknown token answers 404. A background export is reachable only through the
link that started it, and only while its content is the portfolio's present content (jobs.py).
Every route is rate-limited per client address.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from cpd_log.documents import jobs
from cpd_log.documents.job_views import JobUrls, file_response, progress_page, status_response
from cpd_log.documents.responses import pdf_response, zip_response
from cpd_log.extensions import db, limiter
from cpd_log.forms import EmptyForm
from cpd_log.models import ExportJob, ShareLink
from cpd_log.portfolio import services
from cpd_log.sharing import services as sharing
from cpd_log.sharing.forms import ReviewForm

bp = Blueprint("sharing", __name__, url_prefix="/shared")


def _limit() -> str:
    return current_app.config["SHARE_RATE_LIMIT"]


@bp.after_request
def _private(response):
    """The token is in the URL: keep it out of caches and of other sites' Referer headers."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _active_link(token: str) -> ShareLink:
    """The link for this token; 404 when unknown, 410 (with the reason) when no longer valid."""
    link = sharing.find_link(token)
    if link is None:
        abort(404)
    link_state = sharing.state(link)
    if link_state is not sharing.LinkState.ACTIVE:
        page = render_template("sharing/shared_gone.html", state=link_state, link=link)
        abort(make_response(page, 410))
    return link


@bp.route("/<token>", methods=["GET", "POST"])
@limiter.limit(_limit)
def view(token: str):
    link = _active_link(token)
    form = ReviewForm()
    if form.validate_on_submit():
        sharing.add_review(link, form.data)
        db.session.commit()
        flash("Thank you: your review is recorded and the owner can see it.", "success")
        return redirect(url_for("sharing.view", token=token))
    sharing.record_view(link)
    db.session.commit()
    content = services.gather(link.portfolio)
    return render_template(
        "sharing/shared.html",
        content=content,
        background=jobs.in_background(content),
        form=form,
        token=token,
    )


@bp.get("/<token>/portfolio.pdf")
@limiter.limit(_limit)
def download_pdf(token: str):
    return pdf_response(_active_link(token).portfolio)


@bp.get("/<token>/portfolio.zip")
@limiter.limit(_limit)
def download_zip(token: str):
    return zip_response(_active_link(token).portfolio)


@bp.post("/<token>/prepare")
@limiter.limit(_limit)
def prepare(token: str):
    """A large portfolio: render in the background and show the reviewer its progress."""
    link = _active_link(token)
    kind = request.form.get("kind")
    if not EmptyForm().validate_on_submit() or kind not in ("pdf", "zip"):
        abort(400)
    job = jobs.start(link.portfolio, kind, services.chosen_count(link.portfolio), link=link)
    return redirect(url_for("sharing.job", token=token, job_token=job.token))


def _job(token: str, job_token: str) -> tuple[ExportJob, JobUrls]:
    """A job started through this very link only (the owner's and other links' are 404)."""
    link = _active_link(token)
    job = jobs.find(job_token, link=link)
    if job is None:
        abort(404)
    return job, JobUrls(
        status=url_for("sharing.job_status", token=token, job_token=job.token),
        file=url_for("sharing.job_file", token=token, job_token=job.token),
        back=url_for("sharing.view", token=token),
        restart=url_for("sharing.prepare", token=token),
    )


@bp.get("/<token>/jobs/<job_token>")
@limiter.limit(_limit)
def job(token: str, job_token: str):
    return progress_page(*_job(token, job_token))


@bp.get("/<token>/jobs/<job_token>/status")
@limiter.limit("120 per minute")
def job_status(token: str, job_token: str):
    return status_response(*_job(token, job_token))


@bp.get("/<token>/jobs/<job_token>/file")
@limiter.limit(_limit)
def job_file(token: str, job_token: str):
    return file_response(*_job(token, job_token))
