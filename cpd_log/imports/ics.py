"""Calendar files (.ics) from Outlook, Google Calendar, Eventbrite or Meetup, as preview events.

Pure: no Flask, no database. icalendar parses (time zones, VTIMEZONE blocks, Windows zone names);
recurring-ical-events expands RRULE/RDATE/EXDATE and moved occurrences (RECURRENCE-ID) in a window.
"""

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from cpd_log.imports.values import round_to_quarter

# An all-day event counts a working day of learning per day; the user edits it afterwards.
ALL_DAY_MINUTES = 7 * 60
MAX_EVENTS = 2000
_URL = re.compile(r"https?://[^\s<>\"']+")


class CalendarError(ValueError):
    """The file is not a calendar we can read; the message says why, for the user."""


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    title: str
    organiser: str
    start: str  # ISO date in the user's time zone
    end: str
    all_day: bool
    minutes: int
    location: str
    url: str
    online: bool
    description: str

    def as_dict(self) -> dict:
        return asdict(self)


def read_calendar(data: bytes, zone: ZoneInfo, window: tuple[date, date]) -> list[CalendarEvent]:
    """Every event (each occurrence of a recurring one) that starts inside `window`, by start."""
    if not data.strip():
        raise CalendarError("The file is empty.")
    try:
        calendar = icalendar.Calendar.from_ical(data)
        occurrences = recurring_ical_events.of(calendar).between(*window)
        events = []
        for component in occurrences:
            events.append(_event(component, zone))
            if len(events) > MAX_EVENTS:
                raise CalendarError(
                    f"The file holds more than {MAX_EVENTS} events in the last years; "
                    "export a shorter period."
                )
    except CalendarError:
        raise
    # A damaged file can fail deep inside either library in many ways; all mean "unreadable".
    except Exception as error:
        raise CalendarError(
            "This is not a complete calendar (.ics) file: it may be truncated or not a calendar "
            "export at all. Export it again and upload the whole file."
        ) from error
    return sorted(events, key=lambda e: (e.start, e.title))


def _event(component, zone: ZoneInfo) -> CalendarEvent:
    uid = str(component.get("UID") or "").strip()
    start = component.decoded("DTSTART")
    end = _end(component, start)
    recurrence = component.get("RECURRENCE-ID")
    anchor = recurrence.dt if recurrence is not None else start
    all_day = not isinstance(start, datetime)
    first, last, minutes = _span(start, end, zone)
    description = str(component.get("DESCRIPTION") or "")
    location = str(component.get("LOCATION") or "").strip()
    url = str(component.get("URL") or "").strip() or _first_url(location, description)
    if not uid:
        raise CalendarError("An event has no UID, so re-importing could not recognise it.")
    return CalendarEvent(
        uid=f"{uid}#{_iso(anchor)}"[:255],
        title=(str(component.get("SUMMARY") or "").strip() or "Untitled event")[:200],
        organiser=_organiser(component.get("ORGANIZER"))[:200],
        start=first.isoformat(),
        end=last.isoformat(),
        all_day=all_day,
        minutes=minutes,
        location=location[:500],
        url=url[:2000],
        online=_online(location, url),
        description=description[:5000],
    )


def _end(component, start):
    if component.get("DTEND") is not None:
        return component.decoded("DTEND")
    if component.get("DURATION") is not None:
        return start + component.decoded("DURATION")
    return start + timedelta(days=1) if not isinstance(start, datetime) else start


def _span(start, end, zone: ZoneInfo) -> tuple[date, date, int]:
    """First and last day in the user's zone, and the minutes it counts for."""
    if not isinstance(start, datetime):
        last = max(start, end - timedelta(days=1))
        return start, last, ALL_DAY_MINUTES * ((last - start).days + 1)
    local_start, local_end = _local(start, zone), _local(end, zone)
    first, last = local_start.date(), max(local_start.date(), local_end.date())
    seconds = max(0, (end - start).total_seconds())
    if seconds > 24 * 3600:  # a multi-day conference given as one long block
        return first, last, ALL_DAY_MINUTES * ((last - first).days + 1)
    return first, last, round_to_quarter(seconds / 60)


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    """Floating times (no zone) are taken as the user's own local time."""
    return moment.astimezone(zone) if moment.tzinfo else moment


def _iso(value) -> str:
    if isinstance(value, datetime) and value.tzinfo:
        return value.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")
    if isinstance(value, datetime):
        return value.strftime("%Y%m%dT%H%M%S")
    return value.strftime("%Y%m%d")


def _organiser(organizer) -> str:
    if organizer is None:
        return ""
    name = organizer.params.get("CN", "") if hasattr(organizer, "params") else ""
    return str(name or str(organizer).removeprefix("mailto:").removeprefix("MAILTO:")).strip()


def _first_url(*texts: str) -> str:
    for text in texts:
        match = _URL.search(text)
        if match:
            return match.group(0).rstrip(".,;)")
    return ""


def _online(location: str, url: str) -> bool:
    text = location.lower()
    return text.startswith("http") or any(
        word in text for word in ("online", "teams", "zoom", "webinar", "google meet")
    )
