"""What is wrong with one calendar event, in the user's words, so the rest can still be imported.

Pure: no Flask, no database. icalendar keeps a value it cannot read as `vBroken` (its text and
the parse error) instead of failing the file; an unknown TZID becomes a floating time. Each of
those, a missing start or UID, and an event that ends before it starts makes the event skipped
with its reason (issue 16, class 8), never the whole file refused.
"""

import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar.prop import vBroken
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

MAX_RECURRING = 200  # VEVENTs with a rule
MAX_RULE_TIMES_A_DAY = 4  # BYHOUR × BYMINUTE × BYSECOND values of one rule
RULE_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
# The properties whose values decide when an event happens, and how the user would name them.
DATE_PROPERTIES = {
    "DTSTART": "start (DTSTART)",
    "DTEND": "end (DTEND)",
    "DURATION": "duration (DURATION)",
    "RRULE": "repeat rule (RRULE)",
    "RDATE": "extra dates (RDATE)",
    "EXDATE": "excluded dates (EXDATE)",
    "RECURRENCE-ID": "original date of a moved occurrence (RECURRENCE-ID)",
}
ZONED = ("DTSTART", "DTEND", "RECURRENCE-ID")
_FIELD = {
    name: re.compile(rb"^" + name + rb"(?:;[^\r\n:]*)?:([^\r\n]*)", re.I | re.M)
    for name in (b"UID", b"SUMMARY")
}


class CalendarError(ValueError):
    """The file is not a calendar we can read; the message says why, for the user."""


@dataclass(frozen=True)
class SkippedEvent:
    uid: str
    title: str
    reason: str

    def as_dict(self) -> dict:
        return asdict(self)


def unreadable(block: bytes) -> SkippedEvent:
    """An event block icalendar could not parse at all, named from its raw UID and SUMMARY."""
    uid, title = (_raw(block, name) for name in (b"UID", b"SUMMARY"))
    return SkippedEvent(uid, title or "Untitled event", "its lines cannot be read")


def problem(component, broken_zones: set[str]) -> SkippedEvent | None:
    """Why this event cannot be imported, or None when it can."""
    reason = _reason(component, broken_zones)
    if reason is None:
        return None
    title = (str(component.get("SUMMARY") or "").strip() or "Untitled event")[:200]
    return SkippedEvent(str(component.get("UID") or "").strip()[:255], title, reason)


def _reason(component, broken_zones: set[str]) -> str | None:
    found = dict(component.items())  # plain look-ups: icalendar's upper-case each key
    if not str(found.get("UID") or "").strip():
        return "it has no UID, so a re-import could not recognise it"
    for name, label in DATE_PROPERTIES.items():
        for value in _values(found.get(name)):
            if isinstance(value, vBroken):
                return f"its {label} “{str(value)[:80]}” cannot be read"
    if found.get("DTSTART") is None:
        return "it has no start (DTSTART)"
    if any(not rule.get("FREQ") for rule in _values(found.get("RRULE"))):
        return "its repeat rule (RRULE) says not how often (no FREQ)"
    for name in ZONED:
        zone = _unknown_zone(found.get(name))
        if zone and zone in broken_zones:
            return f"its time zone “{zone[:80]}” is defined wrongly in the file"
        if zone:
            return f"its time zone “{zone[:80]}” is neither defined in the file nor one we know"
    return _ends_before_start(component)


def _values(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _unknown_zone(value) -> str:
    """The TZID a date-time names when it was not resolved (icalendar left it floating)."""
    if value is None or not hasattr(value, "params"):
        return ""
    zone = str(value.params.get("TZID") or "")
    moment = getattr(value, "dt", None)
    return zone if zone and isinstance(moment, datetime) and moment.tzinfo is None else ""


def _ends_before_start(component) -> str | None:
    start = component.decoded("DTSTART")
    if component.get("DTEND") is not None:
        end = component.decoded("DTEND")
    elif component.get("DURATION") is not None:
        duration = component.decoded("DURATION")
        if isinstance(duration, timedelta) and duration < timedelta(0):
            return "its duration (DURATION) is negative"
        return None
    else:
        return None
    try:
        before = end < start
    except TypeError:  # a date against a date-time, or a floating time against a zoned one
        return None
    return "it ends (DTEND) before it starts (DTSTART)" if before else None


def _raw(block: bytes, name: bytes) -> str:
    match = _FIELD[name].search(block)
    return match.group(1).decode("utf-8", "replace").strip()[:200] if match else ""


def check_rules(components: list) -> None:
    """Refuse rules that would repeat more often than learning does, before any is expanded."""
    recurring = 0
    for component in components:
        rules = component.get("RRULE")
        rules = rules if isinstance(rules, list) else [rules] if rules is not None else []
        recurring += bool(rules)
        title = str(component.get("SUMMARY") or "an event")[:80]
        for rule in rules:
            frequency = "".join(rule.get("FREQ") or [])
            if frequency.upper() not in RULE_FREQUENCIES:
                raise CalendarError(
                    f"“{title}” repeats {frequency.lower() or 'with no frequency'}; events that "
                    "repeat more than once a day cannot be imported. Remove it and export again."
                )
            times = 1
            for part in ("BYHOUR", "BYMINUTE", "BYSECOND"):
                times *= max(1, len(rule.get(part) or []))
            if times > MAX_RULE_TIMES_A_DAY:
                raise CalendarError(
                    f"“{title}” repeats {times} times a day; at most "
                    f"{MAX_RULE_TIMES_A_DAY} can be imported. Remove it and export again."
                )
    if recurring > MAX_RECURRING:
        raise CalendarError(
            f"The file holds more than {MAX_RECURRING} repeating events; export a shorter period."
        )


def known_zone(name: str) -> bool:
    """An IANA or Windows zone name ("GMT Standard Time"): icalendar then resolves it to the
    IANA zone, and its VTIMEZONE is not parsed. A VTIMEZONE becomes a dateutil zone that walks
    its rules from 1601 at every conversion: 2 ms each, a third of the time a 500-event file
    took; and Outlook's VTIMEZONE holds only today's rule, the IANA zone every year's."""
    if name in WINDOWS_TO_OLSON:
        return True
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True
