"""The feed as RFC 5545 text, built with icalendar. Every event is all-day and has a UID made
of what it is about and the row's id, so a calendar app updates an event in place instead of
duplicating it on its next fetch."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from cpd_log.schemes.pace import PACE_DAYS

if TYPE_CHECKING:
    from icalendar import Event

PRODID = "-//CPD Log//Calendar feed//EN"
DOMAIN = "cpd-log"
WARNING_DAYS = 90  # the dashboard warns 90 days before a cycle ends with a rule unmet


def _event(uid, day: date, summary, description, url, stamp, last: date | None = None) -> Event:
    """An all-day event from `day` to `last` (default: that day)."""
    from icalendar import Event  # icalendar loads with the first feed, not at start-up

    event = Event()
    event.add("uid", f"{uid}@{DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", (last or day) + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    event.add("transp", "TRANSPARENT")  # a reminder, not busy time
    return event


def build(name: str, cycles, planned, prompts, link) -> bytes:
    """The calendar: `cycles` (rows with .enrolment), `planned` activities, `prompts`
    (activity, checkpoint, day); `link(endpoint, **values)` makes absolute addresses."""
    from icalendar import Calendar

    stamp = datetime.now(UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"CPD Log — {name}")
    for cycle in cycles:
        label, url = cycle.enrolment.label, link("schemes.cycle", cycle_id=cycle.id)
        calendar.add_component(
            _event(f"cycle-{cycle.id}-end", cycle.end_date, f"{label}: cycle ends",
                   f"The last day of {label} cycle {cycle.number}.", url, stamp)
        )  # fmt: skip
        warning = cycle.end_date - timedelta(days=WARNING_DAYS)
        if warning >= cycle.start_date:
            calendar.add_component(
                _event(f"cycle-{cycle.id}-warning", warning, f"{label}: 90 days left",
                       f"{label} cycle {cycle.number} ends on {cycle.end_date:%-d %b %Y}. Check "
                       "that every rule is met; your pace counts the last "
                       f"{PACE_DAYS} days.", url, stamp)
            )  # fmt: skip
    for activity in planned:
        calendar.add_component(_planned(activity, link, stamp))
    for activity, checkpoint, day in prompts:
        calendar.add_component(
            _event(f"apply-{activity.id}-{checkpoint}", day,
                   f"How did you apply it? {activity.title}",
                   f"{checkpoint} days after {activity.title}: note how you applied it.",
                   link("dashboard.index"), stamp)
        )  # fmt: skip
    return calendar.to_ical()


def _planned(activity, link, stamp) -> Event:
    return _event(
        f"activity-{activity.id}", activity.start_date, f"Planned: {activity.title}",
        activity.description or "", link("activities.detail", activity_id=activity.id), stamp,
        activity.last_date,
    )  # fmt: skip
