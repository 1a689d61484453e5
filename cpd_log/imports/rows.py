"""Spreadsheet rows to activity data: the column mapping and every per-row check. Pure.

FIELDS is also the column set of our own CSV export, so an export re-imports with no mapping work.
"""

import re
from dataclasses import dataclass, field

from cpd_log.imports.values import parse_date, parse_minutes
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
_YES = {"yes", "y", "true", "1", "x", "✓"}
_NO = {"no", "n", "false", "0", ""}
_STATUS_WORDS = {
    "done": ActivityStatus.COMPLETED,
    "complete": ActivityStatus.COMPLETED,
    "yes": ActivityStatus.COMPLETED,
    "no": ActivityStatus.PLANNED,
}
NEUTRALISED = ("'=", "'+", "'-", "'@")


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def suggest_mapping(headers: list[str]) -> dict[str, int | None]:
    """Each field → the index of the column that most likely holds it, or None."""
    normalised = [_norm(h) for h in headers]
    mapping: dict[str, int | None] = {}
    taken: set[int] = set()
    for name in FIELDS:
        spellings = [_norm(name), _norm(FIELD_LABELS[name]), *(_norm(s) for s in SYNONYMS[name])]
        mapping[name] = next(
            (i for s in spellings for i, h in enumerate(normalised) if h == s and i not in taken),
            None,
        )
        if mapping[name] is not None:
            taken.add(mapping[name])
    return mapping


@dataclass
class RowResult:
    number: int  # the row's line in the file (the header is line 1)
    label: str = ""  # the title cell as written, to name the row even when it has errors
    data: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    duplicate: bool = False


@dataclass(frozen=True)
class Defaults:
    kind: ActivityKind
    delivery: Delivery


def check_rows(rows, mapping, defaults: Defaults, competencies: dict, existing: set):
    """Validate every row; flag rows that repeat an activity already logged or an earlier row.

    `competencies` maps a lower-cased code or "code name" label to a competency id;
    `existing` holds (casefolded title, start date, minutes) keys of the user's activities.
    """
    seen = set(existing)
    results = []
    for index, row in enumerate(rows):
        result = check_row(index + 2, row, mapping, defaults, competencies)
        if not result.errors:
            key = duplicate_key(result.data)
            result.duplicate = key in seen
            seen.add(key)
        results.append(result)
    return results


@dataclass
class SheetReport:
    results: list[RowResult]

    @property
    def errors(self) -> list[RowResult]:
        return [r for r in self.results if r.errors]

    @property
    def duplicates(self) -> list[RowResult]:
        return [r for r in self.results if r.duplicate]

    def to_import(self, include_duplicates: bool) -> list[dict]:
        return [r.data for r in self.results if include_duplicates or not r.duplicate]

    def shown(self, limit: int = 50) -> list[RowResult]:
        """The first rows, then every row with a problem (up to a few hundred)."""
        first = self.results[:limit]
        flagged = [r for r in self.results[limit:] if r.errors or r.duplicate]
        return first + flagged[:250]


def duplicate_key(data: dict) -> tuple:
    return (data["title"].casefold(), data["start_date"], data["minutes"])


def check_row(number, row, mapping, defaults: Defaults, competencies: dict) -> RowResult:
    raw = {name: _cell(row, index) for name, index in mapping.items() if index is not None}
    result = RowResult(number=number, label=raw.get("title", "")[:200])
    for name, value in raw.items():
        if value.startswith("="):
            result.errors.append(f"{FIELD_LABELS[name]} is a formula; paste it as a value.")
    if result.errors:
        return result
    # Our own export neutralises formula-like text with a leading apostrophe; undo it.
    cells = {k: v[1:] if v.startswith(NEUTRALISED) else v for k, v in raw.items()}
    for name, key, parse in _PARSERS:
        try:
            result.data[key] = parse(cells.get(name, ""), defaults, competencies)
        except ValueError as error:
            result.errors.append(f"{FIELD_LABELS[name]}: {error}")
    if not result.errors:
        _check_span(result)
    return result


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def _check_span(result: RowResult) -> None:
    data = result.data
    end = data["end_date"]
    if end and end < data["start_date"]:
        result.errors.append("End date: it is before the start date.")
        return
    days = ((end or data["start_date"]) - data["start_date"]).days + 1
    if data["minutes"] > 24 * 60 * days:
        result.errors.append(f"Hours: at most {24 * days} hours fit in {days} day(s).")


def _title(value, *_):
    if not value:
        raise ValueError("a title is needed.")
    if len(value) > 200:
        raise ValueError("at most 200 characters.")
    return value


def _text(limit):
    def parse(value, *_):
        if len(value) > limit:
            raise ValueError(f"at most {limit:,} characters.")
        return value

    return parse


def _kind(value, defaults, _):
    if not value:
        return defaults.kind
    text = _norm(value)
    for kind in ActivityKind:
        if text in (_norm(kind.value), _norm(KIND_LABELS[kind]), _norm(kind.label.split("(")[0])):
            return kind
    if text in _KIND_WORDS:
        return _KIND_WORDS[text]
    raise ValueError(f"“{value[:40]}” is not a kind we know (e.g. Course, Webinar, Reading).")


def _delivery(value, defaults, _):
    if not value:
        return defaults.delivery
    text = value.strip().lower()
    for delivery in Delivery:
        if text in (delivery.value, delivery.label.lower()):
            return delivery
    if text in _DELIVERY_WORDS:
        return _DELIVERY_WORDS[text]
    raise ValueError(f"“{value[:40]}” is not one of In person, Online, Self-paced.")


def _participatory(value, *_):
    text = value.strip().lower()
    if text in _YES or text in _NO:
        return text in _YES
    raise ValueError("use yes or no.")


def _status(value, *_):
    text = value.strip().lower()
    if not text:
        return ActivityStatus.COMPLETED
    for status in ActivityStatus:
        if text == status.value:
            return status
    if text in _STATUS_WORDS:
        return _STATUS_WORDS[text]
    raise ValueError("use Completed or Planned.")


def _url(value, *_):
    if value and not value.lower().startswith(("http://", "https://")):
        raise ValueError("a web address starts with http:// or https://.")
    if len(value) > 2000 or " " in value:
        raise ValueError("enter one complete web address without spaces.")
    return value


def _competency_ids(value, _defaults, competencies):
    ids = []
    for part in filter(None, (p.strip() for p in re.split(r"[;|\n]", value))):
        key = part.lower()
        if key not in competencies:
            raise ValueError(f"“{part[:60]}” is not a competency in your frameworks.")
        if competencies[key] is None:
            raise ValueError(f"“{part[:60]}” is in several frameworks; use “code name”.")
        ids.append(competencies[key])
    return sorted(set(ids))


_PARSERS = (
    ("title", "title", _title),
    ("kind", "kind", _kind),
    ("provider", "provider", _text(200)),
    ("start_date", "start_date", lambda v, *_: parse_date(v)),
    ("end_date", "end_date", lambda v, *_: parse_date(v) if v else None),
    ("hours", "minutes", lambda v, *_: parse_minutes(v)),
    ("delivery", "delivery", _delivery),
    ("participatory", "participatory", _participatory),
    ("description", "description", _text(50_000)),
    ("url", "url", _url),
    ("status", "status", _status),
    ("competencies", "competency_ids", _competency_ids),
)
REQUIRED = ("title", "start_date", "hours")
