"""A calendar file split into its blocks before anything parses it. Pure: no Flask, no database.

Why (issue 16): icalendar parsed every event of the file, and recurring-ical-events built a series
for each, though only the import window is offered: a 5,000-event export of many years took 7-8 s
for ≈500 events. Here the bytes are unfolded and cut at their BEGIN/END lines (a stack check: a
truncated file is still refused whole), and a one-off event whose start and end days are both
outside the window is dropped by reading those two values as text; one-off events certainly
inside it are counted, so the cap on events offered applies before any parsing. Events that
repeat or move an occurrence (RRULE, RDATE, RECURRENCE-ID) and any event whose dates cannot be
read as text are kept: the parser decides, and names what is wrong with them.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

NOT_A_CALENDAR = (
    "This is not a complete calendar (.ics) file: it may be truncated or not a calendar export "
    "at all. Export it again and upload the whole file."
)
# A day either side: a time given in another zone may fall on the next or previous day here.
MARGIN = timedelta(days=2)
_FOLD = re.compile(rb"\r?\n[ \t]")
_EDGE = re.compile(rb"^(BEGIN|END):([A-Za-z0-9-]+)[ \t]*(?=\r?$)", re.IGNORECASE | re.MULTILINE)
_KEEP = re.compile(rb"^(RRULE|RDATE|RECURRENCE-ID|DURATION)[;:]", re.IGNORECASE | re.MULTILINE)
_UID = re.compile(rb"^UID(?:;[^\r\n:]*)?:([^\r\n]*)", re.IGNORECASE | re.MULTILINE)
_DAY = {
    name: re.compile(rb"^" + name + rb"(?:;[^\r\n]*)?:(\d{8})(?:T\d{6}Z?)?\r?$", re.I | re.M)
    for name in (b"DTSTART", b"DTEND")
}


@dataclass
class CalendarBlocks:
    """The calendar's own lines (BEGIN:VCALENDAR … before its first component) and the bytes of
    each VTIMEZONE and each VEVENT worth parsing."""

    header: bytes = b""
    timezones: list[bytes] = field(default_factory=list)
    events: list[bytes] = field(default_factory=list)
    # UIDs of one-off events that certainly start inside the window: each is one event offered,
    # so a file with too many is refused before anything is parsed.
    inside: set[bytes] = field(default_factory=set)


class StructureError(ValueError):
    """BEGIN and END lines that do not pair up: a truncated or damaged file."""


def split_calendar(data: bytes, window: tuple[date, date]) -> CalendarBlocks:
    """The blocks of `data` (unfolded) that may matter for `window`; StructureError when the
    file is not one or more whole VCALENDARs."""
    text = _FOLD.sub(b"", data)
    blocks, stack, opened = CalendarBlocks(), [], None
    for edge in _EDGE.finditer(text):
        kind, name = edge.group(1).upper(), edge.group(2).upper()
        if kind == b"BEGIN":
            if not stack and name != b"VCALENDAR":
                raise StructureError(name)
            if not stack:
                opened = edge.start()
            elif len(stack) == 1 and not blocks.header:
                blocks.header = text[opened : edge.start()]
            stack.append((name, edge.start()))
            continue
        if not stack or stack[-1][0] != name:
            raise StructureError(name)
        _, start = stack.pop()
        if len(stack) == 1:
            _keep(blocks, name, text[start : edge.end()] + b"\r\n", window)
        elif not stack and not blocks.header:
            blocks.header = text[opened : edge.start()]
    if stack or opened is None:
        raise StructureError("unclosed")
    return blocks


def _keep(blocks: CalendarBlocks, name: bytes, block: bytes, window: tuple[date, date]) -> None:
    if name == b"VTIMEZONE":
        blocks.timezones.append(block)
    if name != b"VEVENT":
        return
    if _KEEP.search(block):
        blocks.events.append(block)
        return
    start = _day(block, b"DTSTART")
    if start is None:  # no start, or one we cannot read as text: the parser says what is wrong
        blocks.events.append(block)
        return
    end = _day(block, b"DTEND") or start
    if end >= window[0] - MARGIN and start <= window[1] + MARGIN:
        blocks.events.append(block)
    if window[0] + MARGIN <= start <= window[1] - MARGIN and (uid := _UID.search(block)):
        blocks.inside.add(uid.group(1))


def _day(block: bytes, name: bytes) -> date | None:
    match = _DAY[name].search(block)
    if match is None:
        return None
    digits = match.group(1)
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None
