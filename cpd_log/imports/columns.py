"""The columns an activity spreadsheet can have, their usual header spellings, and the words
people type in them. Pure data plus the header-matching rule.

FIELDS is also the column set of our own CSV export, so an export re-imports with no mapping work.
"""

import re

from cpd_log.models.activity import KIND_LABELS, ActivityKind, ActivityStatus, Delivery

FIELDS = (
    "title",
    "kind",
    "provider",
    "start_date",
    "end_date",
    "hours",
    "delivery",
    "participatory",
    "description",
    "url",
    "status",
    "competencies",
)
FIELD_LABELS = {
    "title": "Title",
    "kind": "Kind",
    "provider": "Provider or organiser",
    "start_date": "Start date",
    "end_date": "End date",
    "hours": "Hours",
    "delivery": "Delivery",
    "participatory": "Participatory",
    "description": "Description",
    "url": "Web address",
    "status": "Status",
    "competencies": "Competencies",
}
# Header spellings seen in our export, PMI-style claim sheets (CCRS) and home-made logs.
SYNONYMS = {
    "title": [
        "activity title",
        "course title",
        "activity name",
        "activity",
        "name",
        "event",
        "course",
        "subject",
        "summary",
    ],
    "kind": ["type", "activity type", "kind of activity", "learning type"],
    "provider": [
        "provider name",
        "organiser",
        "organizer",
        "education provider",
        "organisation",
        "organization",
        "host",
        "training provider",
    ],
    "start_date": [
        "date",
        "date started",
        "start",
        "activity date",
        "date attended",
        "from",
        "start date",
    ],
    "end_date": ["date completed", "completion date", "end", "to", "finish date", "end date"],
    "hours": [
        "pdus",
        "pdus claimed",
        "pdu",
        "number of pdus",
        "cpd hours",
        "duration",
        "duration hours",
        "hours claimed",
        "time spent",
        "points",
        "credits",
    ],
    "delivery": ["delivery mode", "mode", "format", "delivery method"],
    "participatory": ["interactive", "participative"],
    "description": [
        "notes",
        "learning outcomes",
        "what i learned",
        "comments",
        "reflection",
        "activity description",
    ],
    "url": ["link", "web address", "website", "web link"],
    "status": ["state", "completed"],
    "competencies": ["competency", "tags", "skills", "talent triangle"],
}
_KIND_WORDS = {
    "community event": ActivityKind.COMMUNITY_EVENT,
    "meetup": ActivityKind.COMMUNITY_EVENT,
    "flashmob": ActivityKind.COMMUNITY_EVENT,
    "training": ActivityKind.COURSE,
    "e-learning": ActivityKind.COURSE,
    "elearning": ActivityKind.COURSE,
    "seminar": ActivityKind.WEBINAR,
    "book": ActivityKind.READING,
    "mentoring": ActivityKind.MENTORING_RECEIVED,
    "coaching": ActivityKind.MENTORING_RECEIVED,
    "on the job": ActivityKind.ON_THE_JOB,
    "work": ActivityKind.ON_THE_JOB,
    "examination": ActivityKind.EXAM,
    "volunteer": ActivityKind.VOLUNTEERING,
}
_DELIVERY_WORDS = {
    "in person": Delivery.IN_PERSON,
    "in-person": Delivery.IN_PERSON,
    "face to face": Delivery.IN_PERSON,
    "classroom": Delivery.IN_PERSON,
    "online": Delivery.ONLINE,
    "virtual": Delivery.ONLINE,
    "remote": Delivery.ONLINE,
    "self-paced": Delivery.SELF_PACED,
    "self paced": Delivery.SELF_PACED,
    "on demand": Delivery.SELF_PACED,
    "on-demand": Delivery.SELF_PACED,
}
YES = {"yes", "y", "true", "1", "x", "✓"}
NO = {"no", "n", "false", "0", ""}
STATUS_LOOKUP = {
    "": ActivityStatus.COMPLETED,
    **{status.value: status for status in ActivityStatus},
    "done": ActivityStatus.COMPLETED,
    "complete": ActivityStatus.COMPLETED,
    "yes": ActivityStatus.COMPLETED,
    "no": ActivityStatus.PLANNED,
}


def normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def suggest_mapping(headers: list[str]) -> dict[str, int | None]:
    """Each field → the index of the column that most likely holds it, or None."""
    normalised = [normalise(h) for h in headers]
    mapping: dict[str, int | None] = {}
    taken: set[int] = set()
    for name in FIELDS:
        spellings = [
            normalise(name),
            normalise(FIELD_LABELS[name]),
            *(normalise(s) for s in SYNONYMS[name]),
        ]
        mapping[name] = next(
            (i for s in spellings for i, h in enumerate(normalised) if h == s and i not in taken),
            None,
        )
        if mapping[name] is not None:
            taken.add(mapping[name])
    return mapping


# Every spelling of a kind or delivery, looked up once per row rather than compared in a loop.
KIND_LOOKUP = {
    **{normalise(word): kind for word, kind in _KIND_WORDS.items()},
    **{normalise(kind.value): kind for kind in ActivityKind},
    **{normalise(KIND_LABELS[kind].split("(")[0]): kind for kind in ActivityKind},
    **{normalise(KIND_LABELS[kind]): kind for kind in ActivityKind},
}
DELIVERY_LOOKUP = {
    **_DELIVERY_WORDS,
    **{d.value: d for d in Delivery},
    **{d.label.lower(): d for d in Delivery},
}
