"""Self-assessments and goals in the account export, and their import.

Competencies are referenced as elsewhere in the file (framework slug, owner, code); a goal's linked
activities by their keys in the same file. Import skips a record already present (same creation
time, competency and level), so re-importing changes nothing.
"""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cpd_log.access import owned
from cpd_log.extensions import db
from cpd_log.models import Activity, Competency, Goal, SelfAssessment
from cpd_log.models.development import GoalStatus

ASSESSMENT_FIELDS = {"level": int, "assessed_on": date, "note": str, "created_at": datetime}
GOAL_FIELDS = {
    "target_level": int,
    "due_on": date,
    "status": GoalStatus,
    "note": str,
    "created_at": datetime,
}


def export_development(user, activity_keys: dict[int, str], out, ref) -> dict:
    """`out` turns a value into JSON, `ref` a competency into its reference (transfer.py)."""
    assessments = db.session.scalars(
        owned(SelfAssessment, user)
        .options(selectinload(SelfAssessment.competency).selectinload(Competency.framework))
        .order_by(SelfAssessment.created_at, SelfAssessment.id)
    )
    goals = db.session.scalars(
        owned(Goal, user)
        .options(
            selectinload(Goal.competency).selectinload(Competency.framework),
            selectinload(Goal.activities),
        )
        .order_by(Goal.created_at, Goal.id)
    )
    return {
        "self_assessments": [
            {"competency": ref(a.competency), **{n: out(getattr(a, n)) for n in ASSESSMENT_FIELDS}}
            for a in assessments
        ],
        "goals": [
            {
                "competency": ref(g.competency),
                **{n: out(getattr(g, n)) for n in GOAL_FIELDS},
                "activities": sorted(activity_keys[a.id] for a in g.activities),
            }
            for g in goals
        ],
    }


def import_development(user, document: dict, activity_ids: dict, resolve, read) -> int:
    """Add the file's self-assessments and goals; `read` is account_import's reader (fields,
    lists, moments). Returns how many records were added."""
    added = 0
    seen = {
        (read.moment(a.created_at), a.competency_id, a.level)
        for a in db.session.scalars(owned(SelfAssessment, user))
    }
    for n, record in enumerate(read.list(document, "self_assessments", "File"), start=1):
        where = f"Self-assessment {n}"
        values = read.fields(record, ASSESSMENT_FIELDS, where)
        competency_id = resolve(record.get("competency"), where)
        key = (read.moment(values["created_at"]), competency_id, values["level"])
        if key not in seen:
            db.session.add(SelfAssessment(user_id=user.id, competency_id=competency_id, **values))
            seen.add(key)
            added += 1
    return added + _import_goals(user, document, activity_ids, resolve, read)


def _import_goals(user, document: dict, activity_ids: dict, resolve, read) -> int:
    added = 0
    seen = {
        (read.moment(g.created_at), g.competency_id, g.target_level)
        for g in db.session.scalars(owned(Goal, user))
    }
    for n, record in enumerate(read.list(document, "goals", "File"), start=1):
        where = f"Goal {n}"
        values = read.fields(record, GOAL_FIELDS, where)
        competency_id = resolve(record.get("competency"), where)
        key = (read.moment(values["created_at"]), competency_id, values["target_level"])
        if key in seen:
            continue
        linked = [
            activity_ids[k] for k in read.list(record, "activities", where) if k in activity_ids
        ]
        goal = Goal(user_id=user.id, competency_id=competency_id, **values)
        goal.activities = list(db.session.scalars(select(Activity).where(Activity.id.in_(linked))))
        db.session.add(goal)
        seen.add(key)
        added += 1
    return added
