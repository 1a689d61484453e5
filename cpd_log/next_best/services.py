"""Reading what the next best activity needs (ranking.py ranks it): the frameworks the user
learns in, their competencies, and the user's latest self-assessment and open goal on each.
Four queries at any size, none when every active cycle's area minimums are met.
"""

from typing import NamedTuple

from sqlalchemy import or_, select, union

from cpd_log.competencies.gap import levels
from cpd_log.competencies.services import seen_by
from cpd_log.crosswalks.loading import framework_in
from cpd_log.crosswalks.mapping import framework_key
from cpd_log.extensions import db
from cpd_log.models import Activity, Competency, Framework, Goal, SelfAssessment
from cpd_log.models.activity import activity_competency
from cpd_log.next_best import ranking
from cpd_log.templating import hours

# The frameworks a user learns in are those of their goals, self-assessments and own frameworks,
# and those they tagged their latest activities in: enough to know how they think, and a bound
# on the query however long the log grows.
RECENT_ACTIVITIES = 100


class Shown(NamedTuple):
    """One suggestion as a page shows it."""

    sentence: str
    competency_id: int | None
    code: str


def suggestions(user, cycles, framework: Framework | None = None, limit=ranking.LIMIT) -> list:
    """Shown suggestions for the active `cycles` (CycleViews), best first; with `framework`,
    only its competencies (the gap view)."""
    needing = [
        ranking.CycleNeeds(view.cycle.label, view.scheme, view.progress, view.crosswalks)
        for view in cycles
    ]
    needing = [cycle for cycle in needing if ranking.needs(cycle)]
    if not needing:
        return []
    counted_in = {cycle.scheme.allocation["competencies"]["framework"] for cycle in needing}
    if framework is not None:
        found = _competences(user, Framework.id == framework.id, counted_in)
    else:
        found = _competences(user, framework_in(Framework, _in_use(user) | counted_in), counted_in)
    chosen = ranking.choose(ranking.rank(needing, found), limit)
    return [Shown(s.sentence(hours), s.competence.id, s.competence.tag[1]) for s in chosen]


def _in_use(user) -> set[str]:
    """The keys of the frameworks the user learns in (see RECENT_ACTIVITIES). One query."""
    recent = (
        select(Activity.id)
        .where(Activity.user_id == user.id)
        .order_by(Activity.start_date.desc(), Activity.id.desc())
        .limit(RECENT_ACTIVITIES)
    )
    tagged = select(activity_competency.c.competency_id).where(
        activity_competency.c.activity_id.in_(recent.scalar_subquery())
    )
    assessed = select(SelfAssessment.competency_id).where(SelfAssessment.user_id == user.id)
    aimed = select(Goal.competency_id).where(Goal.user_id == user.id)
    used = union(tagged, assessed, aimed).subquery()
    rows = db.session.execute(
        select(Framework.slug, Framework.owner_id, Framework.team_id)
        .distinct()
        .outerjoin(Competency, Competency.framework_id == Framework.id)
        .where(or_(Competency.id.in_(select(used)), Framework.owner_id == user.id))
    )
    return {framework_key(slug, owner, team) for slug, owner, team in rows}


def _competences(user, which, counted_in: set[str]) -> list[ranking.Competence]:
    """The competencies (and areas) of the frameworks `which` selects that the user sees, each
    tagged by its framework's key: a user's framework that shares a shipped one's slug is
    another framework, reaching only what its own crosswalks say. The frameworks the schemes
    count in come after those the user thinks in. Three queries."""
    rows = db.session.execute(
        select(Competency.id, Framework.slug, Framework.owner_id, Framework.team_id)
        .add_columns(Competency.code, Competency.name)
        .join(Framework, Framework.id == Competency.framework_id)
        .where(which, seen_by(user))
        .order_by(
            framework_in(Framework, counted_in),
            Framework.slug,
            Framework.owner_id.is_(None),
            Competency.sort,
            Competency.id,
        )
    ).all()
    ids = [row.id for row in rows]
    current, target = levels(user, ids)
    return [
        ranking.Competence(
            (framework_key(slug, owner, team), code),
            name,
            cid,
            current.get(cid),
            target.get(cid),
            order,
        )
        for order, (cid, slug, owner, team, code, name) in enumerate(rows)
    ]
