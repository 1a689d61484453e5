"""Account backups being restored: one row per uploaded archive, read by the progress page."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cpd_log.extensions import db
from cpd_log.models.types import utcnow

# queued → checking (the archive is read and verified) → importing (one transaction) → done;
# any problem → failed with `message`. A job whose worker died stays "checking" or "importing"
# until the sweep marks it failed (account/import_jobs.py).
IMPORT_STATES = ("queued", "checking", "importing", "done", "failed")


class ImportJob(db.Model):
    """An account backup imported in the background, with its progress (records done / total)."""

    __tablename__ = "import_job"
    __table_args__ = (
        CheckConstraint("done >= 0 AND total >= 0", name="progress_not_negative"),
        CheckConstraint(
            "state IN ('queued', 'checking', 'importing', 'done', 'failed')", name="state_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    # Why it failed, for the user: a sentence naming the record and field, never a traceback.
    message: Mapped[str] = mapped_column(Text, default="")
    # What was added, by kind ({"activities": 12, ...}), once done.
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    # The job's staging folder under UPLOAD_DIR/.imports/ (a random name).
    folder: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<ImportJob {self.id} {self.state}>"
