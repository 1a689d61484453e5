"""Reflections: what a practitioner learned, in the stages of a reflective model they choose.

Stage texts are one JSON dict (stage key → text) rather than a column per stage, so changing the
model of a saved reflection keeps every text: stages that the new model does not have stay in the
dict, and are shown as "Text from the previous model" until the user moves or clears them.
"""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cpd_log.extensions import db
from cpd_log.models.activity import Activity
from cpd_log.models.competency import Competency
from cpd_log.models.types import utcnow

reflection_competency = Table(
    "reflection_competency",
    db.metadata,
    Column("reflection_id", ForeignKey("reflection.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "competency_id",
        ForeignKey("competency.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Reflection(db.Model):
    __tablename__ = "reflection"
    __table_args__ = (
        CheckConstraint(
            "(applied_text IS NULL) = (applied_on IS NULL)", name="applied_text_has_date"
        ),
        Index("ix_reflection_user_date", "user_id", "reflected_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    # SET NULL, not CASCADE: a reflection is the practitioner's own writing and stays evidence of
    # learning when the activity row is deleted (it becomes a standalone reflection).
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activity.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    reflected_on: Mapped[date] = mapped_column(Date)
    model: Mapped[str] = mapped_column(String(24))  # a key of reflective_models.REFLECTIVE_MODELS
    stages: Mapped[dict] = mapped_column(JSON, default=dict)
    # Title and every stage text, lower-cased: one portable LIKE for search on every backend.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Drafts are the user's notes in progress: listed apart, never counted as evidence.
    is_draft: Mapped[bool] = mapped_column(Boolean, default=False)
    applied_text: Mapped[str | None] = mapped_column(Text)
    applied_on: Mapped[date | None] = mapped_column(Date)
    # Optimistic concurrency, as on Activity.version: a save from an older form is refused.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    activity: Mapped[Activity | None] = relationship()
    competencies: Mapped[list[Competency]] = relationship(
        secondary=reflection_competency, order_by=Competency.sort
    )

    def __repr__(self) -> str:
        return f"<Reflection {self.id} {self.model}>"


class ApplyPromptDismissal(db.Model):
    """ "How did you apply it?" dismissed for one activity at one checkpoint (30 or 90 days)."""

    __tablename__ = "apply_prompt_dismissal"
    __table_args__ = (
        UniqueConstraint("activity_id", "checkpoint"),
        CheckConstraint("checkpoint IN (30, 90)", name="checkpoint_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    checkpoint: Mapped[int] = mapped_column(Integer)
    dismissed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
