"""The claim list of a cycle from the database, and saving a claim's status. Services flush;
views commit. A constant number of queries per page: the cycle's counting (schemes.progress),
the activities' details, the statuses, and one query per extra source the vocabulary uses."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from cpd_log.access import shipped
from cpd_log.claims.cards import NEEDS_LOADING, ActivityDetails, Card, Status, Totals, card, totals
from cpd_log.claims.vocabulary import Vocabulary
from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityStatus, Competency, Evidence, Reflection
from cpd_log.models.activity import activity_competency
from cpd_log.models.claim import ClaimStatus
from cpd_log.models.scheme import Cycle, Scheme
from cpd_log.models.types import utcnow
from cpd_log.schemes import progress, rules


@dataclass(frozen=True)
class ClaimList:
    view: progress.CycleView
    vocabulary: Vocabulary
    cards: list[Card]
    totals: Totals


def vocabulary_for(cycle: Cycle) -> Vocabulary:
    """The vocabulary of the cycle's scheme version. A cycle measured with a version from before
    its file had one borrows the newest version's: the body's words are not counting rules."""
    if "claims" in cycle.scheme.content:
        return Vocabulary.of(cycle.scheme.content)
    owner, team = cycle.scheme.owner_id, cycle.scheme.team_id
    if team is not None:
        whose = Scheme.team_id == team
    else:
        whose = shipped(Scheme) if owner is None else Scheme.owner_id == owner
    newest = db.session.scalar(
        select(Scheme.content)
        .where(Scheme.slug == cycle.scheme.slug, whose)
        .order_by(Scheme.id.desc())
        .limit(1)
    )
    return Vocabulary.of(newest or {})


def counted_shares(view: progress.CycleView) -> dict[int, tuple[tuple[str, int], ...]]:
    """{activity id: its shares that count (after the per-activity limits and steps)}, in the
    cycle page's order; activities that count toward nothing are left out."""
    found = {}
    for line in view.lines:
        counted = rules.count_activity(view.scheme, tuple(line.split.items()))
        shares = tuple((code, minutes) for code, minutes in counted.shares if minutes > 0)
        if shares:
            found[line.activity.id] = shares
    return found


def claim_list(user, cycle: Cycle, today: date) -> ClaimList:
    cycles = progress.with_predecessors([cycle])
    view = progress.compute(user, cycles, today, lines_of={cycle.id})[cycle.id]
    vocabulary = vocabulary_for(cycle)
    counted = counted_shares(view)
    details = _details(user, cycle, {f.source for f in vocabulary.fields} & NEEDS_LOADING)
    statuses = statuses_of(cycle)
    cards = [
        card(vocabulary, view.scheme, details[aid], shares, statuses.get(aid, Status()))
        for aid, shares in counted.items()
        if aid in details
    ]
    return ClaimList(view, vocabulary, cards, totals(cards, view.progress.rule("total").needed))


def statuses_of(cycle: Cycle) -> dict[int, Status]:
    rows = db.session.scalars(select(ClaimStatus).where(ClaimStatus.cycle_id == cycle.id))
    return {
        row.activity_id: Status(
            row.state, row.claimed_on, row.reference, row.reason, row.body_type, row.claimed_minutes
        )
        for row in rows
    }


def _in_cycle(user, cycle: Cycle) -> tuple:
    return (
        Activity.user_id == user.id,
        Activity.status == ActivityStatus.COMPLETED,
        Activity.last_date >= cycle.start_date,
        Activity.last_date <= cycle.end_date,
    )


def _details(user, cycle: Cycle, extra: set[str]) -> dict[int, ActivityDetails]:
    """The completed activities of the cycle's span by id, with the extra sources asked for."""
    where = _in_cycle(user, cycle)
    more: dict[str, dict[int, object]] = {name: {} for name in extra}
    if "competencies" in extra:
        names = defaultdict(list)
        for aid, name in db.session.execute(
            select(Activity.id, Competency.name)
            .join(activity_competency, activity_competency.c.activity_id == Activity.id)
            .join(Competency, Competency.id == activity_competency.c.competency_id)
            .where(*where)
            .order_by(Activity.id, Competency.name)
        ):
            names[aid].append(name)
        more["competencies"] = {aid: tuple(found) for aid, found in names.items()}
    if "evidence" in extra:
        titles = defaultdict(list)
        for aid, title, original, url in db.session.execute(
            select(Activity.id, Evidence.title, Evidence.original_name, Evidence.url)
            .join(Evidence, Evidence.activity_id == Activity.id)
            .where(*where)
            .order_by(Evidence.id)
        ):
            titles[aid].append(title or original or url)
        more["evidence"] = {aid: tuple(found) for aid, found in titles.items()}
    if "applied" in extra:
        more["applied"] = _applied_notes(user, where)
    columns = (Activity.id, Activity.title, Activity.kind, Activity.delivery, Activity.provider)
    columns += (Activity.start_date, Activity.end_date, Activity.minutes, Activity.participatory)
    columns += (Activity.description, Activity.objective, Activity.url)
    found = {}
    for row in db.session.execute(select(*columns).where(*where)):
        values = {name: more[name][row.id] for name in extra if row.id in more[name]}
        found[row.id] = ActivityDetails(
            row.id,
            row.title,
            row.kind.value,
            row.delivery.value,
            *row[4:],
            **values,
        )
    return found


def _applied_notes(user, where: tuple) -> dict[int, str]:
    """Each activity's newest "how did you apply it?" note (drafts never count as evidence)."""
    rows = db.session.execute(
        select(Reflection.activity_id, Reflection.applied_text)
        .join(Activity, Activity.id == Reflection.activity_id)
        .where(
            *where,
            Reflection.user_id == user.id,
            Reflection.is_draft.is_(False),
            Reflection.applied_text.is_not(None),
        )
        .order_by(Reflection.applied_on, Reflection.id)
    )
    return dict(rows.all())


def save_status(user, cycle: Cycle, activity_id: int, status: Status) -> None:
    """Write one activity's status in one cycle. One INSERT … ON CONFLICT DO UPDATE: two tabs
    saving the first status at once make one row, the later save winning."""
    values = {
        "state": status.state,
        "claimed_on": status.claimed_on,
        "reference": status.reference,
        "reason": status.reason,
        "body_type": status.body_type,
        "claimed_minutes": status.claimed_minutes,
        "updated_at": utcnow(),
    }
    dialect = sqlite if db.session.get_bind().dialect.name == "sqlite" else postgresql
    statement = dialect.insert(ClaimStatus).values(
        user_id=user.id, cycle_id=cycle.id, activity_id=activity_id, **values
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[ClaimStatus.cycle_id, ClaimStatus.activity_id], set_=values
        )
    )
    db.session.flush()
