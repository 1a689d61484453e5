"""The columns an activity spreadsheet can have (with their usual header spellings, from the field
table), and the words people type in them. Pure data plus the header-matching rule.

FIELDS is also the column set of our own CSV export, so an export re-imports with no mapping work.
"""

import re

from cpd_log.activities.choices import KIND_LABELS, ActivityKind, ActivityStatus, Delivery
from cpd_log.activities.fields import COLUMNS, ENTERED

# The spreadsheet import's fields, named and spelled as the field table says (activities/fields.py).
FIELDS = COLUMNS
FIELD_LABELS = {field.column: field.label for field in ENTERED}
# The column names of learning platforms' lists of courses (issue 16), none with an hours column
# (the mapping form's default duration fills it). Taken from each platform's documented export:
# LinkedIn Learning, "Download your data" › Learning.csv ("Content Title", "Content Type",
# "Content Completed At (if completed)"); Udemy Business, the user course activity report (the
# fields of its Reporting API: course title, category, enrollment, start and completion dates);
# Coursera for Business, the membership/usage report ("Course", "University", "Enrollment Time",
# "Completion Time", "Completed", "Course Certificate URL"). Fixtures: tests/imports/data/.
PLATFORM_HEADERS = {
    "title": ("content title", "course title", "course name", "course"),  # before "name"
    "kind": ("content type",),
    "provider": ("university", "partner", "instructor"),
    "start_date": (
        "content completed at if completed",
        "course start date",
        "enrollment time",
        "enrollment date",
        "course enroll date",
    ),
    "end_date": ("course completion date", "completion time", "completed at"),
    "description": ("content description", "course description"),
    "url": ("course certificate url", "certificate url", "course url"),
}
# Header spellings seen in our export, PMI-style claim sheets (CCRS), home-made logs and the
# learning platforms above.
SYNONYMS = {
    field.column: PLATFORM_HEADERS.get(field.column, ()) + field.aliases for field in ENTERED
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
    # LinkedIn Learning's content types
    "video": ActivityKind.COURSE,
    "learning path": ActivityKind.COURSE,
    "article": ActivityKind.READING,
    "audio": ActivityKind.PODCAST,
    "document": ActivityKind.READING,
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
