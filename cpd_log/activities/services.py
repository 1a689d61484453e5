"""Activity operations: log, edit, delete, and the filtered list. Services flush; views commit."""

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import selectinload

from cpd_log.access import owned
from cpd_log.evidence.services import forget_files_of
from cpd_log.extensions import db
from cpd_log.models import Activity, Competency
from cpd_log.models.activity import activity_competency

EDITABLE = (
    "title",
    "kind",
    "provider",
    "start_date",
    "end_date",
    "minutes",
    "delivery",
    "participatory",
    "description",
    "url",
    "status",
)


def _competencies(ids: list[int]) -> list[Competency]:
    """The competencies with these ids; the form has already checked the user may see them."""
    if not ids:
        return []
    return list(db.session.scalars(select(Competency).where(Competency.id.in_(ids))))


def log_activity(user, data: dict) -> Activity:
    """Create an activity owned by `user` from cleaned form data."""
    activity = Activity(user_id=user.id, competencies=_competencies(data["competency_ids"]))
    _apply(activity, data)
    db.session.add(activity)
    db.session.flush()
    return activity


def update_activity(activity: Activity, data: dict) -> Activity:
    _apply(activity, data)
    activity.competencies = _competencies(data["competency_ids"])
    db.session.flush()
    return activity


def delete_activity(activity: Activity) -> None:
    forget_files_of(activity.user_id, activity.id)
    db.session.delete(activity)
    db.session.flush()


def _apply(activity: Activity, data: dict) -> None:
    for field in EDITABLE:
        setattr(activity, field, data[field])


ORDERINGS = {
    "date_desc": (Activity.start_date.desc(), Activity.id.desc()),
    "date_asc": (Activity.start_date.asc(), Activity.id.asc()),
    "hours_desc": (Activity.minutes.desc(), Activity.start_date.desc(), Activity.id.desc()),
    "hours_asc": (Activity.minutes.asc(), Activity.start_date.desc(), Activity.id.desc()),
    "title": (func.lower(Activity.title).asc(), Activity.id.asc()),
}


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def activity_query(user, criteria: dict) -> Select:
    """The user's activities matching the list filters, sorted, with tags eager-loaded."""
    query = owned(Activity, user).options(selectinload(Activity.competencies))
    if criteria.get("q"):
        pattern = f"%{_escape_like(criteria['q'])}%"
        query = query.where(
            or_(
                Activity.title.ilike(pattern, escape="\\"),
                Activity.provider.ilike(pattern, escape="\\"),
                Activity.description.ilike(pattern, escape="\\"),
            )
        )
    # An activity overlaps the range when it starts before the range ends and ends after it starts.
    if criteria.get("date_from"):
        query = query.where(
            func.coalesce(Activity.end_date, Activity.start_date) >= criteria["date_from"]
        )
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
    return query.order_by(
        *ORDERINGS.get(criteria.get("sort") or "date_desc", ORDERINGS["date_desc"])
    )


def list_activities(user, criteria: dict, page: int, per_page: int):
    """One page of the list: a count, the rows and their tags — three queries at any size."""
    return db.paginate(
        activity_query(user, criteria),
        page=page,
        per_page=per_page,
        error_out=False,
        max_per_page=per_page,
    )
