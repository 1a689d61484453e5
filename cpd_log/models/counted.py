"""What each activity counts in each cycle, kept between views (cpd_log/schemes/kept.py)."""

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cpd_log.extensions import db


class CountedActivity(db.Model):
    """One completed activity that ended within a cycle: what of it counts there, after the
    per-activity limits and each category's step (rules.Counted). Written by kept.py only; the
    cycle's totals are SQL sums of these rows."""

    __tablename__ = "counted_activity"

    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("cycle.id", ondelete="CASCADE"), primary_key=True
    )
    activity_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)  # the day the activity ended
    minutes: Mapped[int] = mapped_column(Integer)  # counted, all categories
    counts: Mapped[bool] = mapped_column(Boolean)
    below: Mapped[bool] = mapped_column(Boolean)
    capped: Mapped[bool] = mapped_column(Boolean)


class CountedShare(db.Model):
    """Minutes of one activity that count toward one leaf category of a cycle."""

    __tablename__ = "counted_share"

    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("cycle.id", ondelete="CASCADE"), primary_key=True
    )
    activity_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(64), primary_key=True)
    minutes: Mapped[int] = mapped_column(Integer)


class CountedBasis(db.Model):
    """What a cycle's kept rows were counted with (a digest of its span, scheme rules and the
    crosswalk steps into the scheme's framework): another basis means counting it again."""

    __tablename__ = "counted_basis"

    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("cycle.id", ondelete="CASCADE"), primary_key=True
    )
    basis: Mapped[str] = mapped_column(String(64))


class CountedDirty(db.Model):
    """An activity of the user whose kept rows may be out of date: written by the triggers of
    cpd_log/schemes/kept_triggers.py in the same transaction as each write, taken by kept.py.
    No foreign keys: a deleted activity, or a deleted user's, is marked too (the marks of a
    deleted user are never read again)."""

    __tablename__ = "counted_dirty"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class CountedTotal(db.Model):
    """A cycle's kept minutes of one category: the sum of its counted_share rows, kept by
    triggers on counted_share (kept_triggers.py), so a page reads one row per category."""

    __tablename__ = "counted_total"

    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("cycle.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(64), primary_key=True)
    minutes: Mapped[int] = mapped_column(Integer)


class CountedDay(db.Model):
    """A cycle's kept activities that ended on one day, summed (triggers on counted_activity):
    a page sums its stretches of days from at most one row a day."""

    __tablename__ = "counted_day"

    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("cycle.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    minutes: Mapped[int] = mapped_column(Integer)
    counts: Mapped[int] = mapped_column(Integer)
    below: Mapped[int] = mapped_column(Integer)
    capped: Mapped[int] = mapped_column(Integer)
    activities: Mapped[int] = mapped_column(Integer)
