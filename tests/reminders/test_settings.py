"""The settings page: choosing how often, a bad choice said at the field, the confirmation
reminder for unconfirmed addresses."""

from cpd_log.extensions import db
from cpd_log.models.reminder import Frequency
from cpd_log.reminders import services


def test_choosing_weekly_then_off(logged_in, user):
    page = logged_in.get("/reminders/settings")
    assert page.status_code == 200 and 'value="off" selected' in page.text
    saved = logged_in.post("/reminders/settings", data={"frequency": "weekly"})
    assert saved.status_code == 302
    assert services.frequency_of(user) == Frequency.WEEKLY
    assert 'value="weekly" selected' in logged_in.get("/reminders/settings").text
    logged_in.post("/reminders/settings", data={"frequency": "off"})
    db.session.expire_all()
    assert services.frequency_of(user) == Frequency.OFF


def test_a_bad_choice_is_said_at_the_field(logged_in, user):
    page = logged_in.post("/reminders/settings", data={"frequency": "hourly"})
    assert page.status_code == 200 and "invalid-feedback" in page.text
    assert services.frequency_of(user) == Frequency.OFF


def test_an_unconfirmed_address_is_told_it_gets_no_digests(logged_in, user):
    assert user.verified_at is None
    assert (
        "Digests go only to a confirmed email address" in logged_in.get("/reminders/settings").text
    )
