"""The activities CSV re-imports through the spreadsheet import pages into another account and
gives the same activities: same headers (imports.columns.FIELDS), same words, same values."""

import csv
import io
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cpd_log.activities.fields import EDITABLE
from cpd_log.extensions import db
from cpd_log.imports.columns import FIELDS, suggest_mapping
from cpd_log.models import Activity, ActivityKind, ActivityStatus, Delivery
from tests import factories

COMPARED = EDITABLE  # every field a person enters, from the field table


def _activities_of(user) -> list[tuple]:
    rows = db.session.scalars(
        select(Activity)
        .where(Activity.user_id == user.id)
        .options(selectinload(Activity.competencies))
        .order_by(Activity.start_date, Activity.title)
    )
    return [
        (*(getattr(a, name) for name in COMPARED), sorted(c.id for c in a.competencies))
        for a in rows
    ]


def _make_log(user, framework) -> None:
    a1, a2, *_ = factories.leaves(framework)
    factories.make_activity(
        user,
        title="PMO Flashmob, benefits",
        kind=ActivityKind.COMMUNITY_EVENT,
        provider="PMO Flashmob",
        start_date=date(2026, 3, 10),
        minutes=90,
        delivery=Delivery.ONLINE,
        participatory=True,
        description='Benefit maps; "quotes", line one\nline two',
        objective="+Read a benefit map, then draw one",
        url="https://example.org/f",
        competencies=[a1, a2],
    )
    factories.make_activity(
        user,
        title="=SUM(A1) is not a formula",
        provider="-dash provider",
        start_date=date(2026, 4, 1),
        end_date=date(2026, 4, 2),
        minutes=12 * 60 + 15,
        delivery=Delivery.IN_PERSON,
        participatory=False,
        status=ActivityStatus.PLANNED,
    )
    factories.make_activity(user, title="Café ☕ 中文", start_date=date(2025, 12, 1), minutes=15)


def _import(client, data: bytes) -> None:
    response = client.post(
        "/imports/spreadsheet",
        data={"sheet": (io.BytesIO(data), "activities.csv")},
        content_type="multipart/form-data",
    )
    location = response.headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert "<strong>0 with errors</strong>" in page
    mapping = suggest_mapping(list(FIELDS))
    assert None not in mapping.values()  # every exported column is recognised as is
    form = {f"col_{k}": str(v) for k, v in mapping.items()}
    form.update({"default_kind": "other", "default_delivery": "online", "commit": "1"})
    assert client.post(location, data=form).headers["Location"] == "/activities/"


def test_export_then_import_into_another_account_gives_the_same_activities(
    client, login_as, user, other_user, framework
):
    _make_log(user, framework)
    login_as(client, user)
    exported = client.get("/export/activities.csv").get_data()
    header = next(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    assert header == list(FIELDS)
    client.post("/account/logout")

    login_as(client, other_user)
    _import(client, exported)
    db.session.expire_all()
    assert _activities_of(other_user) == _activities_of(user)
    assert len(_activities_of(other_user)) == 3


# Every start a spreadsheet reads as a formula or a hidden cell prefix: the export puts an
# apostrophe before each, and the import must take exactly that apostrophe off again.
FORMULA_LIKE = ("=", "+", "-", "@", "\t", "\r")


def test_formula_like_text_comes_back_without_the_export_apostrophe(
    client, login_as, user, other_user
):
    for number, start in enumerate(FORMULA_LIKE):
        factories.make_activity(
            user,
            title=f"{start}Title {number}",
            provider=f"{start}Provider",
            description=f"{start}Notes\nline two",
            start_date=date(2026, 5, 1 + number),
            minutes=60,
        )
    login_as(client, user)
    exported = client.get("/export/activities.csv").get_data()
    client.post("/account/logout")

    login_as(client, other_user)
    _import(client, exported)
    db.session.expire_all()
    assert _activities_of(other_user) == _activities_of(user)
    assert {a[0][0] for a in _activities_of(other_user)} == set(FORMULA_LIKE)
