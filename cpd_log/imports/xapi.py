"""xAPI (Experience API 1.0.3) learning records: statements from an LRS export, as preview events.

Pure: no Flask, no database. Each statement whose verb is completed, passed or attended becomes
an event in the calendar import's shape (ics.CalendarEvent's keys), so the calendar's preview,
choice form and import are reused; the statement id is its uid, which makes re-imports idempotent.

Parsed by hand, defensively: `tincan` (PyPI) was last released in 2015 for Python 2-era code and
`ralph-malph`'s pydantic models pull in an LRS server's dependencies and refuse whole statements
for fields we never read. We read five fields and give each skipped statement its reason.

Budget: the upload is at most forms.MAX_IMPORT_BYTES; JSON nests at most bounded_json.MAX_DEPTH
levels (statements nest 5–7); at most MAX_STATEMENTS statements are read.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from cpd_log import bounded_json
from cpd_log.common.web_urls import web_url_or_blank
from cpd_log.imports.values import round_to_quarter

MAX_STATEMENTS = 5000
ADL = "http://adlnet.gov/expapi/verbs/"
KEPT_VERBS = {"completed", "passed", "attended"}
VOIDED = ADL + "voided"
LANGUAGES = ("en", "en-GB", "en-US")
_DURATION = re.compile(
    r"^P(?:(?P<y>\d+(?:\.\d+)?)Y)?(?:(?P<mo>\d+(?:\.\d+)?)M)?(?:(?P<w>\d+(?:\.\d+)?)W)?"
    r"(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<mi>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
_MINUTES = {"w": 7 * 24 * 60, "d": 24 * 60, "h": 60, "mi": 1, "s": 1 / 60}


class StatementsError(ValueError):
    """The file is not a statement list we can read; the message says why, for the user."""


def statements_of(data: bytes) -> list:
    """The statements of a JSON array or an LRS answer ({"statements": [...], "more": ...})."""
    if not data.strip():
        raise StatementsError("The file is empty.")
    try:
        value = bounded_json.loads(data.decode("utf-8-sig"))
    except bounded_json.JsonTooDeep:
        raise
    except (UnicodeDecodeError, ValueError):
        raise StatementsError("This is not a JSON file of xAPI statements.") from None
    if isinstance(value, dict) and isinstance(value.get("statements"), list):
        value = value["statements"]
    elif isinstance(value, dict) and "verb" in value:
        value = [value]
    if not isinstance(value, list):
        raise StatementsError(
            "The file holds no xAPI statements: expected a list of statements or an LRS answer "
            "with “statements”."
        )
    if len(value) > MAX_STATEMENTS:
        raise StatementsError(
            f"The file holds more than {MAX_STATEMENTS:,} statements; export a shorter period."
        )
    return value


def voided_ids(statements: list) -> set[str]:
    """The ids of the statements these statements void (object: a StatementRef)."""
    return {
        str(s["object"].get("id"))
        for s in statements
        if isinstance(s, dict) and _verb_id(s) == VOIDED and isinstance(s.get("object"), dict)
    }


def read_statements(statements: list, zone: ZoneInfo, default_minutes: int):
    """(events, skipped): events as dicts by date; skipped as (label, reason) in file order."""
    voided = voided_ids(statements)
    events, skipped, seen = [], [], set()
    for number, statement in enumerate(statements, start=1):
        try:
            event = _event(statement, zone, default_minutes, voided, seen)
        except ValueError as error:
            skipped.append((_label(statement, number), str(error)))
        else:
            seen.add(event["uid"])
            events.append(event)
    events.sort(key=lambda e: (e["start"], e["title"]))
    return events, skipped


def _event(statement, zone: ZoneInfo, default_minutes: int, voided: set, seen: set) -> dict:
    if not isinstance(statement, dict):
        raise ValueError("not a statement (an object with actor, verb and object)")
    uid = str(statement.get("id") or "").strip()
    verb = _verb_name(statement)
    if _verb_id(statement) == VOIDED:
        raise ValueError("voids another statement, which is left out")
    if verb not in KEPT_VERBS:
        raise ValueError(f"verb “{verb or 'none'}” is not completed, passed or attended")
    if not uid:
        raise ValueError("no statement id, so re-importing could not recognise it")
    if uid in voided:
        raise ValueError("voided by a later statement")
    if uid in seen:
        raise ValueError("the same statement id appears earlier in the file")
    target = statement.get("object")
    definition = target.get("definition") if isinstance(target, dict) else None
    definition = definition if isinstance(definition, dict) else {}
    title = _language(definition.get("name")).strip()
    if not title:
        raise ValueError("its object has no name to use as the title")
    day = _day(statement, zone)
    minutes, measured = _minutes(statement.get("result"), default_minutes)
    object_id = str(target.get("id") or "") if isinstance(target, dict) else ""
    return {
        "uid": uid[:255],
        "title": title[:200],
        "organiser": _provider(statement)[:200],
        "start": day,
        "end": day,
        "all_day": False,
        "minutes": minutes,
        "duration_given": measured,
        "location": "",
        "url": web_url_or_blank(object_id)[:2000],
        "online": True,
        "description": _description(definition, statement.get("result"), verb)[:5000],
    }


def _verb_id(statement: dict) -> str:
    verb = statement.get("verb")
    return str(verb.get("id") or "") if isinstance(verb, dict) else ""


def _verb_name(statement: dict) -> str:
    """ "completed" for ADL's IRI, or for a display name that says it in any language map."""
    verb_id = _verb_id(statement)
    if verb_id.startswith(ADL):
        return verb_id.removeprefix(ADL)
    verb = statement.get("verb")
    display = verb.get("display") if isinstance(verb, dict) else None
    names = display.values() if isinstance(display, dict) else []
    for name in names:
        if str(name).strip().lower() in KEPT_VERBS:
            return str(name).strip().lower()
    return verb_id.rsplit("/", 1)[-1]


def _language(value) -> str:
    """A language map's text: English first (en, en-GB, en-US), else its first entry."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict) or not value:
        return ""
    lowered = {str(k).lower(): v for k, v in value.items()}
    for language in LANGUAGES:
        if isinstance(lowered.get(language.lower()), str):
            return lowered[language.lower()]
    first = next(iter(value.values()))
    return first if isinstance(first, str) else ""


def _day(statement: dict, zone: ZoneInfo) -> str:
    """The statement's day in the user's zone (timestamp, else when the LRS stored it)."""
    raw = statement.get("timestamp") or statement.get("stored")
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        raise ValueError("no readable timestamp (ISO 8601, e.g. 2025-03-14T10:00:00Z)") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    return moment.date().isoformat()


def parse_duration(text: str) -> int:
    """Minutes of an ISO 8601 duration (PT1H30M, P1DT2H, PT4500S); years and months refused."""
    match = _DURATION.match(str(text).strip())
    if not match or text.strip() in ("P", "PT") or text.strip().endswith("T"):
        raise ValueError(f"duration “{str(text)[:40]}” is not an ISO 8601 duration")
    if match["y"] or match["mo"]:
        raise ValueError(f"duration “{text}” counts years or months; give hours")
    return round(sum(float(match[k] or 0) * size for k, size in _MINUTES.items()))


def _minutes(result, default_minutes: int) -> tuple[int, bool]:
    """Hours from result.duration in quarter hours, else the import's default (False)."""
    duration = result.get("duration") if isinstance(result, dict) else None
    if not duration:
        return default_minutes, False
    minutes = parse_duration(duration)
    if minutes == 0:  # "PT0S" from a player that did not time it
        return default_minutes, False
    return round_to_quarter(minutes), True


def _provider(statement: dict) -> str:
    """context.platform, else the grouping (or parent) activity's name, else the authority."""
    context = statement.get("context") if isinstance(statement.get("context"), dict) else {}
    if isinstance(context.get("platform"), str) and context["platform"].strip():
        return context["platform"].strip()
    activities = context.get("contextActivities")
    activities = activities if isinstance(activities, dict) else {}
    for key in ("grouping", "parent"):
        group = activities.get(key)
        for item in group if isinstance(group, list) else [group]:
            definition = item.get("definition") if isinstance(item, dict) else None
            if isinstance(definition, dict) and _language(definition.get("name")).strip():
                return _language(definition["name"]).strip()
    authority = statement.get("authority")
    if isinstance(authority, dict):
        account = authority.get("account") if isinstance(authority.get("account"), dict) else {}
        return str(authority.get("name") or account.get("name") or "").strip()
    return ""


def _description(definition: dict, result, verb: str) -> str:
    lines = [_language(definition.get("description")).strip()]
    if isinstance(result, dict):
        score = result.get("score") if isinstance(result.get("score"), dict) else {}
        if isinstance(score.get("scaled"), int | float):
            lines.append(f"Score: {score['scaled']:.0%}")
        if result.get("success") is True:
            lines.append("Passed." if verb == "passed" else "Succeeded.")
    lines.append("Imported from an xAPI statement (" + verb + ").")
    return "\n".join(line for line in lines if line)


def _label(statement, number: int) -> str:
    if isinstance(statement, dict):
        target = statement.get("object")
        definition = target.get("definition") if isinstance(target, dict) else None
        name = _language(definition.get("name")) if isinstance(definition, dict) else ""
        if name.strip():
            return f"Statement {number}: {name.strip()[:80]}"
        if statement.get("id"):
            return f"Statement {number} ({str(statement['id'])[:40]})"
    return f"Statement {number}"
