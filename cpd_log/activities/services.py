"""Activity operations: log, edit, and the filtered list (a delete moves to the trash:
cpd_log/trash/). Services flush; views commit."""

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import Select, and_, exists, func, select

from cpd_log.access import owned
from cpd_log.activities.fields import EDITABLE, ENTERED, LISTED, Value
from cpd_log.activities.tags import insert_tags, set_tags, tag_names
from cpd_log.aggregates.services import period_rows
from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityKind, ActivityStatus, Competency
from cpd_log.models.activity import ActivitySource, activity_competency
from cpd_log.pagination import Page
from cpd_log.search.services import search_activities
from cpd_log.versions import Difference, claim_version, differences


def log_activity(user, data: dict) -> Activity:
    """Create an activity owned by `user` from cleaned form data."""
    activity = Activity(user_id=user.id)
    _apply(activity, data)
    db.session.add(activity)
    db.session.flush()
    insert_tags([{"activity_id": activity.id, "competency_id": c} for c in data["competency_ids"]])
    return activity


def update_activity(activity: Activity, data: dict, version: int | None) -> Activity:
    """Save an edit made on the form loaded at `version`; EditConflict (nothing written) when
    the activity was saved elsewhere since. The version check comes first and covers the whole
    edit, tags included."""
    claim_version(activity, version)
    _apply(activity, data)
    set_tags(activity.id, data["competency_ids"])
    db.session.expire(activity, ["competencies"])
    db.session.flush()
    return activity


def edit_conflict(form, activity: Activity) -> list[Difference]:
    """After a refused save: the fields where the user's input differs from the saved activity
    (reloaded), and the form set to save on top of the saved version next time."""
    form.version.show(activity.version)
    saved = {field: getattr(activity, field) for field in EDITABLE}
    saved["competency_ids"] = [c.id for c in activity.competencies]
    return differences(form, _shown(form.activity_data()), _shown(saved))


def _shown(data: dict) -> dict[str, str]:
    """Field values as a person reads them, keyed by form field name."""
    return {field.column: _as_read(field, data[field.name]) for field in ENTERED}


def _as_read(field, value) -> str:
    if field.value is Value.CHOICE:
        return value.label
    if field.value is Value.YES_NO:
        return "Yes" if value else "No"
    if field.value is Value.HOURS:
        return f"{value / 60:g}"
    if field.value is Value.COMPETENCIES:
        return tag_names(value)
    return str(value or "—")


def _apply(activity: Activity, data: dict) -> None:
    for field in EDITABLE:
        setattr(activity, field, data[field])


LIST_COLUMNS = (Activity.id, *(getattr(Activity, name) for name in LISTED))

RELEVANCE = "relevance"  # best match first when searching (search/services.py), else newest
UNRANKED = "date_desc"  # any order but RELEVANCE
ORDERINGS = {
    "date_desc": (Activity.start_date.desc(), Activity.id.desc()),
    "date_asc": (Activity.start_date.asc(), Activity.id.asc()),
    "hours_desc": (Activity.minutes.desc(), Activity.start_date.desc(), Activity.id.desc()),
    "hours_asc": (Activity.minutes.asc(), Activity.start_date.desc(), Activity.id.desc()),
    "title": (func.lower(Activity.title).asc(), Activity.id.asc()),
}


def activity_query(user, criteria: dict) -> Select:
    """The user's activities (ORM rows) matching the list filters, sorted."""
    return _apply_criteria(owned(Activity, user), user, criteria)


def _apply_criteria(query: Select, user, criteria: dict) -> Select:
    order = ORDERINGS.get(criteria.get("sort") or "date_desc", ORDERINGS["date_desc"])
    if criteria.get("q"):
        dialect = db.session.get_bind().dialect.name
        ranked = criteria.get("sort") in (None, RELEVANCE)
        query, best_first = search_activities(query, user.id, criteria["q"], dialect, ranked)
        if ranked and best_first:
            order = best_first
    # An activity overlaps the range when it starts before the range ends and ends after it starts.
    if criteria.get("date_from"):
        query = query.where(Activity.last_date >= criteria["date_from"])
    if criteria.get("date_to"):
        query = query.where(Activity.start_date <= criteria["date_to"])
    if criteria.get("kind"):
        query = query.where(Activity.kind == criteria["kind"])
    if criteria.get("status"):
        query = query.where(Activity.status == criteria["status"])
    if criteria.get("competency_id"):
        query = query.where(
            exists().where(
                and_(
                    activity_competency.c.activity_id == Activity.id,
                    activity_competency.c.competency_id == criteria["competency_id"],
                )
            )
        )
    return query.order_by(*order)


class Tag(NamedTuple):
    code: str
    name: str


@dataclass(frozen=True)
class ActivityRow:
    """What the list shows of one activity."""

    id: int
    title: str
    kind: ActivityKind
    provider: str
    start_date: date
    end_date: date | None
    minutes: int
    status: ActivityStatus
    source: ActivitySource
    competencies: tuple[Tag, ...]


# Filters the monthly totals can answer (they are kept per start month, kind and status; the
# days of a partial month come from the activities).
TOTALLED_FILTERS = {"kind", "status", "date_to"}


def _totals(user, criteria: dict, listed: Select) -> tuple[int, int]:
    """(number, minutes) of every activity matching the filters. Without filters, or only on
    kind, status and start date, from the monthly totals the triggers keep (cpd_log/aggregates/),
    so the line costs the same at any data size; otherwise from the matching activities."""
    used = {name for name, value in criteria.items() if value and name != "sort"}
    if used <= TOTALLED_FILTERS:
        equal = {name: str(criteria[name]) for name in used & {"kind", "status"}}
        rows = period_rows(user.id, None, criteria.get("date_to"), by_month=False, **equal)
        return sum(count for *_, count in rows), sum(minutes for *_, minutes, _ in rows)
    # The totals need no order, so a search's ranking (most of its cost per match) is skipped.
    unranked = {**criteria, "sort": UNRANKED}
    matching = _apply_criteria(listed, user, unranked).order_by(None).subquery()
    total, minutes = db.session.execute(
        select(func.count(), func.coalesce(func.sum(matching.c.minutes), 0))
    ).one()
    return int(total or 0), int(minutes)


@dataclass(frozen=True)
class ActivityPage(Page):
    minutes: int = 0  # of every activity matching the filters, not only this page's


def list_activities(user, criteria: dict, page: int, per_page: int) -> ActivityPage:
    """One page of the list in three plain queries (totals, rows, tags) whatever the data size:
    the number and minutes of all the activities matching the filters come in one aggregate.

    Plain rows, not ORM objects: building 50 activities and their tags as objects cost three
    times the queries themselves.
    """
    listed = owned(Activity, user).with_only_columns(*LIST_COLUMNS)
    query = _apply_criteria(listed, user, criteria)
    total, minutes = _totals(user, criteria, listed)
    page = max(1, page)
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    tags: dict[int, list[Tag]] = {row.id: [] for row in rows}
    if tags:
        for activity_id, code, name in db.session.execute(
            select(activity_competency.c.activity_id, Competency.code, Competency.name)
            .join(Competency, Competency.id == activity_competency.c.competency_id)
            .where(activity_competency.c.activity_id.in_(tags))
            .order_by(Competency.sort, Competency.id)
        ):
            tags[activity_id].append(Tag(code, name))
    items = [ActivityRow(**row._mapping, competencies=tuple(tags[row.id])) for row in rows]
    return ActivityPage(items, page, per_page, total or 0, int(minutes))
