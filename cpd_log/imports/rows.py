"""Spreadsheet rows to activity data: every per-row check, duplicate flags, the report. Pure."""

import re
from dataclasses import dataclass, field, fields

from cpd_log.activities.choices import ActivityKind, Delivery
from cpd_log.activities.fields import ENTERED, Value
from cpd_log.common.spreadsheet_safety import unneutralise
from cpd_log.common.web_urls import WEB_SCHEMES, is_web_url
from cpd_log.imports.columns import (
    DELIVERY_LOOKUP,
    FIELD_LABELS,
    KIND_LOOKUP,
    NO,
    STATUS_LOOKUP,
    YES,
    normalise,
)
from cpd_log.imports.values import (
    DAY_FIRST,
    MONTH_FIRST,
    date_order_proof,
    is_ambiguous_date,
    parse_date,
    parse_minutes,
)

AUTO, MIXED = "auto", "mixed"  # a date order decided from the file; both orders proven in it


@dataclass
class RowResult:
    number: int  # the row's line in the file (the header is line 1)
    label: str = ""  # the title cell as written, to name the row even when it has errors
    data: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    duplicate: bool = False


@dataclass(frozen=True)
class Defaults:
    """What the mapping form supplies for values the file lacks, and how it reads dates."""

    kind: ActivityKind
    delivery: Delivery
    minutes: int | None = None  # a row with no hours takes this ("default duration")
    date_order: str = AUTO  # AUTO, DAY_FIRST or MONTH_FIRST


@dataclass(frozen=True)
class DateColumn:
    """How one date column is read: the order, whether the values (or the user) decided it
    rather than the app's day-first habit, and how many values read as two dates (3/4/2025)."""

    order: str  # DAY_FIRST, MONTH_FIRST or MIXED
    decided: bool
    ambiguous: int


def date_columns(rows, mapping, setting: str = AUTO) -> dict[str, DateColumn]:
    """Each mapped date column's order, decided from all its values (issue 16): a first part
    over 12 proves day first, a second part over 12 month first; the user's choice wins."""
    found = {}
    for name in DATE_COLUMNS:
        column = mapping.get(name)
        if column is None:
            continue
        proofs, ambiguous = date_order_proof(
            row[column].strip() for row in rows if column < len(row)
        )
        if setting in (DAY_FIRST, MONTH_FIRST):
            found[name] = DateColumn(setting, True, ambiguous)
            continue
        order = MIXED if len(proofs) > 1 else next(iter(proofs), DAY_FIRST)
        found[name] = DateColumn(order, bool(proofs), ambiguous)
    return found


def check_rows(rows, mapping, defaults: Defaults, competencies: dict, existing: set):
    """Validate every row; flag rows that repeat an activity already logged or an earlier row.

    `competencies` is services.competency_lookup (competency_key → id, or candidates);
    `existing` holds (casefolded title, start date, minutes) keys of the user's activities.
    """
    # Which column feeds which parser, worked out once for the whole file; dates in the order
    # their column proves.
    orders = date_columns(rows, mapping, defaults.date_order)
    plan = [
        (name, key, _date(BY_COLUMN[name], orders[name].order) if name in orders else parse, col)
        for name, key, parse in _PARSERS
        for col in (mapping.get(name),)
    ]
    results = [
        check_row(index + 2, row, plan, defaults, competencies) for index, row in enumerate(rows)
    ]
    flag_duplicates(results, existing)
    return results


def flag_duplicates(results: list["RowResult"], existing: set) -> None:
    """A row repeats an activity already logged, or an earlier row of the same file."""
    seen = set(existing)
    for result in results:
        if not result.errors:
            key = duplicate_key(result.data)
            result.duplicate = key in seen
            seen.add(key)


def duplicate_key(data: dict) -> tuple:
    return (data["title"].casefold(), data["start_date"], data["minutes"])


def check_row(number, row, plan, defaults: Defaults, competencies: dict) -> RowResult:
    width = len(row)
    cells = [
        row[column].strip() if column is not None and column < width else ""
        for _, _, _, column in plan
    ]
    result = RowResult(number=number, label=cells[0][:200])
    data, errors = result.data, result.errors
    for (name, key, parse, _), value in zip(plan, cells, strict=True):
        first = value[:1]
        if first == "=":
            errors.append(f"{FIELD_LABELS[name]} is a formula; paste it as a value.")
            continue
        value = unneutralise(value)  # our own export neutralises formula-like text; undo it
        try:
            data[key] = parse(value, defaults, competencies)
        except ValueError as error:
            errors.append(f"{FIELD_LABELS[name]}: {error}")
    if not errors:
        _check_span(result)
    return result


def _check_span(result: RowResult) -> None:
    data = result.data
    end = data["end_date"]
    if end and end < data["start_date"]:
        result.errors.append("End date: it is before the start date.")
        return
    days = ((end or data["start_date"]) - data["start_date"]).days + 1
    if data["minutes"] > 24 * 60 * days:
        result.errors.append(f"Hours: at most {24 * days} hours fit in {days} day(s).")


def _text(field):
    limit = field.max_length

    def parse(value, *_):
        if field.required and not value:
            raise ValueError(f"a {field.label.lower()} is needed.")
        if len(value) > limit:
            raise ValueError(f"at most {limit:,} characters.")
        return value or field.empty

    return parse


def _date(field, order: str = DAY_FIRST):
    read = _read_mixed if order == MIXED else lambda value: parse_date(value, order)
    if field.required:
        return lambda value, *_: read(value)
    return lambda value, *_: read(value) if value else None


def _read_mixed(value: str):
    """A column with dates written both ways: only the values that read one way only."""
    if is_ambiguous_date(value):
        raise ValueError(
            f"“{value[:30]}” could be either day or month first, and this column has dates "
            "written both ways; choose the date order above."
        )
    try:
        return parse_date(value, DAY_FIRST)
    except ValueError:
        return parse_date(value, MONTH_FIRST)


def _hours(value, defaults, _):
    if not value and defaults.minutes:
        return defaults.minutes
    return parse_minutes(value)


def _kind(value, defaults, _):
    if not value:
        return defaults.kind
    kind = KIND_LOOKUP.get(normalise(value))
    if kind is None:
        raise ValueError(f"“{value[:40]}” is not a kind we know (e.g. Course, Webinar, Reading).")
    return kind


def _delivery(value, defaults, _):
    if not value:
        return defaults.delivery
    delivery = DELIVERY_LOOKUP.get(value.strip().lower())
    if delivery is None:
        raise ValueError(f"“{value[:40]}” is not one of In person, Online, Self-paced.")
    return delivery


def _yes_no(value, *_):
    text = value.strip().lower()
    if text in YES or text in NO:
        return text in YES
    raise ValueError("use yes or no.")


def _status(value, *_):
    status = STATUS_LOOKUP.get(value.strip().lower())
    if status is None:
        raise ValueError("use Completed or Planned.")
    return status


def _url(field):
    def parse(value, *_):
        if value and not value.lower().startswith(WEB_SCHEMES):
            raise ValueError("a web address starts with http:// or https://.")
        if value and (len(value) > field.max_length or not is_web_url(value)):
            raise ValueError("enter one complete web address without spaces.")
        return value or field.empty

    return parse


def competency_key(text: str) -> str:
    """How a competency is looked up: letter case and runs of spaces do not matter."""
    return " ".join(text.split()).casefold()


def parse_competencies(value: str, competencies: dict) -> list[int]:
    """Competency ids from codes, "code name" labels, names or area names separated by ; | or
    new lines (a spreadsheet cell, a calendar event's own competencies); `competencies` is
    services.competency_lookup, whose ambiguous keys hold their candidates' labels. A ValueError
    names the first part that is not one competency, and the candidates when it could be several."""
    if not value:
        return []
    ids = []
    for part in filter(None, (p.strip() for p in re.split(r"[;|\n]", value))):
        found = competencies.get(competency_key(part))
        if found is None:
            raise ValueError(f"“{part[:60]}” is not a competency in your frameworks.")
        if isinstance(found, tuple):
            shown = "; ".join(found[:5]) + (" …" if len(found) > 5 else "")
            raise ValueError(f"“{part[:60]}” could be {shown}. Write the code of the one you mean.")
        ids.append(found)
    return sorted(set(ids))


def _competency_ids(value, _defaults, competencies):
    return parse_competencies(value, competencies)


# How the import reads each kind of value; a choice field has its own words (columns.py) and may
# take the mapping form's default.
_READ = {
    Value.TEXT: _text,
    Value.LONG_TEXT: _text,
    Value.WEB_ADDRESS: _url,
    Value.DATE: _date,
    Value.HOURS: lambda _: _hours,
    Value.YES_NO: lambda _: _yes_no,
    Value.COMPETENCIES: lambda _: _competency_ids,
}
_CHOICES = {"kind": _kind, "delivery": _delivery, "status": _status}
_PARSERS = tuple(
    (f.column, f.name, _CHOICES[f.name] if f.value is Value.CHOICE else _READ[f.value](f))
    for f in ENTERED
)
BY_COLUMN = {f.column: f for f in ENTERED}
DATE_COLUMNS = tuple(f.column for f in ENTERED if f.value is Value.DATE)
# A file must have these columns, except those the mapping form gives a default for (Defaults).
REQUIRED = tuple(
    f.column for f in ENTERED if f.required and f.name not in {d.name for d in fields(Defaults)}
)
