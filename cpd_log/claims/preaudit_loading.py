"""The pre-audit check of a cycle from the database: two queries on top of the cycle's counting
(each activity's first day, title and whether it has evidence; the cycle's claim statuses),
plus the vocabulary's when the cycle's scheme version has none — constant in the data's size."""

from sqlalchemy import and_, exists, or_, select

from cpd_log.claims import preaudit
from cpd_log.claims.services import statuses_of, vocabulary_for
from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityStatus, Evidence
from cpd_log.models.claim import ClaimStatus
from cpd_log.models.scheme import Cycle
from cpd_log.schemes.progress import CycleView


def facts_of(user, cycle: Cycle) -> dict[int, preaudit.Facts]:
    """{activity id: Facts} for the user's completed activities that end within the cycle, and
    for those the cycle holds a claim status for wherever they are now."""
    evidence = exists().where(Evidence.activity_id == Activity.id)
    in_cycle = and_(
        Activity.status == ActivityStatus.COMPLETED,
        Activity.last_date >= cycle.start_date,
        Activity.last_date <= cycle.end_date,
    )
    claimed = select(ClaimStatus.activity_id).where(ClaimStatus.cycle_id == cycle.id)
    rows = db.session.execute(
        select(Activity.id, Activity.start_date, evidence, Activity.title, in_cycle).where(
            Activity.user_id == user.id, or_(in_cycle, Activity.id.in_(claimed))
        )
    )
    return {
        aid: preaudit.Facts(started, bool(has), title, bool(inside))
        for aid, started, has, title, inside in rows
    }


def findings(user, cycle: Cycle, view: CycleView) -> list[preaudit.Finding]:
    """What an auditor would query in the cycle (`view`: its CycleView computed with lines)."""
    return preaudit.check(view, facts_of(user, cycle), statuses_of(cycle), vocabulary_for(cycle))
