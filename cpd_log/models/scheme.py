"""CPD schemes, a user's enrolments in them, their cycles, and the user's own allocation splits.

A `Scheme` row is a snapshot of one version of a scheme file. A new version of the file adds a
row and never edits the old one, so a closed cycle keeps being measured with the version it ran
under, while open cycles move to the newest version.
"""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cpd_log.extensions import db
from cpd_log.models.types import utcnow


class Scheme(db.Model):
    __tablename__ = "scheme"
    __table_args__ = (
        UniqueConstraint("owner_id", "slug", "version"),
        Index("uq_scheme_team_id_slug_version", "team_id", "slug", "version", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text, default="")
    # The whole validated file, exactly as loaded: the rules engine reads this, never the file.
    content: Mapped[dict] = mapped_column(JSON)
    # NULL owner and team: shipped with the app (global); an owner: a user's own scheme; a team:
    # the team's (its leads publish versions, its members enrol; cpd_log/team_library/).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    team = relationship("Team")

    def __repr__(self) -> str:
        return f"<Scheme {self.slug} {self.version}>"


class Enrolment(db.Model):
    """A user following a scheme from a start date (e.g. PMP certified on 14 March 2025)."""

    __tablename__ = "enrolment"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(100))
    start_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    scheme: Mapped[Scheme] = relationship()
    cycles: Mapped[list["Cycle"]] = relationship(
        back_populates="enrolment",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Cycle.number",
    )


class Cycle(db.Model):
    __tablename__ = "cycle"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="end_after_start"),
        CheckConstraint("number >= 0", name="number_not_negative"),
        UniqueConstraint("enrolment_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"))
    # The scheme version this cycle is measured with; frozen once the cycle has ended.
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)

    enrolment: Mapped[Enrolment] = relationship(back_populates="cycles")
    scheme: Mapped[Scheme] = relationship()

    def is_closed(self, today: date) -> bool:
        return self.end_date < today


class Allocation(db.Model):
    """The user's own split of one activity in one cycle. Without rows, the scheme's default
    rules decide; with rows, exactly these minutes count (the split is "overridden")."""

    __tablename__ = "allocation"
    __table_args__ = (
        CheckConstraint("minutes >= 0", name="minutes_not_negative"),
        UniqueConstraint("cycle_id", "activity_id", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"))
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(String(64))
    minutes: Mapped[int] = mapped_column(Integer)
