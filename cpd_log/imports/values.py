"""Reading hours and dates the way people type them. Pure functions, no Flask.

Each parser raises ValueError with a sentence a user can act on.
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from cpd_log.common.dates import EARLIEST, LATEST

QUARTER = Decimal("0.25")

_CLOCK = re.compile(r"^(\d{1,3}):([0-5]\d)$")
# Numbers in either order (3/4/2026, 04.03.26, 12-26-2025), perhaps with a time after them.
_NUMERIC_DATE = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?:[ T]\S.*)?$")
# A date-time written ISO-style ("2017-08-23 23:48:01", "2025-03-14T09:12:44Z",
# "2023-01-26 16:48 UTC"): the date as written, whatever zone follows.
_ISO_DATETIME = re.compile(r"^(\d{4}-\d\d-\d\d)[T ]\d")
DAY_FIRST, MONTH_FIRST = "dmy", "mdy"
# Named months are unambiguous; numeric dates are read in the column's order (date_order).
DATE_FORMATS = (
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%Y/%m/%d",
)


def date_order_proof(values) -> tuple[set[str], int]:
    """The orders a column's numeric dates prove — 26/12/2025 proves day first (26 is no
    month), 12/26/2025 month first; empty when every value fits both or none is numeric — and
    how many values read as two different dates (3/4/2025). One pass."""
    proofs, ambiguous = set(), 0
    match = _NUMERIC_DATE.match
    for value in values:
        numeric = match(value)
        if numeric:
            first, second = int(numeric.group(1)), int(numeric.group(3))
            if first > 12 >= second:
                proofs.add(DAY_FIRST)
            elif second > 12 >= first:
                proofs.add(MONTH_FIRST)
            elif first != second and first <= 12 and second <= 12:
                ambiguous += 1
    return proofs, ambiguous


def is_ambiguous_date(text: str) -> bool:
    """Whether a value reads as two different dates (3/4/2025), so its order matters."""
    numeric = _NUMERIC_DATE.match(text.strip())
    return (
        bool(numeric)
        and numeric.group(1) != numeric.group(3)
        and (int(numeric.group(1)) <= 12 and int(numeric.group(3)) <= 12)
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


def parse_date(value, order: str = DAY_FIRST) -> date:
    """A date from a spreadsheet cell: a real date, ISO text (a date-time's date as written), a
    named month, or numbers in `order` (DAY_FIRST or MONTH_FIRST; rows.py decides per column)."""
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    else:
        text = str(value).strip()
        if not text:
            raise ValueError("Enter a date.")
        result = _parse_date_text(text, order)
    if not EARLIEST <= result <= LATEST:
        raise ValueError("Enter a date between 1900 and 2100.")
    return result


def _parse_date_text(text: str, order: str) -> date:
    if len(text) == 10 and text[4] == "-":
        try:  # the common case (ISO, our own export), without strptime's cost
            return date.fromisoformat(text)
        except ValueError:
            pass
    iso = _ISO_DATETIME.match(text)
    numeric = _NUMERIC_DATE.match(text)
    try:
        if iso:
            return date.fromisoformat(iso.group(1))
        if numeric:
            return _numeric_date(numeric, order)
    except ValueError:  # 31/02/2026: no such day
        pass
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"“{text[:30]}” is not a date we can read; use e.g. 2026-03-14 or 14/03/2026.")


def _numeric_date(numeric: re.Match, order: str) -> date:
    first, second, year = int(numeric.group(1)), int(numeric.group(3)), int(numeric.group(4))
    if len(numeric.group(4)) == 2:  # as strptime's %y: 69–99 are 1900s, 00–68 2000s
        year += 1900 if year >= 69 else 2000
    day, month = (first, second) if order == DAY_FIRST else (second, first)
    return date(year, month, day)


def round_to_quarter(minutes: float) -> int:
    """Calendar durations in whole quarter hours (the unit the log speaks), at least 15 minutes."""
    return max(15, int(round(minutes / 15)) * 15)
