"""Reading hours and dates the way people type them. Pure functions, no Flask.

Each parser raises ValueError with a sentence a user can act on.
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from cpd_log.common.dates import EARLIEST, LATEST

QUARTER = Decimal("0.25")

_CLOCK = re.compile(r"^(\d{1,3}):([0-5]\d)$")
# Day first for slashes and dots: the app's users write 03/04/2026 for 3 April (UK/EU habit);
# ISO dates are unambiguous and always accepted first.
DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%d/%m/%y",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%Y/%m/%d",
)


def parse_minutes(text: str) -> int:
    """'1.5', '1,5' and '1:30' are all 90 minutes; steps of 15 minutes, more than zero."""
    value = str(text).strip()
    if not value:
        raise ValueError("Enter the hours, e.g. 1.5.")
    clock = _CLOCK.match(value)
    if clock:
        minutes = int(clock.group(1)) * 60 + int(clock.group(2))
        hours = Decimal(minutes) / 60
    else:
        try:
            hours = Decimal(value.replace(",", "."))
        except InvalidOperation:
            raise ValueError(
                f"“{value[:20]}” is not a number of hours (e.g. 1.5 or 1:30)."
            ) from None
        if not hours.is_finite():
            raise ValueError("Enter the hours as a number, e.g. 1.5.")
    if hours <= 0:
        raise ValueError("Enter more than 0 hours.")
    if hours > 24 * 366:  # checked before the step: a huge value overflows Decimal's modulo
        raise ValueError("That is more hours than a year holds.")
    if hours % QUARTER:
        raise ValueError("Use steps of 0.25 hours (15 minutes), e.g. 1.25 or 1:15.")
    return int(hours * 60)


def parse_date(value) -> date:
    """A date from a spreadsheet cell: a real date, ISO text, or a common day-first format."""
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    else:
        text = str(value).strip()
        if not text:
            raise ValueError("Enter a date.")
        result = _parse_date_text(text)
    if not EARLIEST <= result <= LATEST:
        raise ValueError("Enter a date between 1900 and 2100.")
    return result


def _parse_date_text(text: str) -> date:
    if len(text) == 10 and text[4] == "-":
        try:  # the common case (ISO, our own export), without strptime's cost
            return date.fromisoformat(text)
        except ValueError:
            pass
    candidate = text.split("T", 1)[0] if re.match(r"^\d{4}-\d\d-\d\dT", text) else text
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(candidate, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"“{text[:30]}” is not a date we can read; use e.g. 2026-03-14 or 14/03/2026.")


def round_to_quarter(minutes: float) -> int:
    """Calendar durations in whole quarter hours (the unit the log speaks), at least 15 minutes."""
    return max(15, int(round(minutes / 15)) * 15)
