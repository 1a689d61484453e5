"""xAPI voiding: a statement imported earlier and voided since goes to the trash on import.

A voiding statement (verb voided, object a StatementRef) withdraws what an earlier one said
(xAPI 1.0.3, 2.3.2 "Voided"). The earlier one may already be an activity: the preview names it,
and the import moves it to the trash, from where it can still be restored. Services flush.
"""

from cpd_log.access import owned
from cpd_log.extensions import db
from cpd_log.models import Activity
from cpd_log.models.activity import ActivitySource
from cpd_log.trash.moving import new_batch, trash_activities


def voided_in_log(user, voided: list[str]) -> list[tuple[int, str]]:
    """(id, title) of the user's xAPI activities whose statement is among `voided`."""
    if not voided:
        return []
    query = (
        owned(Activity, user)
        .with_only_columns(Activity.id, Activity.title)
        .where(Activity.source == ActivitySource.XAPI, Activity.external_uid.in_(voided))
        .order_by(Activity.start_date)
    )
    return [(row.id, row.title) for row in db.session.execute(query)]


def trash_voided(user, voided: list[str]) -> int:
    """Move the activities of voided statements to the trash (one undoable batch)."""
    ids = [activity_id for activity_id, _title in voided_in_log(user, voided)]
    return trash_activities(user, ids, new_batch()) if ids else 0


def trash_voided_message(user, voided: list[str]) -> str:
    """Trash the voided activities; the words to add to the import's message ("" for none)."""
    count = trash_voided(user, voided)
    if not count:
        return ""
    return (
        f" Moved {count} activit{'y' if count == 1 else 'ies'} of voided statements to the trash."
    )
