"""Accounts with something to say in a digest, and running the sender as the command does."""

from datetime import UTC, date, datetime, timedelta

from cpd_log.capture.services import capture_activity
from cpd_log.extensions import db
from cpd_log.models import ActivityKind
from cpd_log.models.reminder import Frequency
from cpd_log.reminders import services
from cpd_log.reminders.sending import Report, send_due
from cpd_log.schemes.periods import add_months
from tests import factories
from tests.schemes.helpers import make_enrolment


def subscriber(email: str | None = None, frequency=Frequency.WEEKLY, verified=True, **kw):
    """A user who asked for digests (confirmed unless `verified` is False)."""
    user = factories.make_user(email=email, **kw)
    if verified:
        user.verified_at = datetime.now(UTC)
    services.set_frequency(user, frequency)
    db.session.commit()
    return user


def capture(user, title: str = "Risk webinar"):
    """A quick capture waiting to be completed: something for the digest to say."""
    data = {"title": title, "kind": ActivityKind.WEBINAR, "minutes": 60, "what_stuck": ""}
    activity = capture_activity(user, data, date.today())
    db.session.commit()
    return activity


def pmp_ending_soon(user, days_left: int = 60):
    """A PMP enrolment whose current 3-year cycle ends in about `days_left` days."""
    start = add_months(date.today() + timedelta(days=days_left), -36)
    return make_enrolment(user, "pmi-pmp", start, "PMP")


def run(app) -> Report:
    """One pass of `send-reminders`, in a request context for the mails' links."""
    with app.test_request_context(base_url="https://cpd.example.org"):
        return send_due()
