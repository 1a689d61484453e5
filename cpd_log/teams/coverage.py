"""The team's competency coverage: the team framework's areas and competencies × the members who
share their coverage, over the last two years, and the gaps nobody covers.

Each member's figures are those of the member's own heat-map of the framework
(cpd_log/competencies/coverage.py): an activity counts where it is tagged, or where its tags in
another framework reach through the crosswalks the member counts with (the shipped ones with the
member's overrides, the member's own, their teams'), so a member who tags in a framework of their
own is read their way (issue 18). The lead's own crosswalks are never used: they would read the
members' tags the lead's way. A member's figures are kept until their data changes
(cpd_log/teams/progress.py; a change to a shipped or a team's framework or crosswalk raises
every user's data version): one query for the framework's lines, and only when some member's
data changed the crosswalks (three), the competencies whose tags may reach the framework (one)
and those members' tagged activities (one, three values a row), at any team size.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, cast, func, or_, select

from cpd_log.competencies import coverage
from cpd_log.competencies.coverage import Line, Quarter
from cpd_log.competencies.coverage_loading import lines as framework_lines
from cpd_log.competencies.heatmap import STEPS
from cpd_log.crosswalks.loading import framework_in, members_page_crosswalks
from cpd_log.crosswalks.mapping import framework_key
from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityStatus, Competency, Framework
from cpd_log.models.activity import activity_competency
from cpd_log.teams.progress import member_progress

# The share of sharing members covering a line, in four steps above none, drawn with every other
# colour of the personal heat-map's scale (cpd_log/competencies/heatmap.py STEPS) as CSS classes
# team-share-0…4 (the page's policy allows no inline style; app.css holds them).
SHARE_STEPS = (0.0, 0.25, 0.5, 0.75)
SHARE_COLOURS = (STEPS[0], STEPS[2], STEPS[4], STEPS[6])


@dataclass(frozen=True)
class CoverageRow:
    line: Line
    by_member: tuple[int, ...]  # minutes, one per member in the order of TeamCoverage.members
    members: int  # how many members cover it
    minutes: int  # all members' minutes
    share_step: int  # 0: nobody, 1-4: up to a quarter, half, three quarters, all

    @classmethod
    def of(cls, line: Line, by_member: tuple[int, ...]) -> "CoverageRow":
        members = sum(1 for m in by_member if m)
        share = members / len(by_member) if by_member else 0
        step = sum(1 for floor in SHARE_STEPS if share > floor)
        return cls(line, by_member, members, sum(by_member), step)

    @property
    def gap(self) -> bool:
        return self.members == 0


@dataclass(frozen=True)
class TeamCoverage:
    framework: Framework
    members: tuple  # memberships, in column order
    rows: tuple[CoverageRow, ...]
    start: date
    end: date

    @property
    def gaps(self) -> list[Line]:
        """Competencies (not areas) no member covers."""
        return [row.line for row in self.rows if row.gap and row.line.area is not None]


def team_coverage(framework: Framework, memberships: list, today: date) -> TeamCoverage:
    quarters = coverage.quarters(today)
    span = Quarter(quarters[0].start, quarters[-1].end)
    lines = framework_lines(framework)

    def count(users) -> dict[int, dict[int, int]]:
        """{user id: {line id: minutes}} of the members whose figures are not kept."""
        key = framework_key(framework.slug, framework.owner_id, framework.team_id)
        walks = members_page_crosswalks(users, {user.id: {key} for user in users})
        return _minutes([u.id for u in users], _reach(framework, key, walks, lines), span)

    parts = ("coverage", framework.id, span.start.isoformat(), span.end.isoformat())
    kept = member_progress().each([m.user for m in memberships], parts, count)
    figures = [kept[m.user_id] for m in memberships]
    rows = [
        CoverageRow.of(line, tuple(member.get(line.id, 0) for member in figures)) for line in lines
    ]
    return TeamCoverage(framework, tuple(memberships), tuple(rows), span.start, span.end)


def _reach(framework, key: str, walks: dict, lines) -> dict[int, dict[int, frozenset]]:
    """{user id: {competency id: the lines a tag on it counts toward}}: of the framework's
    competencies and those of the frameworks the member's crosswalks join to it. A tag here
    counts toward its own line and its area's, a tag elsewhere toward those of every code it
    reaches by a counting relation (the personal heat-map's rule, cpd_log/competencies/
    coverage.py). Members counting with the same crosswalks share one. One query."""
    areas = {line.code: line.id for line in lines if line.area is None}
    of_code: dict[str, set[int]] = defaultdict(set)
    for line in lines:
        of_code[line.code].add(line.id)
        if line.area in areas:
            of_code[line.code].add(areas[line.area])
    others = {uid: walk.frameworks_into({key}) - {key} for uid, walk in walks.items()}
    rows = db.session.execute(
        select(Competency.id, Competency.framework_id, Competency.code)
        .add_columns(Framework.slug, Framework.owner_id, Framework.team_id)
        .join(Framework, Framework.id == Competency.framework_id)
        .where(
            or_(
                Framework.id == framework.id, framework_in(Framework, set().union(*others.values()))
            )
        )
    ).all()
    shared: dict[tuple, dict[int, frozenset]] = {}
    found = {}
    for uid, walk in walks.items():
        # the same versions, overrides and edits make the same map (PageCrosswalks.for_cycle)
        versions = frozenset(version.id for version in walk.versions)
        alike = (frozenset(others[uid]), versions, tuple(walk.overrides), tuple(walk.edited))
        if alike not in shared:
            crosswalks = walk.for_cycle(None)
            shared[alike] = _reached(rows, framework, key, others[uid], crosswalks, of_code)
        found[uid] = shared[alike]
    return found


def _reached(rows, framework, key: str, others: set[str], crosswalks, of_code) -> dict:
    found = {}
    for cid, framework_id, code, slug, owner, team in rows:
        if framework_id == framework.id:
            codes = {code}
        elif (tag := (framework_key(slug, owner, team), code))[0] in others:
            codes = crosswalks.reached({tag}, key)
        else:
            continue
        reached = frozenset(line for code in codes for line in of_code.get(code, ()))
        if reached:
            found[cid] = reached
    return found


def _minutes(user_ids, reach: dict, span: Quarter) -> dict[int, dict[int, int]]:
    """{user id: {line id: minutes}}: each completed activity that ended in the span counted once
    toward every line one of its tags reaches (`reach`: the member's, by user id). One query for
    every member, a row per tagged activity with its competency ids in one text column (a row
    per tag cost three times the time; which tags reach a line is looked up here, a filter in
    SQL made SQLite probe the tag table's key once per competency)."""
    found: dict[int, dict[int, int]] = {uid: defaultdict(int) for uid in user_ids}
    if not user_ids:
        return {}
    by_text = {uid: {str(cid): lines for cid, lines in reach[uid].items()} for uid in user_ids}
    ended = Activity.last_date
    rows = db.session.connection().execute(
        select(Activity.user_id, Activity.minutes, _joined(activity_competency.c.competency_id))
        .select_from(Activity)
        .join(activity_competency, activity_competency.c.activity_id == Activity.id)
        .where(
            Activity.user_id.in_(user_ids),
            Activity.status == ActivityStatus.COMPLETED,
            span.start <= ended,
            span.end >= ended,
        )
        .group_by(Activity.id)
    )
    nothing = frozenset()
    for user_id, minutes, tags in rows:
        theirs = by_text[user_id]
        lines = nothing.union(*(theirs.get(tag, nothing) for tag in tags.split(",")))
        counted = found[user_id]
        for line in lines:
            counted[line] += minutes
    return {uid: dict(counted) for uid, counted in found.items()}


def _joined(column):
    """SQL: a group's values of an integer column as one comma-separated text, in any order."""
    if db.engine.dialect.name == "postgresql":
        return func.string_agg(cast(column, String), ",")
    return func.group_concat(column, ",")
