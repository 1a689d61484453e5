"""Learning activities: the log every other feature counts, reflects on and exports."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

# The enums are declared with the field table (plain Python) and imported from here as before.
from cpd_log.activities.choices import ActivityKind, ActivitySource, ActivityStatus, Delivery
from cpd_log.extensions import db
from cpd_log.models.competency import Competency
from cpd_log.models.types import utcnow


def _enum(enum_cls: type[StrEnum], name: str) -> Enum:
    """A portable enum column: VARCHAR plus a named CHECK constraint, values stored as-is."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        name=name,
        length=24,
        values_callable=lambda e: [m.value for m in e],
    )


activity_competency = Table(
    "activity_competency",
    db.metadata,
    Column("activity_id", ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "competency_id",
        ForeignKey("competency.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Activity(db.Model):
    __tablename__ = "activity"
    __table_args__ = (
        CheckConstraint("minutes >= 0", name="minutes_not_negative"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
        # Re-importing the same calendar/spreadsheet row finds the activity it created before.
        UniqueConstraint("user_id", "source", "external_uid"),
        # The list's order (newest first, id breaking ties) straight from the index.
        Index("ix_activity_user_start", "user_id", "start_date", "id"),
        # Covers the dashboard's sums: they read the index, never the rows with their long text.
        # The apply queue's date test (COALESCE(end_date, start_date)) is answered from it too.
        Index(
            "ix_activity_user_totals",
            "user_id",
            "status",
            "start_date",
            "minutes",
            "kind",
            "end_date",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ActivityKind] = mapped_column(_enum(ActivityKind, "activity_kind"))
    provider: Mapped[str] = mapped_column(String(200), default="")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    delivery: Mapped[Delivery] = mapped_column(_enum(Delivery, "delivery"))
    participatory: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text, default="")
    objective: Mapped[str | None] = mapped_column(Text)  # what the person set out to learn
    url: Mapped[str] = mapped_column(String(2000), default="")
    status: Mapped[ActivityStatus] = mapped_column(
        _enum(ActivityStatus, "activity_status"), default=ActivityStatus.COMPLETED
    )
    source: Mapped[ActivitySource] = mapped_column(
        _enum(ActivitySource, "activity_source"), default=ActivitySource.MANUAL
    )
    external_uid: Mapped[str | None] = mapped_column(String(255))
    # Optimistic concurrency: raised by one on every edit (cpd_log/versions.py);
    # the edit form carries the version it was loaded with, so a save from an older form is
    # refused instead of silently overwriting the newer one.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    competencies: Mapped[list[Competency]] = relationship(
        secondary=activity_competency, order_by=Competency.sort
    )

    @property
    def hours(self) -> float:
        return self.minutes / 60

    @hybrid_property
    def last_date(self) -> date:
        """The day the activity ended: its end date, or its start date when it took one day.
        In a query, `coalesce(end_date, start_date)` (the expression ix_activity_user_ended
        indexes, so every query that compares it can read the index)."""
        return self.end_date or self.start_date

    @last_date.inplace.expression
    @classmethod
    def _last_date_expression(cls):
        return func.coalesce(cls.end_date, cls.start_date)

    def __repr__(self) -> str:
        return f"<Activity {self.id} {self.title!r}>"


# The apply queue's window ("ended 30 to 180 days ago") and the cycles' spans as ranges, not a
# scan of every completed activity.
Index("ix_activity_user_ended", Activity.user_id, Activity.status, Activity.last_date)
