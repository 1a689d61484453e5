"""Send the due digests: at most once per user and period, whatever is killed when.

Each digest goes through a row of `digest` (unique per user and period), committed at every step:

1. **claim** — insert the row as `claimed` with this run's random mark (the unique pair makes a
   second run's insert fail), or take over a row another run left `claimed`: a run killed
   before it handed anything to the mail server, so no mail can have gone out;
2. **nothing to say** — the row is deleted (a later run in the period may have something);
3. **sending** — `claimed` → `sending` by compare-and-set on the mark, committed *before* the
   SMTP conversation: of two runs holding the same row, only one gets here;
4. **sent** — after the server accepted the message.

A row left `sending` (killed, or an error, during the SMTP conversation) is never sent again:
the server may already have the mail, and the issue says never twice. So delivery is
*at most once*: a kill in that window (one SMTP conversation, well under a second) can cost the
user that period's digest; the command counts such rows as "uncertain" and logs them. A refused
connection (nothing was transmitted) puts the row back to `claimed`, so the next run retries it.
"""

import logging
import secrets
import smtplib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from cpd_log.common.dates import today_for
from cpd_log.extensions import db
from cpd_log.mail.sending import compose, link
from cpd_log.models import User
from cpd_log.models.reminder import Digest, DigestState, Frequency, ReminderSetting
from cpd_log.reminders import content, unsubscribe
from cpd_log.reminders.periods import first_look_back, period_key

logger = logging.getLogger("cpd_log.reminders")
# Errors that mean the server never got the message: the digest may be tried again.
NOT_TRANSMITTED = (ConnectionRefusedError, smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)


@dataclass
class Report:
    sent: int = 0
    empty: int = 0  # nothing to say: not sent
    done: int = 0  # already sent (or being sent) this period
    uncertain: list[int] = field(default_factory=list)  # digest ids left `sending` by this run

    def line(self) -> str:
        return (
            f"sent {self.sent}, nothing to say {self.empty}, already done {self.done}, "
            f"uncertain {len(self.uncertain)}"
        )


def due_users() -> list[tuple[int, Frequency]]:
    """(user id, frequency) of every verified account that asked for digests."""
    rows = db.session.execute(
        select(User.id, ReminderSetting.frequency)
        .join(ReminderSetting, ReminderSetting.user_id == User.id)
        .where(ReminderSetting.frequency != Frequency.OFF, User.verified_at.is_not(None))
        .order_by(User.id)
    )
    return [(user_id, Frequency(frequency)) for user_id, frequency in rows]


def send_due(report: Report | None = None) -> Report:
    """One pass over every due user (see the module). Needs a request context for links."""
    report = report or Report()
    for user_id, frequency in due_users():
        send_one(user_id, frequency, report)
    return report


def send_one(user_id: int, frequency: Frequency, report: Report) -> None:
    user = db.session.get(User, user_id)
    if user is None or user.verified_at is None:
        return
    period = period_key(frequency, today_for(user))
    mark = secrets.token_hex(16)
    digest_id = claim(user.id, period, mark)
    if digest_id is None:
        report.done += 1
        return
    message = _message(user, frequency)
    if message is None:
        db.session.execute(delete(Digest).where(Digest.id == digest_id, Digest.claim == mark))
        db.session.commit()
        report.empty += 1
        return
    if not advance(digest_id, mark, DigestState.CLAIMED, DigestState.SENDING):
        report.done += 1  # another run took it over and is sending it
        return
    _deliver(message, digest_id, mark, report)


def claim(user_id: int, period: str, mark: str) -> int | None:
    """The digest row's id, now held by `mark`; None when it is sent or being sent."""
    try:
        row = Digest(user_id=user_id, period=period, state=DigestState.CLAIMED, claim=mark)
        db.session.add(row)
        db.session.commit()
        return row.id
    except IntegrityError:
        db.session.rollback()
    mine = (Digest.user_id == user_id, Digest.period == period)
    taken = db.session.execute(
        update(Digest)
        .where(*mine, Digest.state == DigestState.CLAIMED)
        .values(claim=mark, claimed_at=datetime.now(UTC))
    ).rowcount
    db.session.commit()
    return db.session.scalar(select(Digest.id).where(*mine)) if taken else None


def advance(digest_id: int, mark: str, before: DigestState, after: DigestState, **values) -> bool:
    """Compare-and-set: the row moves only while `mark` holds it in state `before`."""
    result = db.session.execute(
        update(Digest)
        .where(Digest.id == digest_id, Digest.claim == mark, Digest.state == before)
        .values(state=after, **values)
    )
    db.session.commit()
    return result.rowcount == 1


def _deliver(message, digest_id: int, mark: str, report: Report) -> None:
    try:
        message.send(fail_silently=False)
    except NOT_TRANSMITTED:
        logger.warning(
            "digest %s: the mail server could not be reached; retried next run", digest_id
        )
        advance(digest_id, mark, DigestState.SENDING, DigestState.CLAIMED)
        raise
    except Exception:
        logger.exception("digest %s: sending failed midway; not sent again", digest_id)
        report.uncertain.append(digest_id)
        raise
    advance(digest_id, mark, DigestState.SENDING, DigestState.SENT, sent_at=datetime.now(UTC))
    report.sent += 1


def _since(user_id: int, frequency: Frequency) -> datetime:
    """Reviews newer than the last digest sent, or than one period ago."""
    last = db.session.scalar(
        select(Digest.claimed_at)
        .where(Digest.user_id == user_id, Digest.state == DigestState.SENT)
        .order_by(Digest.claimed_at.desc())
        .limit(1)
    )
    return last or first_look_back(frequency)


def _message(user: User, frequency: Frequency):
    """The digest mail, or None when there is nothing to say."""
    found = content.gather(user, today_for(user), _since(user.id, frequency))
    if found.empty:
        return None
    token = unsubscribe.token_for(user)
    address = link("reminders.unsubscribe", token=token)
    message = compose(
        "reminder_digest", user.email, user=user, digest=found, frequency=frequency,
        unsubscribe_url=address, link=link,
    )  # fmt: skip
    message.extra_headers["List-Unsubscribe"] = f"<{address}>"
    message.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message
