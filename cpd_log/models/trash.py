"""The trash: deleted activities and reflections kept 30 days as snapshots, restorable.

A delete moves a snapshot of the row (the account backup's own record, written by its codec, with
tags, links and evidence metadata) into `trash_item` and deletes the live rows, so no query of a
live page ever has to skip deleted rows. Evidence files stay on disk while a trash item names
them (`trash_file`, read by evidence/storage.names_in_use), so they still count in the quota
until the item is purged. Items of one delete share a `batch`, which "Undo" restores.
"""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from cpd_log.extensions import db
from cpd_log.models.types import utcnow


class TrashItem(db.Model):
    __tablename__ = "trash_item"
    __table_args__ = (
        CheckConstraint("kind IN ('activity', 'reflection')", name="kind_known"),
        Index("ix_trash_item_user_deleted", "user_id", "deleted_at"),
        Index("ix_trash_item_user_batch", "user_id", "batch"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    batch: Mapped[str] = mapped_column(
        String(32)
    )  # one delete (single or bulk): what Undo restores
    kind: Mapped[str] = mapped_column(String(16))
    # The deleted row as the snapshot names it ("a<id>", "r<id>"): which item of a batch is which.
    origin: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(200))
    deleted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    snapshot: Mapped[dict] = mapped_column(JSON)

    def __repr__(self) -> str:
        return f"<TrashItem {self.id} {self.kind} {self.title!r}>"


class TrashFile(db.Model):
    """A stored evidence file (original or PDF copy) a trash item still names."""

    __tablename__ = "trash_file"
    __table_args__ = (Index("ix_trash_file_user_sha256", "user_id", "sha256"),)

    trash_item_id: Mapped[int] = mapped_column(
        ForeignKey("trash_item.id", ondelete="CASCADE"), primary_key=True
    )
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
