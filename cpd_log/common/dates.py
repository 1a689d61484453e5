"""The user's own time zone and today's date in it: every "today" in the app comes from here."""

from datetime import date, datetime
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
