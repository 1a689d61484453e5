"""The user's own time zone and today's date in it: every "today" in the app comes from here."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The dates every form and import accepts: what the database, the PDF and spreadsheets all handle.
EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)


def zone_for(user) -> ZoneInfo:
    """The user's time zone; UTC when none is set or the stored name is unknown."""
    try:
        return ZoneInfo(user.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def today_for(user) -> date:
    """Today in the user's own time zone (an activity logged at 23:30 in Sydney is today there)."""
    return datetime.now(zone_for(user)).date()


def time_ago(moment: datetime | None, now: datetime | None = None) -> str:
    """How long ago, roughly, for people: "just now", "5 minutes ago", "3 hours ago",
    "2 days ago", and the date itself after 30 days. A naive time is UTC (SQLite's)."""
    if moment is None:
        return ""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    seconds = max(0, ((now or datetime.now(UTC)) - moment).total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if unit == "day" and seconds >= 30 * size:
            return moment.strftime("%-d %b %Y")
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count > 1 else ''} ago"
    return "just now"
