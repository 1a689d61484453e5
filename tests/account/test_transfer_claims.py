"""Claim statuses travel in the account backup: out and back into another account unchanged,
importing twice adds nothing, a bad status names where it is, an older file has none."""

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from cpd_log.account.account_import import import_account
from cpd_log.account.transfer import BadFile
from cpd_log.claims import services as claim_services
from cpd_log.claims.cards import Status
from cpd_log.claims.choices import ClaimState
from cpd_log.extensions import db
from cpd_log.models import Activity, ClaimStatus
from cpd_log.models.scheme import Cycle
from tests import factories
from tests.account.backup_helpers import backup_of, exported, restore
from tests.schemes.helpers import make_enrolment

TODAY = date.today()


def _statuses(user) -> set:
    rows = db.session.execute(
        select(ClaimStatus, Activity.title, Cycle.number)
        .join(Activity, Activity.id == ClaimStatus.activity_id)
        .join(Cycle, Cycle.id == ClaimStatus.cycle_id)
        .where(ClaimStatus.user_id == user.id)
    )
    return {
        (title, number, c.state, c.claimed_on, c.reference, c.reason, c.body_type)
        + (c.claimed_minutes,)
        for c, title, number in rows
    }


@pytest.fixture
def claimed(user):
    """Two statuses in the user's PMP cycle: one claimed as another type, one rejected."""
    cycle = make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=300), "PMP").cycles[0]
    day = TODAY - timedelta(days=20)
    first = factories.make_activity(user, title="Course", start_date=day)
    second = factories.make_activity(user, title="Podcast", start_date=day)
    claim_services.save_status(
        user, cycle, first.id, Status(ClaimState.CLAIMED, day, "CCR-1", "", "Read", 90)
    )
    claim_services.save_status(
        user, cycle, second.id, Status(ClaimState.REJECTED, None, "", "No code", None)
    )
    db.session.commit()
    return cycle


def test_claim_statuses_round_trip_through_the_backup(app, user, other_user, claimed):
    restore(other_user, backup_of(user))
    assert _statuses(other_user) == _statuses(user)
    assert len(_statuses(user)) == 2
    again = restore(other_user, backup_of(user))
    assert again.counts["claim statuses"] == 0 and len(_statuses(other_user)) == 2


def test_a_file_before_version_6_reads_claimed_minutes_as_not_recorded(
    app, user, other_user, claimed
):
    document = json.loads(json.dumps(exported(user)))
    for status in document["claim_statuses"]:
        del status["claimed_minutes"]
    document["version"] = 5
    counts = import_account(other_user, document)
    assert counts["claim statuses"] == 2 and counts["unknown keys ignored"] == 0
    rows = db.session.scalars(select(ClaimStatus).where(ClaimStatus.user_id == other_user.id))
    assert [row.claimed_minutes for row in rows] == [None, None]
    assert 90 in {minutes for *_, minutes in _statuses(user)}


def test_an_older_file_has_no_claim_statuses(app, user, other_user, claimed):
    document = exported(user)
    del document["claim_statuses"]
    document["version"] = 3
    counts = import_account(other_user, json.loads(json.dumps(document)))
    assert counts["claim statuses"] == 0 and counts["unknown keys ignored"] == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"state": "claimed", "claimed_on": None}, "Claim status 1: a claimed status needs"),
        ({"state": "won"}, "Claim status 1: “state” has an invalid value."),
        ({"activity": "a99"}, "Claim status 1: “activity” names no activity in this file."),
        ({"cycle": 7}, "Claim status 1: “cycle” names no cycle in this file."),
        ({"reference": "x" * 101}, "Claim status 1: “reference” is longer than 100"),
        ({"claimed_minutes": -1}, "Claim status 1: “claimed_minutes” has an invalid value."),
    ],
)
def test_a_bad_status_is_refused_with_where_it_is(app, user, other_user, claimed, change, message):
    document = json.loads(json.dumps(exported(user)))
    document["claim_statuses"][0].update(change)
    with pytest.raises(BadFile, match=message):
        import_account(other_user, document)
