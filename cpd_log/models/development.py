"""Self-assessment history and development goals against competencies."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cpd_log.extensions import db
from cpd_log.models.activity import Activity
from cpd_log.models.competency import Competency
from cpd_log.models.types import utcnow


class SelfAssessment(db.Model):
    """One judgement of one's level on a date. A history, never overwritten: latest wins."""

    __tablename__ = "self_assessment"
    __table_args__ = (
        CheckConstraint("level >= 0", name="level_not_negative"),
        Index("ix_self_assessment_user_competency", "user_id", "competency_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    competency_id: Mapped[int] = mapped_column(
        ForeignKey("competency.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[int] = mapped_column(Integer)
    assessed_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    competency: Mapped[Competency] = relationship()


class GoalStatus(StrEnum):
    OPEN = "open"
    ACHIEVED = "achieved"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return self.value.capitalize()


goal_activity = Table(
    "goal_activity",
    db.metadata,
    Column("goal_id", ForeignKey("goal.id", ondelete="CASCADE"), primary_key=True),
    Column("activity_id", ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True),
)


class Goal(db.Model):
    """A development goal: reach `target_level` in a competency, perhaps by a date."""

    __tablename__ = "goal"
    __table_args__ = (
        CheckConstraint("target_level >= 0", name="target_not_negative"),
        Index("ix_goal_user_competency", "user_id", "competency_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    competency_id: Mapped[int] = mapped_column(
        ForeignKey("competency.id", ondelete="CASCADE"), index=True
    )
    target_level: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[GoalStatus] = mapped_column(
        Enum(
            GoalStatus,
            native_enum=False,
            create_constraint=True,
            name="goal_status",
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=GoalStatus.OPEN,
    )
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    competency: Mapped[Competency] = relationship()
    activities: Mapped[list[Activity]] = relationship(
        secondary=goal_activity, order_by=Activity.start_date.desc()
    )
