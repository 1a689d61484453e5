"""Large exports run on the queue (cpd_log/background/) and report progress in their ExportJob row.

A portfolio with more activities than PORTFOLIO_BACKGROUND_AT is rendered this way: the request
returns at once with a page whose script polls the job's status (pages laid out so far) and
fetches the file when it is done, so no request waits long enough to time out.

A job is addressed by its random token, never by its row id. A file is served only while it shows
the portfolio as it is now: the job records the portfolio's content fingerprint when it starts,
and a job whose fingerprint no longer matches (the owner edited the portfolio, an activity or a
reflection, removed evidence; a review was added, an appraiser signed it off) answers "out of
date, start a new one". Files live in the upload folder's `.exports/` (job_files.py) and go an
hour later.

A job is `queued` until a worker takes it, then `running`, then `done` or `failed`. Any host
answers its pages: the row is in the database, the file in the shared UPLOAD_DIR. A running job
whose worker died (no heartbeat for QUEUE_STALE_SECONDS) is marked failed, saying so, by the
next look at it (`find`), so its page never waits forever.
"""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app, send_file
from sqlalchemy import func, select

from cpd_log.background import queue
from cpd_log.documents import bundle
from cpd_log.documents.job_files import job_path
from cpd_log.extensions import db
from cpd_log.models import Evidence, ExportJob, Portfolio, Review, ShareLink, User
from cpd_log.models.appraisal import Appraisal, AppraisalState
from cpd_log.models.types import utcnow
from cpd_log.portfolio import services

KEEP = timedelta(hours=1)
QUEUE_NAME = "export"
FAILED = "Something went wrong; nothing was lost. Go back and try again."
WORKER_LOST = (
    "The worker preparing this file stopped before it was done; nothing was lost."
    " Go back and start it again."
)


def in_background(content: services.Content) -> bool:
    """Whether the portfolio's PDF and ZIP are offered as background jobs (a progress page)
    rather than as direct downloads: more than PORTFOLIO_BACKGROUND_AT activities. The owner's
    and the reviewer's pages both ask here."""
    return len(content.activities) > current_app.config["PORTFOLIO_BACKGROUND_AT"]


def fingerprint(portfolio_id: int) -> str:
    """The portfolio's content version, in one query.

    What a PDF or ZIP shows comes from the portfolio row (its `updated_at`), the owner's log (the
    `user.data_version` that triggers raise on every activity, reflection, tag, framework, scheme
    and cycle write) and the owner's evidence, which no trigger watches: its count catches a
    removal, its latest `created_at` an addition (ids alone would not: SQLite reuses the highest
    id after a delete). Reviews and appraisal sign-offs are printed too, and the owner's name.
    """
    owner = Portfolio.user_id

    def of_evidence(aggregate):
        return select(aggregate).where(Evidence.user_id == owner).scalar_subquery()

    row = db.session.execute(
        select(
            Portfolio.updated_at,
            User.data_version,
            User.display_name,
            of_evidence(func.count(Evidence.id)),
            of_evidence(func.max(Evidence.id)),
            of_evidence(func.max(Evidence.created_at)),
            select(func.count(Review.id))
            .where(Review.portfolio_id == Portfolio.id)
            .scalar_subquery(),
            select(func.count(Appraisal.id))  # a sign-off is final: counting catches each new one
            .where(
                Appraisal.portfolio_id == Portfolio.id,
                Appraisal.state == AppraisalState.SIGNED_OFF,
            )
            .scalar_subquery(),
        )
        .join(User, User.id == owner)
        .where(Portfolio.id == portfolio_id)
    ).one_or_none()
    if row is None:  # the portfolio went meanwhile: matches no job
        return ""
    return hashlib.sha256(repr(tuple(map(str, row))).encode()).hexdigest()


def start(portfolio: Portfolio, kind: str, total: int, link: ShareLink | None = None) -> ExportJob:
    """The job for this portfolio, kind and requester (the owner, or one share link).

    A current job of the same requester is reused, so clicking again does not render again;
    otherwise a new row is committed (so a worker sees it) and put on the queue.
    """
    current = fingerprint(portfolio.id)
    now = utcnow()
    job = db.session.scalar(
        select(ExportJob)
        .where(
            ExportJob.portfolio_id == portfolio.id,
            ExportJob.kind == kind,
            ExportJob.share_link_id == (link.id if link else None),
            ExportJob.fingerprint == current,
            ExportJob.state != "failed",
            ExportJob.expires_at > now,
        )
        .order_by(ExportJob.id.desc())
        .limit(1)
    )
    if job is not None and fail_if_worker_lost(job).state != "failed":
        return job
    job = ExportJob(
        user_id=portfolio.user_id,
        portfolio_id=portfolio.id,
        share_link_id=link.id if link else None,
        kind=kind,
        total=total,
        file_name=f"{secrets.token_hex(16)}.{kind}",
        fingerprint=current,
        state="queued",
        created_at=now,
        expires_at=now + KEEP,
    )
    db.session.add(job)
    db.session.commit()
    queue.enqueue(QUEUE_NAME, job.id)
    return job


def run(app: Flask, job_id: int) -> None:
    """Render, then mark the job done (or failed); run by a worker. Status updates use short
    transactions of their own, and the session's read ends before rendering, so no lock is held
    while pages are laid out. A job deleted meanwhile (its portfolio or account went), or already
    given up as lost, leaves no file behind.
    """
    with app.app_context():
        try:
            job = db.session.get(ExportJob, job_id)
            if job is None or not _set(job_id, only_if="queued", state="running"):
                return
            kind, target = job.kind, job_path(job)
            content = services.gather(db.session.get(Portfolio, job.portfolio_id))
            db.session.close()  # everything the renderer reads is loaded; end the read
            partial = target.with_suffix(".part")
            with partial.open("wb") as out:
                if kind == "pdf":
                    from cpd_log.documents import pdf  # ReportLab loads on first use

                    pages = pdf.render(content, out, progress=lambda n: _set(job_id, pages=n))
                else:
                    bundle.write_zip(content, out)
                    pages = 0
            partial.replace(target)
            if not _set(job_id, only_if="running", state="done", pages=pages):
                target.unlink(missing_ok=True)
        except Exception:
            current_app.logger.exception("export job %s failed", job_id)
            _set(job_id, only_if="running", state="failed", message=FAILED)
        finally:
            db.session.remove()


def _set(job_id: int, only_if: str | None = None, **values) -> bool:
    """Update the job in a transaction of its own (only while in state `only_if`, when given);
    False when the row is gone or in another state."""
    update = ExportJob.__table__.update().where(ExportJob.id == job_id)
    if only_if is not None:
        update = update.where(ExportJob.state == only_if)
    with db.engine.begin() as connection:
        result = connection.execute(update.values(**values))
    return result.rowcount > 0


def fail_if_worker_lost(job: ExportJob) -> ExportJob:
    """Mark a running job failed when its worker stopped beating (any host may notice)."""
    if job.state == "running" and queue.worker_lost(QUEUE_NAME, job.id, job.created_at):
        if _set(job.id, only_if="running", state="failed", message=WORKER_LOST):
            current_app.logger.warning("export job %s: its worker stopped", job.id)
        db.session.refresh(job)
    return job


def find(job_token: str, user_id: int | None = None, link: ShareLink | None = None):
    """The job with this token, for its owner (`user_id`) or for the share link that started
    it (`link`); None otherwise — another user's job, another link's, the owner's own job asked
    for through a link."""
    if not job_token or len(job_token) > 64:
        return None
    query = select(ExportJob).where(ExportJob.token == job_token)
    if link is not None:
        query = query.where(ExportJob.share_link_id == link.id)
    else:
        query = query.where(ExportJob.user_id == user_id)
    job = db.session.scalar(query)
    return fail_if_worker_lost(job) if job is not None else None


def is_current(job: ExportJob, now: datetime | None = None) -> bool:
    """Not expired, and the portfolio's content is what it was when the job started."""
    expires = job.expires_at if job.expires_at.tzinfo else job.expires_at.replace(tzinfo=UTC)
    if expires <= (now or datetime.now(UTC)):
        return False
    return job.fingerprint == fingerprint(job.portfolio_id)


def status(job: ExportJob, file_url: str) -> dict:
    """What the progress page's script polls for; `stale` when the content has changed."""
    state = job.state if is_current(job) else "stale"
    return {
        "state": state,
        "pages": job.pages,
        "activities": job.total,
        "message": (job.message or FAILED) if state == "failed" else "",
        "file": file_url if state == "done" else None,
    }


def ready(job: ExportJob) -> bool:
    return job.state == "done" and job_path(job).exists()


def send(job: ExportJob):
    """The finished file as an attachment (the caller has checked `is_current` and `ready`)."""
    response = send_file(
        job_path(job),
        mimetype="application/pdf" if job.kind == "pdf" else "application/zip",
        as_attachment=True,
        download_name=f"portfolio-{job.portfolio_id}.{job.kind}",
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
