"""Per-user monthly totals of activities, kept by database triggers (cpd_log/aggregates/)."""

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cpd_log.extensions import db


class MonthlyMinutes(db.Model):
    """Minutes and number of a user's activities that started in one calendar month, by kind and
    status (`month`: its first day).

    Never written by the application: the triggers on `activity` add and subtract each row as it
    is inserted, changed or deleted, whoever writes it (cpd_log/aggregates/triggers.py). A sum
    over a period reads at most one row per month and kind, however many activities there are.
    """

    __tablename__ = "monthly_minutes"
    __table_args__ = (CheckConstraint("activities >= 0", name="activities_not_negative"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    status: Mapped[str] = mapped_column(String(24), primary_key=True)
    minutes: Mapped[int] = mapped_column(Integer)
    activities: Mapped[int] = mapped_column(Integer)
