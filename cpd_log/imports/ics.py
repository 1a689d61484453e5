"""Calendar files (.ics) from Outlook, Google Calendar, Eventbrite or Meetup, as preview events.

Pure: no Flask, no database. ics_scan.py cuts the file into blocks and keeps the events that may
fall in the import window; icalendar parses each of those on its own (time zones, VTIMEZONE
blocks; Windows zone names resolve to their IANA zone); recurring-ical-events expands RRULE/RDATE/
EXDATE and moved occurrences (RECURRENCE-ID) in the window. An event that cannot be read is
skipped with its reason (ics_checks.py) and the rest is offered (issue 16, class 8); a file whose
blocks do not pair up is refused whole as truncated.

Budget (issue 10, defect 6: a 226-byte FREQ=MINUTELY file grew past 3.4 GB, a 50,000-event file took
21 s and 390 MB). Applied in this order, each before the work it bounds:
- MAX_COMPONENTS event blocks, counted in the bytes before anything parses them;
- one-off events certainly inside the window, counted in the bytes: more than MAX_EVENTS refused;
- recurrence rules: at most MAX_RECURRING, no repetition finer than a day, at most
  MAX_RULE_TIMES_A_DAY times a day (a learning activity does not repeat every minute);
- occurrences taken series by series from generators and refused at MAX_EVENTS + 1, so the list
  never grows past the cap (recurring-ical-events' `between()` would build it whole);
- PARSE_SECONDS of wall clock for all of it (cpd_log/imports/budget.py).
Measured by tests/imports/test_budgets.py: peak ≤ PEAK_MB, time ≤ PARSE_SECONDS; and by
`python -m bench.calendar`: a 5,000-event, 1.7 MB export with ≈500 events in the window, upload
to import through the pages, 6.4 s → 1.7 s wall on a loaded 2-core machine (CPU 1.9 → 0.4 s).
"""

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from cpd_log.common.web_urls import web_url_or_blank
from cpd_log.imports.budget import time_budget
from cpd_log.imports.ics_checks import (
    CalendarError,
    SkippedEvent,
    check_rules,
    known_zone,
    problem,
    unreadable,
)
from cpd_log.imports.ics_scan import NOT_A_CALENDAR, split_calendar
from cpd_log.imports.values import round_to_quarter

# An all-day event counts a working day of learning per day; the user edits it afterwards.
ALL_DAY_MINUTES = 7 * 60
MAX_EVENTS = 2000  # occurrences inside the window, offered to choose from
MAX_COMPONENTS = 5000  # VEVENT blocks in the file (an Outlook export of 3 busy years: ≈3,000)
PARSE_SECONDS = 5
WINDOW_YEARS_BACK = 3
MAX_SKIPPED_LISTED = 100  # skipped events named in the preview; the rest are counted
PEAK_MB = 200  # measured ≈ 60 MB for MAX_COMPONENTS one-hour events
_VEVENT = re.compile(rb"^BEGIN:VEVENT\r?$", re.IGNORECASE | re.MULTILINE)
_TZID = re.compile(rb"^TZID(?:;[^\r\n:]*)?:([^\r\n]*)", re.IGNORECASE | re.MULTILINE)
TOO_MANY_EVENTS = (
    f"The file holds more than {MAX_EVENTS} events in the last years; export a shorter period."
)
UNEXPANDABLE = "its dates or repeat rule could not be worked out"
_URL = re.compile(r"https?://[^\s<>\"']+")


def import_window(today: date) -> tuple[date, date]:
    """The days whose events are offered: the last WINDOW_YEARS_BACK years and the next one
    (from 29 February, back to the 28th)."""
    day = today.day if (today.month, today.day) != (2, 29) else 28
    return today.replace(year=today.year - WINDOW_YEARS_BACK, day=day), today + timedelta(365)


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


@dataclass(frozen=True)
class CalendarRead:
    events: list[CalendarEvent]  # by start
    skipped: list[SkippedEvent]  # events that could not be read, each with its reason


def count_events(data: bytes) -> int:
    """The file's event blocks, counted in the bytes before anything parses them; a CalendarError
    for an empty file or one of more than MAX_COMPONENTS (refused before any other work)."""
    if not data.strip():
        raise CalendarError("The file is empty.")
    blocks = len(_VEVENT.findall(data))
    if blocks > MAX_COMPONENTS:
        raise CalendarError(
            f"The file holds more than {MAX_COMPONENTS:,} events; export a shorter period."
        )
    return blocks


def read_calendar(data: bytes, zone: ZoneInfo, window: tuple[date, date]) -> CalendarRead:
    """Every event (each occurrence of a recurring one) that starts inside `window`, by start;
    and the events that could not be read, with why."""
    count_events(data)
    too_slow = CalendarError(
        f"Reading this calendar took longer than {PARSE_SECONDS} seconds; export a shorter period."
    )
    with time_budget(PARSE_SECONDS, too_slow) as budget:
        try:
            blocks = split_calendar(data, window)
            if len(blocks.inside) > MAX_EVENTS:
                raise CalendarError(TOO_MANY_EVENTS)
            shell, broken_zones = _shell(blocks)
        except CalendarError:
            raise
        # A damaged file can fail in the scan or in icalendar in many ways; all mean "unreadable".
        except Exception as error:
            raise CalendarError(NOT_A_CALENDAR) from error
        components, skipped = _components(blocks.events, broken_zones, budget)
        check_rules(components)
        events = _expand(shell, components, zone, window, budget, skipped)
    return CalendarRead(sorted(events, key=lambda e: (e.start, e.title)), skipped)


def check_some_events(read: CalendarRead) -> None:
    """Refuse a file with nothing to offer, saying why when its events could not be read."""
    if read.events:
        return
    if not read.skipped:
        raise CalendarError("The file holds no events from the last three years.")
    reasons = "; ".join(f"“{s.title}”: {s.reason}" for s in read.skipped[:3])
    more = f" (and {len(read.skipped) - 3} more)" if len(read.skipped) > 3 else ""
    raise CalendarError(f"No event in the file could be read: {reasons}{more}.")


def batch_payload(read: CalendarRead) -> dict:
    """What the preview keeps: the events, and the first MAX_SKIPPED_LISTED skipped ones."""
    return {
        "events": [e.as_dict() for e in read.events],
        "skipped": [s.as_dict() for s in read.skipped[:MAX_SKIPPED_LISTED]],
        "skipped_count": len(read.skipped),
    }


def _shell(blocks) -> tuple[icalendar.Calendar, set[str]]:
    """The calendar's own properties (X-WR-TIMEZONE…), and the TZIDs whose VTIMEZONE is broken.

    Parsing a VTIMEZONE is what lets icalendar resolve the events' TZIDs, so they go first.
    """
    shell = icalendar.Calendar.from_ical(blocks.header + b"END:VCALENDAR\r\n")
    broken = set()
    for block in blocks.timezones:
        match = _TZID.search(block)
        name = match.group(1).decode("utf-8", "replace").strip().strip('"') if match else ""
        if known_zone(name):
            continue
        try:
            icalendar.Timezone.from_ical(block)
        except Exception:  # offsets or rules it cannot read: the events using it are skipped
            broken.add(name)
    return shell, broken


def _components(blocks: list[bytes], broken_zones: set[str], budget) -> tuple[list, list]:
    """Each event block parsed on its own, so one it cannot read costs only that event."""
    components, skipped = [], []
    for block in blocks:
        budget.check()
        try:
            component = icalendar.Event.from_ical(block)
        except Exception:
            skipped.append(unreadable(block))
            continue
        wrong = problem(component, broken_zones)
        if wrong is None:
            components.append(component)
        else:
            skipped.append(wrong)
    return components, skipped


def _expand(shell, components, zone, window, budget, skipped) -> list[CalendarEvent]:
    """The occurrences in the window. One-off events go through one query; each series (a UID
    with a rule or moved occurrences) through its own, so one that recurring-ical-events cannot
    expand is skipped with its reason and costs nothing else."""
    groups: dict[str, list] = {}
    for component in components:
        groups.setdefault(str(component.get("UID")).strip(), []).append(component)
    series = [group for group in groups.values() if len(group) > 1 or _repeats(group[0])]
    one_off = [group[0] for group in groups.values() if len(group) == 1 and not _repeats(group[0])]
    events: list[CalendarEvent] = []
    try:
        events.extend(_events_of(shell, one_off, zone, window, budget, events))
    except CalendarError:
        raise
    except Exception:  # then event by event, to find the one at fault
        series = [[component] for component in one_off] + series
    for group in series:
        try:
            events.extend(_events_of(shell, group, zone, window, budget, events))
        except CalendarError:
            raise
        except Exception:
            uid, title = str(group[0].get("UID")).strip(), str(group[0].get("SUMMARY") or "")
            skipped.append(
                SkippedEvent(uid[:255], title.strip()[:200] or "Untitled event", UNEXPANDABLE)
            )
    return events


def _repeats(component) -> bool:
    return any(component.get(name) is not None for name in ("RRULE", "RDATE", "RECURRENCE-ID"))


def _events_of(shell, components, zone, window, budget, events) -> list[CalendarEvent]:
    calendar = icalendar.Calendar(shell)
    calendar.subcomponents.extend(components)
    return [_event(c, zone) for c in _occurrences(calendar, window, budget, events)]


def _occurrences(calendar, window: tuple[date, date], budget, events: list):
    """Each occurrence in the window, lazily; refused once `events` and these pass MAX_EVENTS."""
    query = recurring_ical_events.of(calendar)
    start, end = query.to_datetime(window[0]), query.to_datetime(window[1])
    count = len(events)
    for series in query.series:
        for occurrence in series.between(start, end):
            count += 1
            if count > MAX_EVENTS:
                raise CalendarError(TOO_MANY_EVENTS)
            budget.check()
            yield occurrence.as_component(query.keep_recurrence_attributes)


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
    url = web_url_or_blank(str(component.get("URL") or "").strip()) or _first_url(
        location, description
    )
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
