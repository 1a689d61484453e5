"""Share links: a reviewer reads one portfolio through an unguessable token, until it expires.

The token is 256 bits from `secrets` and only its SHA-256 is stored, so a leaked database does not
leak working links. A link is looked up by hash; its state (active, expired, revoked) is decided
here, in one place, for the page and for each download.
"""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update

from cpd_log.extensions import db
from cpd_log.models import Portfolio, Review, ShareLink


class LinkState(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_link(
    portfolio: Portfolio, days: int, now: datetime | None = None
) -> tuple[ShareLink, str]:
    """A new link for `portfolio`; returns it and the token (shown once, never stored)."""
    token = secrets.token_urlsafe(32)
    now = now or datetime.now(UTC)
    link = ShareLink(
        user_id=portfolio.user_id,
        portfolio_id=portfolio.id,
        token_hash=token_hash(token),
        created_at=now,
        expires_at=now + timedelta(days=days),
        views=0,
    )
    db.session.add(link)
    db.session.flush()
    return link, token


def find_link(token: str) -> ShareLink | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(ShareLink).where(ShareLink.token_hash == token_hash(token)))


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def state(link: ShareLink, now: datetime | None = None) -> LinkState:
    if link.revoked_at is not None:
        return LinkState.REVOKED
    if _aware(link.expires_at) <= (now or datetime.now(UTC)):
        return LinkState.EXPIRED
    return LinkState.ACTIVE


def record_view(link: ShareLink) -> None:
    """Count the view in SQL (`views + 1`), so simultaneous views are all counted."""
    now = datetime.now(UTC)
    db.session.execute(
        update(ShareLink)
        .where(ShareLink.id == link.id)
        .values(views=ShareLink.views + 1, last_viewed_at=now)
    )
    db.session.flush()


def revoke(link: ShareLink) -> None:
    if link.revoked_at is None:
        link.revoked_at = datetime.now(UTC)
    db.session.flush()


def add_review(link: ShareLink, data: dict) -> Review:
    review = Review(
        user_id=link.user_id,
        portfolio_id=link.portfolio_id,
        share_link_id=link.id,
        reviewer_name=data["reviewer_name"].strip(),
        reviewer_role=(data.get("reviewer_role") or "").strip(),
        comment=(data.get("comment") or "").strip(),
        signed_off=bool(data.get("signed_off")),
    )
    db.session.add(review)
    db.session.flush()
    return review
