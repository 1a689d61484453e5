"""Large exports run in a background thread and report progress in their ExportJob row.

A portfolio with more activities than PORTFOLIO_BACKGROUND_AT is rendered this way: the request
returns at once with a page whose script polls the job's status (pages laid out so far) and
fetches the file when it is done, so no request waits long enough to time out. Finished files live
in the upload folder's `.exports/` and are removed an hour later.
"""

import secrets
import threading
import time
from pathlib import Path

from flask import Flask, abort, current_app, send_file

from cpd_log.extensions import db
from cpd_log.models import ExportJob, Portfolio
from cpd_log.portfolio import bundle, pdf, services

KEEP_SECONDS = 3600


def export_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_DIR"]) / ".exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def job_path(job: ExportJob) -> Path:
    return export_folder() / job.file_name


def start(portfolio: Portfolio, kind: str, total: int) -> ExportJob:
    """Create the job row (committed, so the thread sees it) and start rendering."""
    _sweep()
    job = ExportJob(
        user_id=portfolio.user_id,
        portfolio_id=portfolio.id,
        kind=kind,
        total=total,
        file_name=f"{secrets.token_hex(16)}.{kind}",
    )
    db.session.add(job)
    db.session.commit()
    app = current_app._get_current_object()
    threading.Thread(target=_run, args=(app, job.id), name=f"export-{job.id}", daemon=True).start()
    return job


def _run(app: Flask, job_id: int) -> None:
    """Render, then mark the job done (or failed). Status updates use short transactions of their
    own, and the session's read ends before rendering, so no lock is held while pages are laid out.
    """
    with app.app_context():
        try:
            job = db.session.get(ExportJob, job_id)
            kind, target = job.kind, job_path(job)
            content = services.gather(db.session.get(Portfolio, job.portfolio_id))
            db.session.close()  # everything the renderer reads is loaded; end the read
            partial = target.with_suffix(".part")
            with partial.open("wb") as out:
                if kind == "pdf":
                    pages = pdf.render(content, out, progress=lambda n: _set(job_id, pages=n))
                else:
                    bundle.write_zip(content, out)
                    pages = 0
            partial.replace(target)
            _set(job_id, state="done", pages=pages)
        except Exception:
            current_app.logger.exception("export job %s failed", job_id)
            _set(job_id, state="failed")
        finally:
            db.session.remove()


def _set(job_id: int, **values) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            ExportJob.__table__.update().where(ExportJob.id == job_id).values(**values)
        )


def _sweep() -> None:
    """Remove finished files older than KEEP_SECONDS."""
    cutoff = time.time() - KEEP_SECONDS
    for path in export_folder().glob("*"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def status(job: ExportJob, file_url: str) -> dict:
    """What the progress page's script polls for."""
    done = job.state == "done"
    return {
        "state": job.state,
        "pages": job.pages,
        "activities": job.total,
        "file": file_url if done else None,
    }


def send(job: ExportJob):
    """The finished file as an attachment; 404 while it is not ready."""
    path = job_path(job)
    if job.state != "done" or not path.exists():
        abort(404)
    response = send_file(
        path,
        mimetype="application/pdf" if job.kind == "pdf" else "application/zip",
        as_attachment=True,
        download_name=f"portfolio-{job.portfolio_id}.{job.kind}",
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
