"""The team's competency coverage: the team framework's areas and competencies × the members who
share their coverage, over the last two years, and the gaps nobody covers.

Counting is the personal heat-map's (cpd_log/competencies/coverage.py): a member's activity
counts where it is tagged, or where its tags in another framework reach through a shipped
crosswalk. Only shipped crosswalks are used: a member's own crosswalks and overrides are theirs,
and the lead's would read the members' tags the lead's way. A member's figures are kept until
their data changes (cpd_log/teams/progress.py; a change to a shipped framework or crosswalk
raises every user's data version): one query for the framework's lines, and only when some
member's data changed the crosswalks (two) and those members' tags (one), at any team size.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from sqlalchemy import or_, select

from cpd_log.competencies import coverage
from cpd_log.competencies.coverage import Line, Logged, Quarter
from cpd_log.competencies.coverage_loading import lines as framework_lines
from cpd_log.competencies.heatmap import STEPS
from cpd_log.crosswalks.loading import framework_in, page_crosswalks
from cpd_log.crosswalks.mapping import framework_key
from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityStatus, Competency, Framework
from cpd_log.models.activity import activity_competency
from cpd_log.teams.progress import member_progress

# page_crosswalks(user, …) reads the shipped crosswalks plus the user's own: nobody's own here.
SHIPPED_ONLY = SimpleNamespace(id=None)


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
        # a team's framework: its team's crosswalks too (the lead's, published to members)
        crosswalks = page_crosswalks(SHIPPED_ONLY, {key}, framework.team_id)
        others = crosswalks.frameworks_into({key}) - {key}
        logged = _logged([u.id for u in users], framework, others, span)
        in_force = crosswalks.for_cycle(None)
        found = {}
        for user in users:
            table = coverage.by_quarter(lines, logged.get(user.id, ()), key, in_force, [span])
            found[user.id] = {line.id: table.row(line)[0].total for line in lines}
        return found

    parts = ("coverage", framework.id, span.start.isoformat(), span.end.isoformat())
    kept = member_progress().each([m.user for m in memberships], parts, count)
    figures = [kept[m.user_id] for m in memberships]
    rows = [
        CoverageRow.of(line, tuple(member.get(line.id, 0) for member in figures)) for line in lines
    ]
    return TeamCoverage(framework, tuple(memberships), tuple(rows), span.start, span.end)


def _logged(user_ids, framework, others: set[str], span: Quarter) -> dict[int, list[Logged]]:
    """{user id: the user's completed activities that ended in the span, with their tags in the
    framework (codes) and in `others` (by key)}: one query for every member."""
    if not user_ids:
        return {}
    ended = Activity.last_date
    rows = db.session.execute(
        select(Activity.user_id, Activity.id, Activity.minutes, ended, Competency.framework_id)
        .add_columns(Framework.slug, Framework.owner_id, Framework.team_id, Competency.code)
        .select_from(activity_competency)
        .join(Activity, Activity.id == activity_competency.c.activity_id)
        .join(Competency, Competency.id == activity_competency.c.competency_id)
        .join(Framework, Framework.id == Competency.framework_id)
        .where(
            Activity.user_id.in_(user_ids),
            Activity.status == ActivityStatus.COMPLETED,
            span.start <= ended,
            span.end >= ended,
            or_(Framework.id == framework.id, framework_in(Framework, others)),
        )
    )
    facts: dict[int, tuple[int, int, date]] = {}
    codes: dict[int, set] = defaultdict(set)
    elsewhere: dict[int, set] = defaultdict(set)
    for user_id, aid, minutes, day, framework_id, slug, owner, team, code in rows:
        facts[aid] = (user_id, minutes, day if isinstance(day, date) else date.fromisoformat(day))
        if framework_id == framework.id:
            codes[aid].add(code)
        else:
            elsewhere[aid].add((framework_key(slug, owner, team), code))
    found: dict[int, list[Logged]] = defaultdict(list)
    for aid, (user_id, minutes, day) in sorted(facts.items()):
        found[user_id].append(
            Logged(aid, minutes, day, frozenset(codes[aid]), frozenset(elsewhere[aid]))
        )
    return found
