"""Reading what the coverage heat-map counts, in four queries at any size: the frameworks the user
sees, the chosen one's areas and competencies, the crosswalks into it, and the tags of the
completed activities of the last two years in it or in a framework that reaches it."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from cpd_log.competencies import coverage
from cpd_log.competencies.coverage import Coverage, Line, Logged, Quarter
from cpd_log.competencies.services import seen_by, visible_frameworks
from cpd_log.crosswalks.loading import framework_in, page_crosswalks
from cpd_log.crosswalks.mapping import framework_key
from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityStatus, Competency, Framework
from cpd_log.models.activity import activity_competency

VIEWS = ("quarters", "frameworks")


@dataclass(frozen=True)
class CoveragePage:
    frameworks: list[Framework]  # every framework the user sees, to choose another
    quarters: list[Quarter]
    coverage: Coverage


def lines(framework: Framework) -> list[Line]:
    """The framework's areas, each followed by its competencies, in their order. One query."""
    rows = list(
        db.session.execute(
            select(Competency.id, Competency.code, Competency.name, Competency.parent_id)
            .where(Competency.framework_id == framework.id)
            .order_by(Competency.sort, Competency.id)
        )
    )
    areas = {cid: code for cid, code, _, parent in rows if parent is None}
    found = []
    for area_id, area_code in areas.items():
        found += [Line(cid, code, name) for cid, code, name, _ in rows if cid == area_id]
        found += [Line(cid, code, name, area_code) for cid, code, name, p in rows if p == area_id]
    return found


def logged(user, framework: Framework, others: set[str], start: date, end: date) -> list[Logged]:
    """The user's completed activities that ended within [start, end] with their tags in
    `framework` (codes) and in the `others` (by framework key). One query."""
    ended = Activity.last_date
    rows = db.session.execute(
        select(Activity.id, Activity.minutes, ended, Competency.framework_id, Framework.slug)
        .add_columns(Framework.owner_id, Framework.team_id, Competency.code)
        .select_from(activity_competency)
        .join(Activity, Activity.id == activity_competency.c.activity_id)
        .join(Competency, Competency.id == activity_competency.c.competency_id)
        .join(Framework, Framework.id == Competency.framework_id)
        .where(
            Activity.user_id == user.id,
            Activity.status == ActivityStatus.COMPLETED,
            start <= ended,
            end >= ended,
            or_(Framework.id == framework.id, framework_in(Framework, others)),
            seen_by(user),
        )
    )
    facts: dict[int, tuple[int, date]] = {}
    codes: dict[int, set] = {}
    elsewhere: dict[int, set] = {}
    for aid, minutes, day, framework_id, slug, owner, team, code in rows:
        facts[aid] = (minutes, day if isinstance(day, date) else date.fromisoformat(day))
        if framework_id == framework.id:
            codes.setdefault(aid, set()).add(code)
        else:
            elsewhere.setdefault(aid, set()).add((framework_key(slug, owner, team), code))
    return [
        Logged(aid, minutes, day, frozenset(codes.get(aid, ())), frozenset(elsewhere.get(aid, ())))
        for aid, (minutes, day) in sorted(facts.items())
    ]


def coverage_page(user, framework: Framework, today: date, view: str) -> CoveragePage:
    """The heat-map of `framework` over the last two years in the user's time zone, by quarter
    or (view "frameworks") by the framework each hour was tagged in."""
    frameworks = list(db.session.scalars(visible_frameworks(user).order_by(Framework.name)))
    quarters = coverage.quarters(today)
    key = framework_key(framework.slug, framework.owner_id, framework.team_id)
    crosswalks = page_crosswalks(user, {key})
    others = crosswalks.frameworks_into({key}) - {key}
    activities = logged(user, framework, others, quarters[0].start, quarters[-1].end)
    in_force = crosswalks.for_cycle(None)
    found = lines(framework)
    if view == "frameworks":
        named = {framework_key(fw.slug, fw.owner_id, fw.team_id): fw.name for fw in frameworks}
        names = {k: named.get(k, k) for k in sorted(others, key=lambda k: (named.get(k, k), k))}
        table = coverage.by_framework(found, activities, key, in_force, names)
    else:
        table = coverage.by_quarter(found, activities, key, in_force, quarters)
    return CoveragePage(frameworks, quarters, table)
