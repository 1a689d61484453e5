"""Appraisals: a member submits a saved portfolio to an appraiser of a team they are in (issue 18).

What the appraiser reads is a **snapshot** taken at submission (`Appraisal.snapshot`: the
portfolio's activities, reflections and scheme rules as they were, built by
cpd_log/appraisals/snapshot.py), never the member's live log: later edits do not change what was
signed, and the appraiser cannot reach anything that was not submitted. A resubmission after a
return takes a new snapshot and starts a new round; comments and events keep the round they
belong to.

Names (team, appraiser, author) are copied onto the rows, so the history and the sign-off the
member's PDF prints survive the team's deletion, the appraiser leaving or deleting their account
(the foreign keys are SET NULL). Deleting the member's account deletes their appraisals.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cpd_log.extensions import db
from cpd_log.models.types import utcnow

NAME_MAX = 100  # a display name (User.display_name) or a team name
COMMENT_MAX = 5000


def _enum(enum_cls: type[StrEnum], name: str) -> Enum:
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        name=name,
        length=16,
        values_callable=lambda e: [m.value for m in e],
    )


class AppraisalState(StrEnum):
    SUBMITTED = "submitted"
    RETURNED = "returned"
    SIGNED_OFF = "signed_off"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {
            "submitted": "Awaiting the appraiser",
            "returned": "Returned",
            "signed_off": "Signed off",
            "withdrawn": "Withdrawn",
        }[self]


class AppraisalEventKind(StrEnum):
    SUBMITTED = "submitted"
    RESUBMITTED = "resubmitted"
    RETURNED = "returned"
    SIGNED_OFF = "signed_off"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {
            "submitted": "Submitted",
            "resubmitted": "Resubmitted",
            "returned": "Returned",
            "signed_off": "Signed off",
            "withdrawn": "Withdrawn",
        }[self]


class Appraisal(db.Model):
    __tablename__ = "appraisal"
    __table_args__ = (
        CheckConstraint("round >= 1", name="round_positive"),
        CheckConstraint(
            "period_to IS NULL OR period_from IS NULL OR period_to >= period_from",
            name="period_in_order",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The member: the owner (cpd_log/access.py `owned`).
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="SET NULL"), index=True
    )
    appraiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    # The saved portfolio it came from: its later PDFs print the sign-off.
    portfolio_id: Mapped[int | None] = mapped_column(
        ForeignKey("portfolio.id", ondelete="SET NULL"), index=True
    )
    team_name: Mapped[str] = mapped_column(String(NAME_MAX))
    appraiser_name: Mapped[str] = mapped_column(String(NAME_MAX))
    title: Mapped[str] = mapped_column(String(200))
    period_from: Mapped[date | None] = mapped_column(Date)
    period_to: Mapped[date | None] = mapped_column(Date)
    cycle_label: Mapped[str] = mapped_column(String(300), default="")
    round: Mapped[int] = mapped_column(Integer, default=1)
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[AppraisalState] = mapped_column(_enum(AppraisalState, "appraisal_state"))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When the appraiser signed off, returned, or the member withdrew (None while submitted).
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    events: Mapped[list["AppraisalEvent"]] = relationship(
        passive_deletes=True, order_by="AppraisalEvent.id"
    )
    comments: Mapped[list["AppraisalComment"]] = relationship(
        passive_deletes=True, order_by="AppraisalComment.id"
    )

    @property
    def period(self) -> str:
        start, end = self.period_from, self.period_to
        if start and end:
            return f"{start:%-d %b %Y} – {end:%-d %b %Y}"
        if start:
            return f"From {start:%-d %b %Y}"
        if end:
            return f"Until {end:%-d %b %Y}"
        return "All dates"


class AppraisalEvent(db.Model):
    """One step of the history: who did what, when, in which round (and why, for a return)."""

    __tablename__ = "appraisal_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    appraisal_id: Mapped[int] = mapped_column(
        ForeignKey("appraisal.id", ondelete="CASCADE"), index=True
    )
    round: Mapped[int] = mapped_column(Integer)
    kind: Mapped[AppraisalEventKind] = mapped_column(
        _enum(AppraisalEventKind, "appraisal_event_kind")
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(NAME_MAX))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AppraisalComment(db.Model):
    """The appraiser's comment on one submitted activity (`activity_id`: its id in the snapshot,
    deliberately no foreign key) or on the whole submission (None)."""

    __tablename__ = "appraisal_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    appraisal_id: Mapped[int] = mapped_column(
        ForeignKey("appraisal.id", ondelete="CASCADE"), index=True
    )
    round: Mapped[int] = mapped_column(Integer)
    activity_id: Mapped[int | None] = mapped_column(Integer)
    activity_title: Mapped[str] = mapped_column(String(200), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(NAME_MAX))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
