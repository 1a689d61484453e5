"""Many users' active cycles at once, for a lead's team dashboard: the figures of each member's own
dashboard (progress.dashboard_cycles), counted by the same engine (counting.Counter, rules,
projections) from data read for every member together, in a number of queries that does not grow
with the team: enrolments and their cycles (four, plus one or two per distinct "today" among the
members, see services.sync_cycles), the frameworks schemes count in (two), the crosswalks (three),
the activities (two), the users' own splits (one) and reflections (one).

Activities a user split in one of the cycles, and every activity of a user whose schemes look at
tags, are read one by one (with their tags in the frameworks those schemes reach); the others are
read grouped by user, facts and last day, counted `times` over (counting.Logged): counting cannot
tell them apart, and a cycle's tally is by day.
"""

from bisect import bisect_left, bisect_right
from collections import defaultdict
from datetime import date

from sqlalchemy import and_, func, not_, or_, select
from sqlalchemy.orm import selectinload

from cpd_log.crosswalks.loading import framework_in, members_page_crosswalks
from cpd_log.crosswalks.mapping import framework_key
from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityStatus, Competency, Framework
from cpd_log.models.activity import activity_competency
from cpd_log.models.scheme import Allocation, Cycle, Enrolment
from cpd_log.schemes import loading, rules
from cpd_log.schemes.counting import Counter, Logged
from cpd_log.schemes.progress import CycleView, active_cycles, cycle_view, with_predecessors
from cpd_log.schemes.reflection_counts import reflection_counts
from cpd_log.schemes.services import sync_cycles
from cpd_log.schemes.splits import ActivityFacts


def members_cycles(users, today_of) -> dict[int, list[CycleView]]:
    """{user id: dashboard_cycles(user, today_of(user))} for every user in `users`."""
    if not users:
        return {}
    today = {user.id: today_of(user) for user in users}
    enrolments = _enrolments(users, today)
    active = {u.id: active_cycles(enrolments.get(u.id, []), today[u.id]) for u in users}
    cycles = {uid: with_predecessors(found) for uid, found in active.items()}
    everyone = [c for found in cycles.values() for c in found]
    schemes = _schemes(everyone)
    frameworks = {
        uid: {s.allocation["competencies"]["framework"] for s in _tagged(schemes, found)}
        for uid, found in cycles.items()
    }
    walks = members_page_crosswalks(users, frameworks)
    tagged_in = {uid: walks[uid].frameworks_into(keys) for uid, keys in frameworks.items()}
    spans = {
        uid: (min(c.start_date for c in found), max(c.end_date for c in found))
        for uid, found in cycles.items()
        if found
    }
    ids = [c.id for c in everyone]
    logged = _activities(spans, tagged_in, ids)
    overrides = loading.overrides(ids)
    counts = reflection_counts(everyone)
    found, shared = {}, {}
    for user in users:
        views = _count(cycles[user.id], schemes, walks[user.id], logged.get(user.id, []),
                       overrides, counts, today[user.id], shared)  # fmt: skip
        found[user.id] = [views[cycle.id] for cycle in active[user.id]]
    return found


def _tagged(schemes, cycles):
    return [schemes[c.scheme_id] for c in cycles if schemes[c.scheme_id].tagged]


def _enrolments(users, today: dict[int, date]) -> dict[int, list[Enrolment]]:
    """Each user's enrolments with their cycles brought up to the user's today, as
    services.user_enrolments reads them for one user."""
    rows = db.session.scalars(
        select(Enrolment)
        .where(Enrolment.user_id.in_([u.id for u in users]))
        .options(
            selectinload(Enrolment.scheme),
            selectinload(Enrolment.cycles).selectinload(Cycle.scheme),
            selectinload(Enrolment.cycles).selectinload(Cycle.enrolment),
        )
        .order_by(Enrolment.start_date, Enrolment.id)
    )
    found: dict[int, list[Enrolment]] = defaultdict(list)
    for enrolment in rows:
        found[enrolment.user_id].append(enrolment)
    by_day: dict[date, list[Enrolment]] = defaultdict(list)
    for user_id, theirs in found.items():
        by_day[today[user_id]].extend(theirs)
    for day, theirs in by_day.items():
        sync_cycles(theirs, day)
    return found


def _schemes(cycles: list[Cycle]) -> dict[int, rules.SchemeRules]:
    """progress._schemes for many users: the rules of each cycle's scheme by scheme id, the
    competency rule naming its framework by key (a user's own scheme counts in its owner's
    framework of the slug where they have one, a team's in the team's). Two queries at most."""
    found = {c.scheme_id: rules.SchemeRules.from_dict(c.scheme.content) for c in cycles}
    tagged = {c.scheme_id: c.scheme for c in cycles if found[c.scheme_id].tagged}
    slug_of = {sid: found[sid].allocation["competencies"]["framework"] for sid in tagged}
    # a user's own scheme counts in the framework of the user following it (progress._schemes)
    theirs = {c.scheme_id: c.user_id for c in cycles if c.scheme_id in tagged and c.scheme.owner_id}
    teams = {sid: s.team_id for sid, s in tagged.items() if s.team_id is not None}
    if theirs:
        owned = {
            tuple(row)
            for row in db.session.execute(
                select(Framework.owner_id, Framework.slug).where(
                    Framework.owner_id.in_(sorted(set(theirs.values()))),
                    Framework.slug.in_({slug_of[sid] for sid in theirs}),
                )
            )
        }
        for sid, owner in theirs.items():
            mine = (owner, slug_of[sid]) in owned
            found[sid] = found[sid].counting_in(
                framework_key(slug_of[sid], owner if mine else None)
            )
    if teams:
        owned = {
            tuple(row)
            for row in db.session.execute(
                select(Framework.team_id, Framework.slug).where(
                    Framework.team_id.in_(set(teams.values())),
                    Framework.slug.in_({slug_of[sid] for sid in teams}),
                )
            )
        }
        for sid, team in teams.items():
            ours = (team, slug_of[sid]) in owned
            found[sid] = found[sid].counting_in(
                framework_key(slug_of[sid], None, team if ours else None)
            )
    return found


def _activities(spans, tagged_in, cycle_ids) -> dict[int, list[Logged]]:
    """{user id: the user's completed activities that ended within the user's span, sorted by
    that day}: one by one (with their tags in `tagged_in`, the frameworks the user's schemes
    reach) those split in one of the cycles and every activity of a user whose schemes look at
    tags; the others grouped by facts and day. Three queries at most."""
    if not spans:
        return {}
    spanned = or_(
        *(
            and_(Activity.user_id == uid, start <= loading.LAST_DAY, end >= loading.LAST_DAY)
            for uid, (start, end) in spans.items()
        )
    )
    completed = and_(Activity.status == ActivityStatus.COMPLETED, spanned)
    looking = sorted(uid for uid in spans if tagged_in.get(uid))
    split = Activity.id.in_(
        select(Allocation.activity_id).where(Allocation.cycle_id.in_(cycle_ids))
    )
    alone = or_(split, Activity.user_id.in_(looking))
    tags = _tags(completed, looking, tagged_in)
    shared: dict[tuple, ActivityFacts] = {}

    def facts(*key) -> ActivityFacts:
        return shared.get(key) or shared.setdefault(key, ActivityFacts(*key))

    found: dict[int, list[Logged]] = defaultdict(list)
    rows = db.session.connection().execute(
        select(Activity.user_id, Activity.id, *loading.PLAIN).where(completed, alone)
    )
    for uid, aid, kind, minutes, participatory, day in rows:
        key = facts(kind, minutes, participatory, frozenset(tags.get(aid, ())))
        found[uid].append(Logged(aid, "", _day(day), key))
    rows = db.session.connection().execute(
        select(Activity.user_id, *loading.PLAIN, func.count())
        .where(completed, not_(alone))
        .group_by(Activity.user_id, *loading.PLAIN)
    )
    for uid, kind, minutes, participatory, day, times in rows:
        found[uid].append(Logged(None, "", _day(day), facts(kind, minutes, participatory,
                                                            frozenset()), times))  # fmt: skip
    for theirs in found.values():
        theirs.sort(key=lambda activity: activity.last_date)
    return found


def _tags(completed, looking: list[int], tagged_in) -> dict[int, set]:
    """{activity id: {(framework key, code)}} of the tags of the users `looking` at tags, in the
    frameworks each one's schemes reach: one query (none when nobody looks)."""
    found: dict[int, set] = defaultdict(set)
    if not looking:
        return found
    rows = db.session.connection().execute(
        select(Activity.id, Framework.slug, Framework.owner_id, Framework.team_id, Competency.code)
        .select_from(activity_competency)
        .join(Activity, Activity.id == activity_competency.c.activity_id)
        .join(Competency, Competency.id == activity_competency.c.competency_id)
        .join(Framework, Framework.id == Competency.framework_id)
        .where(
            completed,
            or_(
                *(
                    and_(Activity.user_id == uid, framework_in(Framework, tagged_in[uid]))
                    for uid in looking
                )
            ),
        )
    )
    for aid, slug, owner, team, code in rows:
        found[aid].add((framework_key(slug, owner, team), code))
    return found


def _day(value: date | str) -> date:
    """PostgreSQL sends a date, SQLite ISO text (see loading.py)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _count(cycles, schemes, walks, activities, overrides, counts, today: date, shared) -> dict:
    """One user's CycleView per cycle id, as progress.compute counts them. Users counting a
    scheme with the same crosswalks share one Counter (`shared`) and its memos: the same
    versions, overrides and edits on the same day make the same map (PageCrosswalks.for_cycle)."""
    versions = frozenset(version.id for version in walks.versions)
    same = (versions, tuple(walks.overrides), tuple(walks.edited))
    counters = {}
    for cycle in cycles:
        ended = cycle.end_date if cycle.is_closed(today) else None
        key = (cycle.scheme_id, ended, same)
        if key not in shared:
            shared[key] = Counter(schemes[cycle.scheme_id], walks.for_cycle(ended))
        counters[cycle.id] = shared[key]
    days = [activity.last_date for activity in activities]
    views: dict[int, CycleView] = {}
    carry: dict[tuple[int, int], int] = {}
    for cycle in sorted(cycles, key=lambda c: (c.enrolment_id, c.number)):
        counter = counters[cycle.id]
        first, last = bisect_left(days, cycle.start_date), bisect_right(days, cycle.end_date)
        tally = counter.tally(activities[first:last], overrides.get(cycle.id, {}))
        progress = tally.progress(
            counts[cycle.id], carry.get((cycle.enrolment_id, cycle.number), 0)
        )
        carry_out = rules.carry_over(counter.scheme, progress, cycle.end_date)
        carry[(cycle.enrolment_id, cycle.number + 1)] = carry_out
        views[cycle.id] = cycle_view(cycle, counter, [], progress, carry_out, today)
    return views
