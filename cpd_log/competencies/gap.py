"""The gap view: current vs target level and hours for every competency of one framework.

Four queries at any size (competencies, latest level, latest open target, hours). The chart is
laid out here in plain numbers and drawn by a template as SVG: no script, no CDN, and a table of
the same figures sits behind it for screen readers.
"""

from dataclasses import dataclass

from sqlalchemy import func, select

from cpd_log.extensions import db
from cpd_log.models import (
    Activity,
    ActivityStatus,
    Competency,
    Framework,
    Goal,
    GoalStatus,
    SelfAssessment,
)
from cpd_log.models.activity import activity_competency

ROW_HEIGHT, LABEL_WIDTH, BAR_WIDTH, HOURS_WIDTH = 28, 260, 360, 80


@dataclass(frozen=True)
class GapRow:
    competency: Competency
    area: str
    current: int | None
    target: int | None
    minutes: int

    @property
    def gap(self) -> int | None:
        if self.target is None:
            return None
        return max(self.target - (self.current or 0), 0)


def _latest(column, model, *where):
    """competency_id → the newest row's `column`, via a window function (one query)."""
    ranked = (
        select(
            model.competency_id,
            column.label("value"),
            func.row_number()
            .over(partition_by=model.competency_id, order_by=(_order(model), model.id.desc()))
            .label("rank"),
        )
        .where(*where)
        .subquery()
    )
    rows = db.session.execute(
        select(ranked.c.competency_id, ranked.c.value).where(ranked.c.rank == 1)
    )
    return dict(rows.all())


def levels(user, ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """competency_id → the user's latest self-assessed level, and → the target of their newest
    open goal (two queries)."""
    current = _latest(
        SelfAssessment.level,
        SelfAssessment,
        SelfAssessment.user_id == user.id,
        SelfAssessment.competency_id.in_(ids),
    )
    target = _latest(
        Goal.target_level,
        Goal,
        Goal.user_id == user.id,
        Goal.status == GoalStatus.OPEN,
        Goal.competency_id.in_(ids),
    )
    return current, target


def _order(model):
    return model.assessed_on.desc() if model is SelfAssessment else model.created_at.desc()


def gap_rows(user, framework: Framework) -> list[GapRow]:
    competencies = list(
        db.session.scalars(
            select(Competency)
            .where(Competency.framework_id == framework.id)
            .order_by(Competency.sort, Competency.id)
        )
    )
    ids = [c.id for c in competencies]
    current, target = levels(user, ids)
    minutes = dict(
        db.session.execute(
            select(activity_competency.c.competency_id, func.sum(Activity.minutes))
            .join(Activity, Activity.id == activity_competency.c.activity_id)
            .where(Activity.user_id == user.id, Activity.status == ActivityStatus.COMPLETED)
            # By framework, not IN (ids): the planner walks the user's activities and their tags.
            .join(Competency, Competency.id == activity_competency.c.competency_id)
            .where(Competency.framework_id == framework.id)
            .group_by(activity_competency.c.competency_id)
        ).all()
    )
    areas = {c.id: c for c in competencies if c.parent_id is None}
    ordered = []
    for area in areas.values():
        ordered += [c for c in competencies if c.parent_id == area.id]
    return [
        GapRow(
            c,
            areas[c.parent_id].name,
            current.get(c.id),
            target.get(c.id),
            int(minutes.get(c.id, 0)),
        )
        for c in ordered
    ]


@dataclass(frozen=True)
class ChartRow:
    y: int
    label: str
    current_width: float
    target_x: float | None
    hours: str
    row: GapRow


def chart(rows: list[GapRow], levels: list[dict], hours) -> dict:
    """Coordinates for the SVG: one band per competency, a bar to the current level, a tick at the
    target. `hours` formats minutes (the app's `hours` filter)."""
    top = max([level["value"] for level in levels or []] + [1])
    scale = BAR_WIDTH / top
    laid_out = [
        ChartRow(
            y=index * ROW_HEIGHT,
            label=f"{row.competency.code} {row.competency.name}"[:36],
            current_width=(row.current or 0) * scale,
            target_x=None if row.target is None else LABEL_WIDTH + row.target * scale,
            hours=hours(row.minutes),
            row=row,
        )
        for index, row in enumerate(rows)
    ]
    return {
        "rows": laid_out,
        "width": LABEL_WIDTH + BAR_WIDTH + HOURS_WIDTH,
        "height": max(len(rows), 1) * ROW_HEIGHT + 24,
        "label_width": LABEL_WIDTH,
        "bar_width": BAR_WIDTH,
        "row_height": ROW_HEIGHT,
        "ticks": [(LABEL_WIDTH + v * scale, v) for v in range(top + 1)],
    }
