"""Quick captures: activities logged in a few seconds that still want completing."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cpd_log.extensions import db
from cpd_log.models.activity import Activity
from cpd_log.models.types import utcnow


class QuickCapture(db.Model):
    """Marks an activity saved from "Log it now" until the user completes or dismisses it.

    A row of its own, not a flag on Activity, so the prompt disappears by deleting it and the
    activity itself stays an ordinary completed activity from the moment it is saved.
    """

    __tablename__ = "quick_capture"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    activity: Mapped[Activity] = relationship()

    def __repr__(self) -> str:
        return f"<QuickCapture {self.activity_id}>"
