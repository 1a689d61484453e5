"""Self-assessments and goals in the account export, and their import.

Competencies are referenced as elsewhere in the file (framework slug, owner, code); a goal's linked
activities by their keys in the same file. Import skips a record already present (same creation
time, competency and level), so re-importing changes nothing.
"""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cpd_log.access import owned
from cpd_log.account.account_format import record
from cpd_log.account.codec import Reader, Seen, write
from cpd_log.account.transfer import reference
from cpd_log.extensions import db
from cpd_log.models import Activity, Competency, Goal, SelfAssessment


def export_development(user, activity_keys: dict[int, str]) -> dict:
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
            write(record("self_assessment"), a, competency=reference(a.competency))
            for a in assessments
        ],
        "goals": [
            write(
                record("goal"),
                g,
                competency=reference(g.competency),
                activities=sorted(activity_keys[a.id] for a in g.activities),
            )
            for g in goals
        ],
    }


def import_development(user, document: dict, activity_ids: dict, resolve, reader: Reader) -> int:
    """Add the file's self-assessments and goals (`document`: its values as `reader` read them).
    Returns how many records were added."""
    added = 0
    seen = Seen(record("self_assessment"), db.session.scalars(owned(SelfAssessment, user)))
    for where, _, values in reader.each(
        "self_assessment", document["self_assessments"], "Self-assessment"
    ):
        values["competency_id"] = resolve(values.pop("competency"), where)
        if seen.get(values) is None:
            assessment = SelfAssessment(user_id=user.id, **values)
            db.session.add(assessment)
            seen.add(values, assessment)
            added += 1
    return added + _import_goals(user, document, activity_ids, resolve, reader)


def _import_goals(user, document: dict, activity_ids: dict, resolve, reader: Reader) -> int:
    added = 0
    seen = Seen(record("goal"), db.session.scalars(owned(Goal, user)))
    for where, _, values in reader.each("goal", document["goals"], "Goal"):
        values["competency_id"] = resolve(values.pop("competency"), where)
        keys = values.pop("activities")
        if seen.get(values) is not None:
            continue
        linked = [activity_ids[k] for k in keys if k in activity_ids]
        goal = Goal(user_id=user.id, **values)
        goal.activities = list(db.session.scalars(select(Activity).where(Activity.id.in_(linked))))
        db.session.add(goal)
        seen.add(values, goal)
        added += 1
    return added
