"""Imports: uploads parsed and waiting for the user's choice, and verified badge evidence."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from cpd_log.extensions import db
from cpd_log.models.types import utcnow


class ImportBatch(db.Model):
    """One upload between its preview and its commit.

    The parsed rows live here rather than in the cookie session (a 10,000-row spreadsheet does not
    fit in a cookie, and app processes are stateless). Batches expire and are deleted.
    """

    __tablename__ = "import_batch"
    __table_args__ = (CheckConstraint("kind IN ('ics', 'spreadsheet')", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255), default="")
    # ics: {"events": [...]}; spreadsheet: {"headers": [...], "rows": [[...], ...], "mapping": {}}
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<ImportBatch {self.id} {self.kind}>"


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
