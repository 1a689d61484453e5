"""The pre-audit check of a cycle from the database: two queries on top of the cycle's counting
(each activity's first day, title and whether it has evidence; the cycle's claim statuses),
plus the vocabulary's when the cycle's scheme version has none — constant in the data's size."""

from dataclasses import replace

from sqlalchemy import String, and_, exists, or_, select, type_coerce

from cpd_log.claims import preaudit
from cpd_log.claims.services import statuses_of, vocabulary_for
from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityStatus, Evidence
from cpd_log.models.claim import ClaimStatus
from cpd_log.models.scheme import Allocation, Cycle
from cpd_log.schemes.progress import CycleView, Shown


def facts_of(user, cycle: Cycle, among=True) -> dict[int, preaudit.Facts]:
    """{activity id: Facts} for the user's completed activities that end within the cycle (of
    them, those matching `among`), and for those the cycle holds a claim status for wherever
    they are now."""
    evidence = exists().where(Evidence.activity_id == Activity.id)
    in_cycle = and_(
        Activity.status == ActivityStatus.COMPLETED,
        Activity.last_date >= cycle.start_date,
        Activity.last_date <= cycle.end_date,
    )
    wanted = and_(in_cycle, among)
    claimed = select(ClaimStatus.activity_id).where(ClaimStatus.cycle_id == cycle.id)
    rows = db.session.execute(
        select(Activity.id, Activity.start_date, evidence, Activity.title, in_cycle).where(
            Activity.user_id == user.id, or_(wanted, Activity.id.in_(claimed))
        )
    )
    return {
        aid: preaudit.Facts(started, bool(has), title, bool(inside))
        for aid, started, has, title, inside in rows
    }


def findings(user, cycle: Cycle, view: CycleView) -> list[preaudit.Finding]:
    """What an auditor would query in the cycle (`view`: its CycleView computed with lines)."""
    return preaudit.check(view, facts_of(user, cycle), statuses_of(cycle), vocabulary_for(cycle))


def suspects(cycle: Cycle, scheme, vocabulary) -> object:
    """A SQL condition on Activity that holds for every activity of the cycle the check could
    find something in (preaudit.py), and for few others: of a kind that wants a certificate
    with none attached, started before the cycle, longer than the per-activity maximum (a
    split never adds up to more than the activity), or with a claim status or the user's own
    split in the cycle. Checking only those finds the same, whatever the cycle's size."""
    evidence = exists().where(Evidence.activity_id == Activity.id)
    claimed = select(ClaimStatus.activity_id).where(ClaimStatus.cycle_id == cycle.id)
    split = select(Allocation.activity_id).where(Allocation.cycle_id == cycle.id)
    maximum = scheme.activity_max
    return or_(
        and_(type_coerce(Activity.kind, String).in_(vocabulary.certificate_kinds), ~evidence),
        Activity.start_date < cycle.start_date,
        *([Activity.minutes > maximum] if maximum is not None else []),
        Activity.id.in_(claimed),
        Activity.id.in_(split),
    )


def page_findings(user, cycle: Cycle, view: CycleView) -> list[preaudit.Finding]:
    """`findings`, reading only the suspects (`view`: computed without lines, with lines_for)."""
    vocabulary = vocabulary_for(cycle)
    condition = suspects(cycle, view.scheme, vocabulary)
    lines = view.lines_for(Shown(condition))
    facts = facts_of(user, cycle, condition)
    return preaudit.check(replace(view, lines=lines), facts, statuses_of(cycle), vocabulary)
