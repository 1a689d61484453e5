"""The period a digest belongs to, in the user's own calendar: an ISO week or a month."""

from datetime import UTC, date, datetime, timedelta

from cpd_log.models.reminder import Frequency

# Reviews are looked for this far back when the user has had no digest yet.
FIRST_LOOK_BACK = {Frequency.WEEKLY: timedelta(days=7), Frequency.MONTHLY: timedelta(days=31)}


def period_key(frequency: Frequency, today: date) -> str:
    """ "2026-W49" (weekly) or "2026-12" (monthly): one digest per user and key."""
    if frequency == Frequency.WEEKLY:
        year, week, _ = today.isocalendar()
        return f"{year}-W{week:02d}"
    if frequency == Frequency.MONTHLY:
        return f"{today.year}-{today.month:02d}"
    raise ValueError(f"no digest period for {frequency}")


def first_look_back(frequency: Frequency, now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)) - FIRST_LOOK_BACK[frequency]
