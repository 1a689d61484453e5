"""The user's reminder frequency. Services flush; views commit."""

from datetime import UTC, datetime

from cpd_log.extensions import db
from cpd_log.models.reminder import Frequency, ReminderSetting


def frequency_of(user) -> Frequency:
    row = db.session.get(ReminderSetting, user.id)
    return row.frequency if row else Frequency.OFF


def set_frequency(user, frequency: Frequency) -> None:
    row = db.session.get(ReminderSetting, user.id)
    if row is None:
        row = ReminderSetting(user_id=user.id)
        db.session.add(row)
    row.frequency = frequency
    row.updated_at = datetime.now(UTC)
    db.session.flush()
