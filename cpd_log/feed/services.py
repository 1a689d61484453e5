"""The feed's secret address: 256 random bits, only its SHA-256 stored. A new address replaces
the old (which then answers 404), revoking deletes it. Services flush; views commit."""

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cpd_log.auth.sessions import token_hash
from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityStatus, User
from cpd_log.models.reminder import CalendarFeed
from cpd_log.models.scheme import Cycle
from cpd_log.reflections.apply_queue import schedule

# Tokens are 43 characters; anything much longer names nothing and is not hashed.
MAX_TOKEN_CHARS = 100
# Cycles that ended this long ago still show (the calendar keeps its history); planned
# activities from this far back too.
CYCLES_BACK = timedelta(days=366)
PLANNED_BACK = timedelta(days=90)
LIMIT = 500  # planned activities and apply prompts, each


def has_feed(user) -> bool:
    return db.session.get(CalendarFeed, user.id) is not None


def new_address(user) -> str:
    """A new secret token for the user's feed (the old one stops working)."""
    token = secrets.token_urlsafe(32)
    row = db.session.get(CalendarFeed, user.id)
    if row is None:
        row = CalendarFeed(user_id=user.id)
        db.session.add(row)
    row.token_hash = token_hash(token)
    row.created_at = datetime.now(UTC)
    db.session.flush()
    return token


def revoke(user) -> None:
    row = db.session.get(CalendarFeed, user.id)
    if row is not None:
        db.session.delete(row)
        db.session.flush()


def owner_of(token: str) -> User | None:
    """The account whose feed this token opens, or None."""
    if len(token) > MAX_TOKEN_CHARS:
        return None
    return db.session.scalar(
        select(User).join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(CalendarFeed.token_hash == token_hash(token))
    )  # fmt: skip


def cycles(user, today) -> list[Cycle]:
    """The user's cycles that end from a year ago on, with their enrolment (for the label)."""
    return list(
        db.session.scalars(
            select(Cycle)
            .where(Cycle.user_id == user.id, Cycle.end_date >= today - CYCLES_BACK)
            .options(selectinload(Cycle.enrolment))
            .order_by(Cycle.end_date, Cycle.id)
        )
    )


def planned(user, today) -> list[Activity]:
    return list(
        db.session.scalars(
            select(Activity)
            .where(Activity.user_id == user.id, Activity.status == ActivityStatus.PLANNED)
            .where(Activity.start_date >= today - PLANNED_BACK)
            .order_by(Activity.start_date, Activity.id)
            .limit(LIMIT)
        )
    )


def prompts(user, today):
    return schedule(user, today, LIMIT)
