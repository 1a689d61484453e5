"""What count rules measure from reflections, per cycle: one query for all of a page's cycles,
whoever's they are (the lead's team page counts many members' at once).

- "reflections": reflective accounts written in the cycle (drafts never count; DESIGN §6, NMC-style
  revalidation asks for five).
- "reflective_statements": reflections whose "how did you apply it?" note was written in the
  cycle (APM asks for reflective statements on how the learning was applied).
"""

from sqlalchemy import and_, case, func, select

from cpd_log.extensions import db
from cpd_log.models import Reflection
from cpd_log.models.scheme import Cycle


def reflection_counts(cycles: list[Cycle]) -> dict[int, dict[str, int]]:
    """{cycle id: {"reflections": n, "reflective_statements": m}}, each cycle counting its own
    user's reflections."""
    counts = {cycle.id: {"reflections": 0, "reflective_statements": 0} for cycle in cycles}
    if not counts:
        return counts
    written = and_(
        Reflection.reflected_on >= Cycle.start_date, Reflection.reflected_on <= Cycle.end_date
    )
    applied = and_(
        Reflection.applied_text.is_not(None),
        Reflection.applied_text != "",
        Reflection.applied_on >= Cycle.start_date,
        Reflection.applied_on <= Cycle.end_date,
    )
    rows = db.session.execute(
        select(
            Cycle.id,
            func.sum(case((written, 1), else_=0)),
            func.sum(case((applied, 1), else_=0)),
        )
        .join(Reflection, Reflection.user_id == Cycle.user_id)
        .where(Cycle.id.in_(counts), Reflection.is_draft.is_(False))
        .group_by(Cycle.id)
    )
    for cycle_id, accounts, statements in rows:
        counts[cycle_id] = {
            "reflections": int(accounts or 0),
            "reflective_statements": int(statements or 0),
        }
    return counts
