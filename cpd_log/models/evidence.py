"""Evidence: a stored file (certificate, slides, notes) or a web address attached to an activity
or to a reflection (exactly one of the two).

Files live outside static/ under their SHA-256 (per user folder); the original name is metadata
only, so a crafted name can never choose where a file is written.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from cpd_log.extensions import db
from cpd_log.models.activity import Activity
from cpd_log.models.reflection import Reflection
from cpd_log.models.types import utcnow


class Evidence(db.Model):
    __tablename__ = "evidence"
    __table_args__ = (
        CheckConstraint("size_bytes >= 0", name="size_not_negative"),
        # Exactly one of: a stored file (its hash) or a web address.
        CheckConstraint(
            "(sha256 IS NOT NULL AND url = '') OR (sha256 IS NULL AND url <> '')",
            name="file_or_url",
        ),
        # Attached to exactly one owner row: an activity or a reflection.
        CheckConstraint(
            "(activity_id IS NOT NULL AND reflection_id IS NULL)"
            " OR (activity_id IS NULL AND reflection_id IS NOT NULL)",
            name="one_owner",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), index=True
    )
    reflection_id: Mapped[int | None] = mapped_column(
        ForeignKey("reflection.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(2000), default="")
    sha256: Mapped[str | None] = mapped_column(String(64))
    # The smaller copy of a large image that the portfolio PDF places (a blob like the original,
    # removed with it); NULL when the original is placed as it is, or is not an image.
    rendition_sha256: Mapped[str | None] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(String(255), default="")
    mime_type: Mapped[str] = mapped_column(String(100), default="")
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    # Backrefs keep activity.py and reflection.py untouched: `.evidence` lists the attachments.
    activity: Mapped[Activity | None] = relationship(
        backref=backref("evidence", passive_deletes=True, order_by="Evidence.id")
    )
    # "all": a loaded list is never set to NULL on delete (the CHECK forbids it); the database
    # cascade removes the rows.
    reflection: Mapped[Reflection | None] = relationship(
        backref=backref("evidence", passive_deletes="all", order_by="Evidence.id")
    )

    @property
    def is_file(self) -> bool:
        return self.sha256 is not None

    @property
    def label(self) -> str:
        return self.title or self.original_name or self.url

    def __repr__(self) -> str:
        return f"<Evidence {self.id} {self.label!r}>"
