"""What a digest says: the cycles ending within 90 days with a rule unmet and the pace needed,
the next best learning for them, quick captures to complete, "How did you apply it?" prompts due
and the comments and sign-offs received since the last digest. Every part is read by the code
the dashboard uses (schemes/progress, next_best, capture, reflections/apply_queue): nothing is
counted again here."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from cpd_log.capture.services import pending_captures
from cpd_log.extensions import db
from cpd_log.models import Activity, Portfolio, Review
from cpd_log.next_best.services import Shown, suggestions
from cpd_log.reflections.apply_queue import Prompt, apply_queue
from cpd_log.schemes.progress import CycleView, dashboard_cycles
from cpd_log.schemes.rules import NOT_MET

REVIEWS_SHOWN = 10


@dataclass(frozen=True)
class CycleNote:
    label: str
    end: date
    days_left: int
    unmet: tuple[str, ...]  # the labels of the rules not met
    pace: tuple[str, ...]  # the projection's sentences: finish date, what is needed a month
    cycle_id: int


@dataclass(frozen=True)
class ReviewNote:
    portfolio_id: int
    portfolio: str
    reviewer: str
    signed_off: bool
    comment: str


@dataclass(frozen=True)
class Contents:
    cycles: list[CycleNote]
    next_best: list[Shown]
    captures: list[Activity]
    prompts: list[Prompt]
    prompts_total: int
    reviews: list[ReviewNote]

    @property
    def empty(self) -> bool:
        """Nothing to say: no digest is sent."""
        return not (self.cycles or self.captures or self.prompts or self.reviews)


def gather(user, today: date, since: datetime) -> Contents:
    """The digest for `user` on `today`; reviews are those left after `since`."""
    views = dashboard_cycles(user, today)
    ending = [view for view in views if view.warning]
    prompts, total = apply_queue(user, today)
    return Contents(
        cycles=[_note(view) for view in ending],
        next_best=suggestions(user, ending) if ending else [],
        captures=pending_captures(user),
        prompts=prompts,
        prompts_total=total,
        reviews=reviews_since(user, since),
    )


def _note(view: CycleView) -> CycleNote:
    unmet = tuple(rule.label for rule in view.progress.rules if rule.status == NOT_MET)
    pace = view.projection.sentences if view.projection else ()
    info = view.cycle
    return CycleNote(info.label, info.end, view.days_left, unmet, pace, info.id)


def reviews_since(user, since: datetime) -> list[ReviewNote]:
    """Comments and sign-offs on the user's portfolios left after `since`, newest first."""
    rows = db.session.execute(
        select(Review, Portfolio.title)
        .join(Portfolio, Portfolio.id == Review.portfolio_id)
        .where(Review.user_id == user.id, Review.created_at > since)
        .order_by(Review.created_at.desc(), Review.id.desc())
        .limit(REVIEWS_SHOWN)
    )
    return [
        ReviewNote(
            review.portfolio_id, title, review.reviewer_name, review.signed_off, review.comment
        )
        for review, title in rows
    ]
