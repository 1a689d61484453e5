"""Where background export files live, and when they go.

A job's file is in the upload folder's `.exports/`, under a random name its row records. It goes:
- with its row, portfolio or account (`forget_files`), after the transaction commits — a
  rolled-back delete keeps it, and the database's ON DELETE CASCADE alone would leave it on disk;
- when the job expires (`remove_expired_jobs`, a housekeeping step);
- when no row names it any more (`remove_unnamed_files`, a housekeeping step): a job deleted
  while it was still rendering, a worker killed mid-render.
"""

from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from cpd_log.extensions import db
from cpd_log.models import ExportJob

# A file no row names is left alone this long: its job may have been committed by another
# process after this one listed the rows.
UNNAMED_GRACE = timedelta(hours=1)
_PENDING = "export_files_to_remove"


def export_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_DIR"]) / ".exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def job_path(job: ExportJob) -> Path:
    return export_folder() / job.file_name


def forget_files(user_id: int, portfolio_id: int | None = None) -> None:
    """Call before deleting a portfolio (or, without one, the account): the export files of its
    jobs are removed once the delete commits."""
    query = select(ExportJob.file_name).where(ExportJob.user_id == user_id)
    if portfolio_id is not None:
        query = query.where(ExportJob.portfolio_id == portfolio_id)
    remove_after_commit(list(db.session.scalars(query)))


def remove_after_commit(file_names: list[str]) -> None:
    db.session().info.setdefault(_PENDING, []).extend(name for name in file_names if name)


@event.listens_for(Session, "after_commit")
def _remove_committed(session: Session) -> None:
    names = session.info.pop(_PENDING, [])
    if not names:
        return
    folder = export_folder()
    for name in set(names):
        for path in _files_of(folder, name):
            path.unlink(missing_ok=True)


@event.listens_for(Session, "after_rollback")
def _keep_on_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _files_of(folder: Path, file_name: str) -> list[Path]:
    """The finished file and the one still being written (`<name>.part`)."""
    path = folder / Path(file_name).name
    return [path, path.with_suffix(".part")]


def remove_expired_jobs(now: datetime) -> int:
    """Delete the jobs past their expiry; their files go when the caller commits."""
    expired = db.session.execute(
        select(ExportJob.id, ExportJob.file_name).where(ExportJob.expires_at < now)
    ).all()
    if not expired:
        return 0
    db.session.execute(delete(ExportJob).where(ExportJob.id.in_([row.id for row in expired])))
    remove_after_commit([row.file_name for row in expired])
    db.session.flush()
    return len(expired)


def remove_unnamed_files(now: datetime) -> int:
    """Unlink files in the exports folder that no job row names, once older than the grace.

    The folder is listed before the rows are read: a job's row is committed before its file is
    created, so every file listed here has its row visible to the query that follows.
    """
    folder = export_folder()
    cutoff = (now - UNNAMED_GRACE).timestamp()
    candidates = [path for path in folder.iterdir() if path.is_file()]
    named = {Path(name).stem for name in db.session.scalars(select(ExportJob.file_name))}
    removed = 0
    for path in candidates:
        if path.stem in named:
            continue
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another process swept it first
            continue
    return removed
