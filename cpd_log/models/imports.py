"""Imports: uploads parsed and waiting for the user's choice, and verified badge evidence."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column

from cpd_log.activities.choices import KIND_LABELS, ActivityKind
from cpd_log.extensions import db
from cpd_log.models.types import utcnow


class ImportBatch(db.Model):
    """One upload between its preview and its commit.

    The parsed rows live here rather than in the cookie session (a 10,000-row spreadsheet does not
    fit in a cookie, and app processes are stateless). Batches expire and are deleted.
    """

    __tablename__ = "import_batch"
    __table_args__ = (CheckConstraint("kind IN ('ics', 'spreadsheet', 'xapi')", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255), default="")
    # ics: {"events": [...]}; spreadsheet: {"headers": [...], "rows": [[...], ...]}.
    # Deferred: a spreadsheet's preview and commit read the checked rows (ImportRow), not this.
    payload: Mapped[dict] = deferred(mapped_column(JSON, default=dict))
    # Spreadsheets: the header row, and the mapping and defaults ImportRow was checked with.
    headers: Mapped[list] = mapped_column(JSON, default=list)
    mapping: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # A large import's job on the queue (imports/batch_jobs.py): NULL when none, else queued →
    # reading (a calendar) | staging | importing (a spreadsheet) → NULL (read or staged: the
    # preview), done (imported) or failed (`job_message` says why).
    job_state: Mapped[str | None] = mapped_column(String(16))
    # What the job does: {"step": "read" | "stage" | "import", "signature": [...], "duplicates":
    # bool}; a calendar's signature is [time zone, window's first day, last day].
    job: Mapped[dict | None] = mapped_column(JSON)
    job_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    job_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    job_message: Mapped[str] = mapped_column(Text, default="", server_default="")
    job_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<ImportBatch {self.id} {self.kind}>"


class ImportRow(db.Model):
    """One checked spreadsheet row, staged until the user imports the batch.

    Staged in a table rather than JSON so that the import itself is one INSERT … SELECT, and the
    preview reads counts and one page of rows, whatever the size of the file.
    """

    __tablename__ = "import_row"

    batch_id: Mapped[int] = mapped_column(
        ForeignKey("import_batch.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True)  # line in the file
    label: Mapped[str] = mapped_column(String(200), default="")  # the title cell as written
    errors: Mapped[str] = mapped_column(Text, default="")  # one message a line; "" when valid
    duplicate: Mapped[bool] = mapped_column(Boolean, default=False)
    # The checked values, as Activity stores them (enum values as text); NULL on a row in error.
    title: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(24))
    provider: Mapped[str] = mapped_column(String(200), default="")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    minutes: Mapped[int | None] = mapped_column(Integer)
    delivery: Mapped[str | None] = mapped_column(String(24))
    participatory: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text, default="")
    objective: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(2000), default="")
    status: Mapped[str | None] = mapped_column(String(24))
    competency_ids: Mapped[str] = mapped_column(String(2000), default="")  # "3,7"; "" for none

    @property
    def error_list(self) -> list[str]:
        return self.errors.splitlines()

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[ActivityKind(self.kind)] if self.kind else ""


class BadgeAssertion(db.Model):
    """An Open Badges 2.0 assertion behind a "badge" activity: the evidence, not a self-report."""

    __tablename__ = "badge_assertion"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), unique=True
    )
    assertion_id: Mapped[str] = mapped_column(String(2000), default="")
    badge_name: Mapped[str] = mapped_column(String(200))
    issuer_name: Mapped[str] = mapped_column(String(200), default="")
    issuer_url: Mapped[str] = mapped_column(String(2000), default="")
    issued_on: Mapped[date] = mapped_column(Date)
    # "hosted" assertions are fetched from their own URL; the result is kept with the time.
    verification: Mapped[str] = mapped_column(String(16), default="")
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # [{"targetName": ..., "targetCode": ..., "targetUrl": ..., "targetFramework": ...}]
    alignment: Mapped[list] = mapped_column(JSON, default=list)
    raw: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<BadgeAssertion {self.id} {self.badge_name!r}>"
