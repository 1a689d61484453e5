"""CPD schemes in the account export: own schemes, enrolments (cycles re-made on import), split
overrides; a missing shipped version falls back to the newest; malformed records import nothing."""

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from cpd_log.account import account_export, account_import
from cpd_log.account.transfer import BadFile
from cpd_log.extensions import db
from cpd_log.models import Activity
from cpd_log.models.scheme import Allocation, Cycle, Enrolment, Scheme
from cpd_log.schemes import services
from cpd_log.schemes.checking import DATA_DIR, read_scheme_file
from tests import factories
from tests.account.backup_helpers import import_through_page
from tests.schemes.helpers import make_enrolment

PMP_VERSION = read_scheme_file(DATA_DIR / "pmi-pmp.json")[0]["version"]  # the shipped one


def _account(user) -> dict:
    """An activity, an own scheme, an enrolment on a shipped scheme with one split override."""
    activity = factories.make_activity(user, title="Risk course", minutes=120)
    own = {**read_scheme_file(DATA_DIR / "custom.json")[0], "slug": "my-scheme"}
    services.load_scheme(own, owner_id=user.id)
    enrolment = make_enrolment(user, "pmi-pmp", date(2025, 1, 1), "PMP")
    services.set_split(enrolment.cycles[0], activity.id, {"EDU.WOW": 60, "GB.WORK": 60})
    db.session.commit()
    return json.loads(json.dumps(account_export.export_account(user)))


def _count(model, user) -> int:
    return db.session.scalar(select(func.count(model.id)).where(model.user_id == user.id))


def test_schemes_enrolments_and_overrides_travel(app, user):
    document = _account(user)
    assert document["enrolments"][0]["scheme"] == ["pmi-pmp", PMP_VERSION, "global"]
    assert "cycles" not in document and len(document["split_overrides"]) == 2
    target = factories.make_user()
    counts = account_import.import_account(target, document)
    db.session.commit()
    assert counts["schemes"] == 1 and counts["enrolments"] == 1 and counts["split overrides"] == 2
    assert _count(Cycle, target) == _count(Cycle, user)  # made by the enrol service
    own = db.session.scalar(select(Scheme).where(Scheme.owner_id == target.id))
    assert own.slug == "my-scheme" and own.content["slug"] == "my-scheme"
    assert account_export.export_account(target) == document
    again = account_import.import_account(target, document)
    db.session.commit()
    assert set(again.values()) == {0} and _count(Allocation, target) == 2


def test_a_missing_shipped_version_falls_back_to_the_newest(app, user):
    document = _account(user)
    document["enrolments"][0]["scheme"][1] = "1999.1"
    target = factories.make_user()
    counts = account_import.import_account(target, document)
    db.session.commit()
    assert counts["enrolments moved to the newest version of their scheme"] == 1
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == target.id))
    assert (enrolment.scheme.slug, enrolment.scheme.version) == ("pmi-pmp", PMP_VERSION)


def _broken(document: dict, where: str, **changes) -> dict:
    (record,) = document[where][:1]
    document[where][0] = {**record, **changes}
    return document


CASES = [
    (
        lambda d: _broken(d, "enrolments", scheme=["no-such-scheme", "1", "global"]),
        "Enrolment 1: “scheme” ['no-such-scheme', '1', 'global'] is not a scheme on this instance",
    ),
    (lambda d: _broken(d, "enrolments", scheme=[["x"], {}, 1]), "Enrolment 1: “scheme”"),
    (
        lambda d: _broken(d, "enrolments", scheme=["my-scheme", "9.9", "own"]),
        "Enrolment 1: “scheme”",
    ),
    (
        lambda d: _broken(d, "enrolments", start_date="2025-13-01"),
        "Enrolment 1: “start_date” has an invalid value",
    ),
    (
        lambda d: _broken(d, "enrolments", start_date="1900-01-01"),
        "Enrolment 1: “start_date” has an invalid value",
    ),
    (lambda d: _broken(d, "enrolments", label="  "), "Enrolment 1: “label” has an invalid value"),
    (
        lambda d: _broken(d, "split_overrides", activity="a99"),
        "Split override 1: “activity” names no activity in this file",
    ),
    (
        lambda d: _broken(d, "split_overrides", category="NOPE"),
        "Split override 1: “category” is not a category of",
    ),
    (
        lambda d: _broken(d, "split_overrides", cycle=40),
        "Split override 1: “enrolment” and “cycle” name no cycle",
    ),
    (
        lambda d: _broken(d, "split_overrides", minutes="60"),
        "Split override 1: “minutes” has an invalid value",
    ),
    (
        lambda d: _broken(d, "schemes", content={"slug": "x"}),
        "Scheme 1: “content” is not a valid scheme",
    ),
    (
        lambda d: _broken(d, "schemes", version="other"),
        "Scheme 1: “version” does not match",
    ),
]


@pytest.mark.parametrize(("change", "message"), CASES)
def test_malformed_scheme_records_import_nothing(app, user, change, message):
    document = change(_account(user))
    target = factories.make_user()
    with pytest.raises(BadFile) as problem:
        account_import.import_account(target, document)
    db.session.rollback()
    assert message in str(problem.value)
    assert _count(Activity, target) == 0 and _count(Enrolment, target) == 0
    assert db.session.scalar(select(func.count(Scheme.id)).where(Scheme.owner_id == target.id)) == 0


def test_unknown_scheme_through_the_page_is_a_field_error(app, user, client, login_as):
    document = _broken(_account(user), "enrolments", scheme=["gone", "1", "global"])
    newcomer = factories.make_user(email="new@example.com")
    login_as(client, newcomer)
    status = import_through_page(client, json.dumps(document).encode(), "account.json")
    assert status["state"] == "failed"
    assert "Nothing was imported. Enrolment 1: “scheme”" in status["message"]
    assert _count(Activity, newcomer) == 0 and _count(Enrolment, newcomer) == 0
