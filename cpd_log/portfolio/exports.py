"""CSV of activities and the portfolio's JSON: plain data out of `gather()`, no Flask here.

CSV is UTF-8 with a BOM so spreadsheet programs detect the encoding, and every cell goes through
common.spreadsheet_safety.neutralise so it is never run as a formula.
"""

import csv
import io

from cpd_log.activities.fields import COLUMNS, ENTERED, Value
from cpd_log.common.spreadsheet_safety import neutralise
from cpd_log.portfolio.services import Content
from cpd_log.reflections.models_catalogue import MODELS, stage_texts

# The spreadsheet import's own field names, so an export re-imports with no mapping work.
CSV_COLUMNS = list(COLUMNS)


def plain_hours(minutes: int) -> str:
    """Hours without a thousands separator (the import reads "1,000" as 1.000): 90 -> '1.5'."""
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".") or "0"


# Each kind of value in the words the import understands; text as it is.
_WRITE = {
    Value.CHOICE: lambda value: value.label,
    Value.DATE: lambda value: value.isoformat() if value else "",
    Value.HOURS: plain_hours,
    Value.YES_NO: lambda value: "yes" if value else "no",
    Value.COMPETENCIES: lambda tags: "; ".join(f"{c.code} {c.name}" for c in tags),
}


def activity_row(activity) -> dict[str, str]:
    """One activity's CSV cells by column name."""
    return {f.column: _WRITE.get(f.value, _as_text)(f.of(activity)) for f in ENTERED}


def _as_text(value) -> str:
    return value or ""


def activities_csv(activities) -> bytes:
    """The activities as CSV bytes (UTF-8 with BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for activity in activities:
        row = activity_row(activity)
        writer.writerow([neutralise(row[column]) for column in CSV_COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


def portfolio_json(content: Content) -> dict:
    """The portfolio as data: what was chosen and every activity's fields, ids included."""
    portfolio = content.portfolio
    return {
        "title": portfolio.title,
        "audience": portfolio.audience.value,
        "practitioner": content.owner.display_name,
        "date_from": portfolio.date_from.isoformat() if portfolio.date_from else None,
        "date_to": portfolio.date_to.isoformat() if portfolio.date_to else None,
        "generated": content.generated.isoformat(),
        "total_minutes": content.total_minutes,
        "activities": [
            {
                **activity_row(a),
                "category": "; ".join(content.categories_of(a)),
                "minutes": a.minutes,
                "evidence": [e.label for e in content.evidence_of(a)],
            }
            for a in content.activities
        ],
        "reflections": [_reflection(r, content) for r in content.reflection_list],
        "cycle": _cycle(content),
        "evidence": [
            {
                "label": e.label,
                "activity": e.activity.title if e.activity else None,
                "reflection": e.reflection.title if e.reflection else None,
                "name": e.evidence.label,
                "file": e.evidence.original_name if e.evidence.is_file else None,
                "mime_type": e.evidence.mime_type or None,
                "sha256": e.evidence.sha256,
                "url": e.evidence.url or None,
            }
            for e in content.evidence
        ],
        "reviews": [
            {
                "reviewer_name": r.reviewer_name,
                "reviewer_role": r.reviewer_role,
                "signed_off": r.signed_off,
                "comment": r.comment,
                "date": r.created_at.date().isoformat(),
            }
            for r in content.reviews
        ],
    }


def _reflection(reflection, content: Content) -> dict:
    """A reflection as data: every stage of its model under its heading, Markdown as written."""
    model = MODELS.get(reflection.model, MODELS["free"])
    return {
        "title": reflection.title,
        "model": model.name,
        "reflected_on": reflection.reflected_on.isoformat(),
        "activity": reflection.activity.title if reflection.activity else None,
        "competencies": [c.label for c in reflection.competencies],
        "stages": [
            {"heading": stage.label, "text": text}
            for stage, text in stage_texts(model.key, reflection.stages or {})
        ],
        "applied": reflection.applied_text,
        "evidence": [e.label for e in content.evidence_of_reflection(reflection)],
    }


def _cycle(content: Content) -> dict | None:
    cycle = content.portfolio.cycle
    if cycle is None or content.scheme is None:
        return None
    return {
        "scheme": content.scheme.name,
        "enrolment": cycle.enrolment.label,
        "number": cycle.number,
        "start": cycle.start_date.isoformat(),
        "end": cycle.end_date.isoformat(),
        "rules": content.rules,
        "per_category_minutes": dict(content.minutes_by_category),
        # The rules and categories count the whole cycle, listed in this portfolio or not.
        "counted_activities_not_listed": content.cycle_not_listed,
        "note": content.cycle_note,
    }
