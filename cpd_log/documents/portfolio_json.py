"""The portfolio as data (portfolio.json in the ZIP bundle): plain data out of `gather()`.

Each activity carries the fields of the activities CSV, in its words (account/activity_csv.py).
"""

from cpd_log.account.activity_csv import activity_row
from cpd_log.portfolio.services import Content
from cpd_log.reflections.reflective_models import REFLECTIVE_MODELS, stage_texts


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
    model = REFLECTIVE_MODELS.get(reflection.model, REFLECTIVE_MODELS["free"])
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
