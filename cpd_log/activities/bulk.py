"""Bulk actions on the activity list: add or remove a competency, change kind or status, delete.

Which activities: the ids ticked on the page, or every activity matching the list's filter, the
filter applied again here. Either way the set is read through `activity_query` (the owner's rows
only), so another user's id in the request is ignored. At most MAX_ACTIVITIES at once; each action
is one statement whatever the number (an INSERT … ON CONFLICT DO NOTHING, a DELETE or an UPDATE),
and raises each activity's version so an edit form opened before is refused, not overwritten.
Services flush; the view commits. Delete is the trash's (cpd_log/trash/moving.py).
"""

from enum import StrEnum

from sqlalchemy import delete, update

from cpd_log.activities.services import activity_query
from cpd_log.activities.tags import insert_tags
from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityKind, ActivityStatus, Competency
from cpd_log.models.activity import activity_competency
from cpd_log.models.types import utcnow
from cpd_log.trash.moving import trash_activities

MAX_ACTIVITIES = 5000  # one request's work stays short: 5,000 rows are ~0.3 s on SQLite


class BulkAction(StrEnum):
    ADD_COMPETENCY = "add_competency"
    REMOVE_COMPETENCY = "remove_competency"
    SET_KIND = "set_kind"
    SET_STATUS = "set_status"
    DELETE = "delete"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    BulkAction.ADD_COMPETENCY: "Add a competency",
    BulkAction.REMOVE_COMPETENCY: "Remove a competency",
    BulkAction.SET_KIND: "Change the kind",
    BulkAction.SET_STATUS: "Change the status",
    BulkAction.DELETE: "Delete (to the Trash)",
}


class TooMany(ValueError):
    """More activities than MAX_ACTIVITIES were chosen; nothing is done."""


def chosen(user, criteria: dict, ids: list[int] | None) -> list[int]:
    """The ids of the user's activities the action applies to: those among `ids` (when given)
    matching `criteria` (the list's filters; {} for none). Raises TooMany."""
    if ids is not None and len(ids) > MAX_ACTIVITIES:
        raise TooMany
    query = activity_query(user, criteria).with_only_columns(Activity.id)
    if ids is not None:
        query = query.where(Activity.id.in_(ids))
    found = list(db.session.scalars(query.limit(MAX_ACTIVITIES + 1)))
    if len(found) > MAX_ACTIVITIES:
        raise TooMany
    return found


def add_competency(ids: list[int], competency_id: int) -> None:
    insert_tags([{"activity_id": i, "competency_id": competency_id} for i in ids])
    _touch(ids)


def remove_competency(ids: list[int], competency_id: int) -> None:
    db.session.execute(
        delete(activity_competency).where(
            activity_competency.c.activity_id.in_(ids),
            activity_competency.c.competency_id == competency_id,
        )
    )
    _touch(ids)


def set_kind(ids: list[int], kind: ActivityKind) -> None:
    _touch(ids, kind=kind)


def set_status(ids: list[int], status: ActivityStatus) -> None:
    _touch(ids, status=status)


def _touch(ids: list[int], **values) -> None:
    """One UPDATE: the new values, a new version (open edit forms become stale) and the time."""
    if not ids:
        return
    db.session.execute(
        update(Activity)
        .where(Activity.id.in_(ids))
        .values(version=Activity.version + 1, updated_at=utcnow(), **values),
        execution_options={"synchronize_session": False},
    )
    db.session.expire_all()


def run(user, action: BulkAction, ids: list[int], value=None, batch: str | None = None) -> str:
    """Do `action` to the activities `ids` (from `chosen`); `value` is the competency id, kind or
    status it needs, `batch` the trash batch of a delete. Returns the message for the user."""
    count = activities(len(ids))
    if action is BulkAction.DELETE:
        return f"Deleted {activities(trash_activities(user, ids, batch))}."
    if action in (BulkAction.ADD_COMPETENCY, BulkAction.REMOVE_COMPETENCY):
        competency = db.session.get(Competency, int(value))  # the form's choice is text
        if action is BulkAction.ADD_COMPETENCY:
            add_competency(ids, competency.id)
            return f"Added {competency.code} {competency.name} to {count}."
        remove_competency(ids, competency.id)
        return f"Removed {competency.code} {competency.name} from {count}."
    if action is BulkAction.SET_KIND:
        set_kind(ids, ActivityKind(value))
        return f"Changed the kind of {count} to {ActivityKind(value).label}."
    set_status(ids, ActivityStatus(value))
    return f"Marked {count} {ActivityStatus(value).label.lower()}."


def activities(n: int) -> str:
    return f"{n} activit{'y' if n == 1 else 'ies'}"
