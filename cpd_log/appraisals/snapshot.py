"""The frozen copy of a portfolio an appraiser reads (cpd_log/models/appraisal.py says why).

`take()` renders what `portfolio.services.gather()` collects — the one function every portfolio
output uses — into plain JSON: the activities (with their competencies, the scheme categories
they count toward and their evidence's names), the reflections (each stage's text) and, for a
scheme cycle, the rules engine's verdict. Evidence files are named, not copied: the appraiser
sees what exists, the files stay the member's.

The snapshot carries a version (SNAPSHOT_VERSION); `activities()` and friends read every version
so far with defaults for what an older one lacks.
"""

from cpd_log.portfolio import cycle_report
from cpd_log.portfolio import services as portfolio_services
from cpd_log.portfolio.reflection_selection import model_name
from cpd_log.reflections.reflective_models import stage_texts

SNAPSHOT_VERSION = 1


def cycle_label(portfolio) -> str:
    """The scheme cycle a portfolio covers, in words ("" for a plain period)."""
    return cycle_report.cycle_label(portfolio.cycle) if portfolio.cycle else ""


def take(portfolio) -> dict:
    """The portfolio's present content as JSON-ready data (a fixed number of queries)."""
    content = portfolio_services.gather(portfolio)
    return {
        "version": SNAPSHOT_VERSION,
        "owner": content.owner.display_name,
        "period": content.period,
        "cycle": cycle_label(portfolio),
        "total_minutes": content.total_minutes,
        "activities": [_activity(content, a) for a in content.activities],
        "reflections": [_reflection(r) for r in content.reflection_list],
        "rules": [
            {"name": r["name"], "met": bool(r["met"]), "detail": r["detail"]} for r in content.rules
        ],
    }


def _activity(content, activity) -> dict:
    return {
        "id": activity.id,
        "title": activity.title,
        "kind": activity.kind.label,
        "provider": activity.provider or "",
        "start": activity.start_date.isoformat(),
        "end": activity.end_date.isoformat() if activity.end_date else None,
        "minutes": activity.minutes,
        "delivery": activity.delivery.label,
        "description": activity.description or "",
        "objective": activity.objective or "",
        "competencies": [f"{c.code} {c.name}" for c in activity.competencies],
        "categories": content.categories_of(activity) if content.scheme else [],
        "evidence": [entry.evidence.label for entry in content.evidence_of(activity)],
    }


def _reflection(reflection) -> dict:
    return {
        "id": reflection.id,
        "title": reflection.title,
        "model": model_name(reflection.model),
        "date": reflection.reflected_on.isoformat(),
        "activity": reflection.activity.title if reflection.activity else "",
        "stages": [
            [stage.label, text]
            for stage, text in stage_texts(reflection.model, reflection.stages)
            if text
        ],
    }


def activities(snapshot: dict) -> list[dict]:
    return list(snapshot.get("activities") or [])


def activity_title(snapshot: dict, activity_id: int) -> str | None:
    """The title of a submitted activity, or None when the snapshot has no such activity."""
    for activity in activities(snapshot):
        if activity.get("id") == activity_id:
            return activity.get("title", "")
    return None
