"""Portfolio operations and `gather()`, the one function that collects what a portfolio shows.

Every output (HTML preview, PDF, ZIP, the reviewer's page) renders what `gather()` returns:
activities, reflections and, for a scheme cycle, its rules and categories
(reflection_selection.py, cycle_report.py).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy.orm import selectinload

from cpd_log.access import owned
from cpd_log.documents import job_files
from cpd_log.extensions import db
from cpd_log.models import Activity, Competency, Evidence, Portfolio, Reflection, User
from cpd_log.models.activity import activity_competency
from cpd_log.models.appraisal import Appraisal, AppraisalState
from cpd_log.portfolio import cycle_report, reflection_selection


def matching_query(user, criteria: dict) -> Select:
    """The user's activities inside the date range and tagged with any chosen competency."""
    query = owned(Activity, user)
    if criteria.get("date_from"):
        query = query.where(Activity.last_date >= criteria["date_from"])
    if criteria.get("date_to"):
        query = query.where(Activity.start_date <= criteria["date_to"])
    if criteria.get("competency_ids"):
        query = query.where(
            exists().where(
                and_(
                    activity_competency.c.activity_id == Activity.id,
                    activity_competency.c.competency_id.in_(criteria["competency_ids"]),
                )
            )
        )
    return query.order_by(Activity.start_date, Activity.id)


def matching_activities(user, criteria: dict) -> list[Activity]:
    return list(db.session.scalars(matching_query(user, criteria)))


def create_portfolio(user, data: dict) -> Portfolio:
    """Save a portfolio: every matching activity and reflection is in (each can be taken out)."""
    portfolio = Portfolio(user_id=user.id, excluded_activity_ids=[], excluded_reflection_ids=[])
    _apply(portfolio, data)
    db.session.add(portfolio)
    db.session.flush()
    return portfolio


def update_portfolio(
    user, portfolio: Portfolio, data: dict, kept_ids: list[int], kept_reflections: list[int]
) -> Portfolio:
    """New criteria, and out goes every activity or reflection shown on the form but unticked."""
    criteria = criteria_of(portfolio)
    shown = {a.id for a in matching_activities(user, criteria)}
    portfolio.excluded_activity_ids = sorted(shown - set(kept_ids))
    shown = {r.id for r in reflection_selection.matching_reflections(user, criteria)}
    portfolio.excluded_reflection_ids = sorted(shown - set(kept_reflections))
    _apply(portfolio, data)
    db.session.flush()
    return portfolio


def chosen_query(portfolio: Portfolio, owner) -> Select:
    """The portfolio's activities: matching its criteria, minus those taken out."""
    query = matching_query(owner, criteria_of(portfolio))
    if portfolio.excluded_activity_ids:
        query = query.where(Activity.id.not_in(portfolio.excluded_activity_ids))
    return query


def delete_portfolio(portfolio: Portfolio) -> None:
    """The row, and after the commit its background exports' files (the jobs go by cascade)."""
    job_files.forget_files(portfolio.user_id, portfolio.id)
    db.session.delete(portfolio)
    db.session.flush()


def _apply(portfolio: Portfolio, data: dict) -> None:
    """A chosen cycle (already checked to be the user's) sets the period to its dates."""
    for name in ("title", "audience", "date_from", "date_to", "include_evidence"):
        setattr(portfolio, name, data[name])
    portfolio.competency_ids = list(data.get("competency_ids") or [])
    cycle = data.get("cycle")
    portfolio.cycle_id = cycle.id if cycle else None
    if cycle:
        portfolio.date_from, portfolio.date_to = cycle.start_date, cycle.end_date


def criteria_of(portfolio: Portfolio) -> dict:
    return {
        "date_from": portfolio.date_from,
        "date_to": portfolio.date_to,
        "competency_ids": portfolio.competency_ids or [],
    }


def chosen_count(portfolio: Portfolio) -> int:
    """How many activities the portfolio holds, counted in SQL."""
    owner = db.session.get(User, portfolio.user_id)
    chosen = chosen_query(portfolio, owner).order_by(None).subquery()
    return db.session.scalar(select(func.count()).select_from(chosen))


@dataclass
class EvidenceEntry:
    label: str  # "E1", "E2", … as printed in the register, the index and the appendix
    evidence: Evidence
    activity: Activity | None = None
    reflection: Reflection | None = None

    @property
    def owner_title(self) -> str:
        """The title of the activity or reflection the evidence belongs to."""
        owner = self.activity or self.reflection
        return owner.title if owner else ""


@dataclass
class Content:
    """Everything a portfolio shows, in the order it is shown."""

    portfolio: Portfolio
    owner: User
    generated: date
    activities: list[Activity]
    evidence: list[EvidenceEntry]
    total_minutes: int = 0
    minutes_by_year: list[tuple[int, int]] = field(default_factory=list)
    minutes_by_kind: list[tuple[str, int]] = field(default_factory=list)
    minutes_by_area: list[tuple[str, int]] = field(default_factory=list)
    # {competency label: [reflection]}, each reflection once (reflection_selection.by_competency).
    reflections: dict[str, list] = field(default_factory=dict)
    reflection_list: list[Reflection] = field(default_factory=list)
    # For a cycle portfolio: one row per rule (name, met, status, detail), the cycle's scheme,
    # and activity id -> [(category name, amount in the scheme's unit)]; how many activities the
    # cycle counts that this portfolio does not list (see `cycle_note`).
    rules: list[dict] = field(default_factory=list)
    cycle_not_listed: int = 0
    scheme: object | None = None
    category_splits: dict | None = None
    minutes_by_category: list[tuple[str, int]] = field(default_factory=list)
    reviews: list = field(default_factory=list)
    # Appraisals of this portfolio an appraiser signed off inside the app (cpd_log/appraisals/).
    appraisal_sign_offs: list = field(default_factory=list)
    # The rules engine's CycleView of the chosen cycle (the PDF's "At a glance" prints its rules;
    # without a chosen cycle, those of the owner's active cycles: `active_cycles()`).
    cycles: list = field(default_factory=list)
    _by_activity: dict | None = field(default=None, repr=False)

    @property
    def period(self) -> str:
        start, end = self.portfolio.date_from, self.portfolio.date_to
        if start and end:
            return f"{start:%-d %b %Y} – {end:%-d %b %Y}"
        if start:
            return f"From {start:%-d %b %Y}"
        if end:
            return f"Until {end:%-d %b %Y}"
        return "All dates"

    def _index(self) -> dict:
        if self._by_activity is None:
            self._by_activity = defaultdict(list)
            for entry in self.evidence:
                owner = ("a", entry.activity.id) if entry.activity else ("r", entry.reflection.id)
                self._by_activity[owner].append(entry)
        return self._by_activity

    def evidence_of(self, activity: Activity) -> list[EvidenceEntry]:
        return self._index().get(("a", activity.id), [])

    def evidence_of_reflection(self, reflection: Reflection) -> list[EvidenceEntry]:
        return self._index().get(("r", reflection.id), [])

    @property
    def cycle_note(self) -> str:
        """For a cycle portfolio, that its rules and categories count the whole cycle."""
        cycle = self.portfolio.cycle
        if cycle is None or self.scheme is None:
            return ""
        return cycle_report.counted_note(cycle.start_date, cycle.end_date, self.cycle_not_listed)

    def categories_of(self, activity: Activity) -> list[str]:
        """The register's category cell: the cycle's categories when a cycle is chosen (with
        the amount the cycle counts), else the competency areas of the activity's tags."""
        if self.category_splits is None:
            return sorted({c.parent.name for c in activity.competencies if c.parent})
        return [f"{name} {amount}" for name, amount in self.category_splits.get(activity.id, [])]


def gather(portfolio: Portfolio, today: date | None = None) -> Content:
    """Load the chosen activities with tags, areas and evidence (a fixed number of queries)."""
    owner = db.session.get(User, portfolio.user_id)
    activities = list(
        db.session.scalars(
            chosen_query(portfolio, owner).options(
                selectinload(Activity.competencies).selectinload(Competency.parent),
                selectinload(Activity.evidence),
            )
        )
    )
    reflections = reflection_selection.chosen_reflections(portfolio, owner, criteria_of(portfolio))
    content = Content(
        portfolio=portfolio,
        owner=owner,
        generated=today or date.today(),
        activities=activities,
        evidence=_evidence_entries(activities, reflections) if portfolio.include_evidence else [],
        reflections=reflection_selection.by_competency(reflections, portfolio.competency_ids or []),
        reflection_list=reflections,
        reviews=list(portfolio.reviews),
        appraisal_sign_offs=appraisal_sign_offs(portfolio.id),
    )
    _summarise(content)
    if portfolio.cycle is not None:
        _add_cycle(content, portfolio.cycle)
    return content


def appraisal_sign_offs(portfolio_id: int) -> list[Appraisal]:
    """The portfolio's signed-off appraisals, oldest first: its PDF's sign-off prints each."""
    return list(
        db.session.scalars(
            select(Appraisal)
            .where(
                Appraisal.portfolio_id == portfolio_id,
                Appraisal.state == AppraisalState.SIGNED_OFF,
            )
            .order_by(Appraisal.decided_at, Appraisal.id)
        )
    )


def _evidence_entries(activities: list[Activity], reflections: list) -> list[EvidenceEntry]:
    """Activities' evidence first (register order), then reflections' evidence."""
    items = [(e, a, None) for a in activities for e in a.evidence]
    items += [(e, None, r) for r in reflections for e in r.evidence]
    return [EvidenceEntry(f"E{n}", e, a, r) for n, (e, a, r) in enumerate(items, start=1)]


def _add_cycle(content: Content, cycle) -> None:
    """The rules engine's verdict on the cycle, and its categories for the register."""
    view = cycle_report.cycle_view(cycle, content.owner, content.generated)
    content.cycles = [view]
    content.rules = cycle_report.rule_rows(view)
    content.scheme = view.scheme
    content.category_splits = cycle_report.category_splits(view)
    listed = {activity.id for activity in content.activities}
    not_listed = {line.activity.id for line in view.lines} - listed
    content.cycle_not_listed = len(not_listed)
    names = {c.code: c.name for c in view.scheme.categories if c.parent is None}
    content.minutes_by_category = [
        (names[code], minutes)
        for code, minutes in view.progress.by_category.items()
        if code in names
    ]


def _summarise(content: Content) -> None:
    by_year: dict[int, int] = defaultdict(int)
    by_kind: dict[str, int] = defaultdict(int)
    by_area: dict[str, int] = defaultdict(int)
    for activity in content.activities:
        by_year[activity.start_date.year] += activity.minutes
        by_kind[activity.kind.label] += activity.minutes
        areas = {c.parent.name if c.parent else c.name for c in activity.competencies}
        for area in areas or {"Not tagged"}:
            by_area[area] += activity.minutes
    content.total_minutes = sum(a.minutes for a in content.activities)
    content.minutes_by_year = sorted(by_year.items())
    content.minutes_by_kind = sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0]))
    content.minutes_by_area = sorted(by_area.items(), key=lambda kv: (-kv[1], kv[0]))
