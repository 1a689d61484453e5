"""Crosswalk pages: a user's own crosswalks and their mappings, overrides of shipped mappings that
change that user's counting only, import with each problem listed, export, and CSRF."""

import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from cpd_log.competencies.services import seed_frameworks
from cpd_log.crosswalks import editing
from cpd_log.crosswalks.services import seed_crosswalks
from cpd_log.extensions import db
from cpd_log.models import (
    ActivityKind,
    Competency,
    Crosswalk,
    CrosswalkMapping,
    CrosswalkOverride,
    Framework,
)
from cpd_log.models.types import utcnow
from cpd_log.schemes import progress
from tests import factories
from tests.schemes.helpers import make_enrolment

TODAY = date.today()
PMO_WALK = "pmo-practitioner-talent-triangle"


@pytest.fixture
def seeded(app):
    seed_frameworks()
    seed_crosswalks()
    db.session.commit()


def _pmo(code: str) -> Competency:
    return db.session.scalar(
        select(Competency)
        .join(Framework)
        .where(
            Framework.slug == "pmo-practitioner",
            Framework.owner_id.is_(None),
            Competency.code == code,
        )
    )


def _shipped() -> Crosswalk:
    return db.session.scalar(select(Crosswalk).where(Crosswalk.slug == PMO_WALK))


def _course(user, tags, minutes=240):
    return factories.make_activity(
        user, tags, kind=ActivityKind.COURSE, start_date=TODAY - timedelta(days=2), minutes=minutes
    )


def test_an_override_moves_a_cycles_split_for_that_user_only(seeded, logged_in, user, other_user):
    shipped = _shipped()
    cycles = {}
    for who in (user, other_user):
        cycles[who.id] = make_enrolment(who, "pmi-pmp", TODAY - timedelta(days=100), "PMP").cycles[
            0
        ]
        _course(who, [_pmo("STK.3")])
    page = f"/crosswalks/{shipped.id}/mappings"
    out = {"from_code": "STK.3", "to_code": "TT.PS", "relation": "none", "reason": ""}
    assert logged_in.post(page, data=out).status_code == 302
    added = {"from_code": "STK.3", "to_code": "TT.BA", "relation": "exact", "reason": "Ours."}
    assert logged_in.post(page, data=added).status_code == 302

    mine = progress.compute(user, [cycles[user.id]], TODAY, {cycles[user.id].id})
    assert mine[cycles[user.id].id].progress.by_category["EDU.PS"] == 0
    assert mine[cycles[user.id].id].progress.by_category["EDU.BA"] == 240
    cycle_page = logged_in.get(f"/schemes/cycles/{cycles[user.id].id}").data.decode()
    assert (
        "STK.3 Influencing and negotiation → Business Acumen"
        " (PMO framework crosswalk, as you changed it)" in cycle_page
    )
    theirs = progress.dashboard_cycles(other_user, TODAY)[0]
    assert (
        theirs.progress.by_category["EDU.PS"] == 240 and theirs.progress.by_category["EDU.BA"] == 0
    )

    shown = logged_in.get(f"/crosswalks/{shipped.id}").data.decode()
    assert shown.count('data-testid="override"') == 2 and "not counted for you" in shown
    override = db.session.scalar(
        select(CrosswalkOverride).where(CrosswalkOverride.to_code == "TT.PS")
    )
    assert logged_in.post(f"/crosswalks/overrides/{override.id}/delete").status_code == 302
    back = progress.dashboard_cycles(user, TODAY)[0]
    assert back.progress.by_category["EDU.PS"] == 120 and back.progress.by_category["EDU.BA"] == 120


def test_a_cycle_that_ended_before_an_override_keeps_counting_without_it(seeded, app, user):
    enrolment = make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=4 * 365), "PMP")
    ended, current = enrolment.cycles
    for cycle in (ended, current):
        factories.make_activity(
            user, [_pmo("STK.3")], kind=ActivityKind.COURSE, minutes=240,
            start_date=cycle.end_date - timedelta(days=400),
        )  # fmt: skip
    db.session.execute(
        Crosswalk.__table__.update().values(created_at=ended.end_date - timedelta(days=30))
    )
    editing.set_override(
        user, _shipped(), {"from_code": "STK.3", "to_code": "TT.PS", "relation": None, "reason": ""}
    )
    db.session.commit()
    views = progress.compute(user, [ended, current], TODAY, {ended.id, current.id})
    assert views[ended.id].progress.by_category["EDU.PS"] == 240
    assert views[current.id].progress.by_category["EDU.PS"] == 0


def test_a_users_own_crosswalk_is_made_edited_and_counts(seeded, logged_in, user):
    mine = factories.make_framework(owner=user, slug="our-pmo")
    data = {
        "name": "Our PMO to the Triangle",
        "from_framework": "our-pmo",
        "to_framework": "pmi-talent-triangle",
        "source": "Our PMO lead",
        "licence": "Internal",
    }
    created = logged_in.post("/crosswalks/new", data=data)
    walk = db.session.scalar(select(Crosswalk).where(Crosswalk.owner_id == user.id))
    assert created.headers["Location"] == f"/crosswalks/{walk.id}"
    mapping = {"from_code": "A1.1", "to_code": "TT.PS", "relation": "exact", "reason": "Same."}
    assert logged_in.post(f"/crosswalks/{walk.id}/mappings", data=mapping).status_code == 302
    unknown = {**mapping, "from_code": "STK.3"}
    assert (
        "Not a valid choice"
        in logged_in.post(f"/crosswalks/{walk.id}/mappings", data=unknown).data.decode()
    )

    cycle = make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=100), "PMP").cycles[0]
    _course(user, [factories.leaves(mine)[0]])
    view = progress.compute(user, [cycle], TODAY, {cycle.id})[cycle.id]
    assert view.progress.by_category["EDU.PS"] == 240
    page = logged_in.get(f"/schemes/cycles/{cycle.id}").data.decode()
    assert "A1.1 Competency 1.1 → Power Skills (Our PMO to the Triangle)" in page

    changed = {**mapping, "to_code": "TT.BA"}
    logged_in.post(f"/crosswalks/{walk.id}/mappings", data=changed)
    db.session.refresh(walk)
    assert [(m.from_code, m.to_code) for m in walk.mappings] == [
        ("A1.1", "TT.PS"),
        ("A1.1", "TT.BA"),
    ]
    assert logged_in.post(f"/crosswalks/mappings/{walk.mappings[0].id}/delete").status_code == 302
    view = progress.dashboard_cycles(user, TODAY)[0]
    assert view.progress.by_category["EDU.PS"] == 0 and view.progress.by_category["EDU.BA"] == 240


def test_shipped_crosswalks_cannot_be_edited_or_deleted(seeded, logged_in):
    shipped = _shipped()
    assert logged_in.get(f"/crosswalks/{shipped.id}/edit").status_code == 403
    assert logged_in.post(f"/crosswalks/{shipped.id}/delete").status_code == 403
    mapping_id = shipped.mappings[0].id
    assert logged_in.post(f"/crosswalks/mappings/{mapping_id}/delete").status_code == 403
    assert "Add a mapping for me" in logged_in.get(f"/crosswalks/{shipped.id}").data.decode()


def test_import_lists_each_bad_line_and_imports_nothing(seeded, logged_in, user):
    factories.make_framework(owner=user, slug="ours")
    csv = (
        "from framework,from code,to framework,to code,relation,reason\n"
        "ours,A1.1,pmi-talent-triangle,TT.PS,exact,Fine\n"
        "ours,A9.9,pmi-talent-triangle,TT.PS,exact,No such code\n"
        "ours,A1.2,pmi-talent-triangle,TT.PS,maybe,No such relation\n"
    )
    form = {"format": "csv", "file": (io.BytesIO(csv.encode()), "walk.csv"), "name": "Ours"}
    page = logged_in.post("/crosswalks/import", data=form).data.decode()
    assert "line 3: A9.9 is not a competency of ours." in page
    assert "line 4: the relation is one of exact, broader, narrower, related" in page
    assert db.session.scalar(select(Crosswalk).where(Crosswalk.owner_id == user.id)) is None

    good = csv.splitlines()[:2]
    form["file"] = (io.BytesIO("\n".join(good).encode()), "walk.csv")
    done = logged_in.post("/crosswalks/import", data=form)
    walk = db.session.scalar(select(Crosswalk).where(Crosswalk.owner_id == user.id))
    assert done.headers["Location"] == f"/crosswalks/{walk.id}" and walk.name == "Ours"
    exported = logged_in.get(f"/crosswalks/{walk.id}/export?format=csv")
    assert exported.headers["Content-Disposition"] == 'attachment; filename="ours-1.csv"'
    assert "ours,A1.1,pmi-talent-triangle,TT.PS,exact,Fine" in exported.data.decode("utf-8-sig")


def test_crosswalk_forms_need_the_csrf_token(app_factory, seeded, user):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    login = client.get("/account/login").data
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1).decode()
    client.post(
        "/account/login",
        data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token},
    )
    shipped = _shipped()
    data = {"from_code": "STK.3", "to_code": "TT.PS", "relation": "none", "reason": ""}
    assert client.post(f"/crosswalks/{shipped.id}/mappings", data=data).status_code == 400
    assert db.session.scalar(select(CrosswalkOverride)) is None
    assert (
        client.post(
            f"/crosswalks/{shipped.id}/mappings", data={**data, "csrf_token": token}
        ).status_code
        == 302
    )


def test_a_pair_saved_from_two_tabs_at_once_asks_again_instead_of_failing(seeded, logged_in, user):
    """Both tabs find no mapping in force for the pair and add one; the partial unique index lets
    one win, and the other is told so at the form (it used to be a 500)."""
    mine = factories.make_framework(owner=user, slug="our-pmo")
    walk = Crosswalk(
        slug="ours", version="1", name="Ours", owner_id=user.id,
        from_framework="our-pmo", to_framework="pmi-talent-triangle",
    )  # fmt: skip
    db.session.add(walk)
    db.session.commit()
    code = factories.leaves(mine)[0].code
    other_tab = {
        "crosswalk_id": walk.id, "from_code": code, "to_code": "TT.BA", "relation": "exact",
        "reason": "The other tab.", "valid_from": utcnow(),
    }  # fmt: skip

    saved = []

    def other_tab_saves_first(session, _context, _instances):
        if not saved and any(isinstance(row, CrosswalkMapping) for row in session.new):
            saved.append(True)
            with db.engine.begin() as connection:
                connection.execute(insert(CrosswalkMapping.__table__).values(**other_tab))

    event.listen(Session, "before_flush", other_tab_saves_first)
    try:
        mapping = {"from_code": code, "to_code": "TT.BA", "relation": "broader", "reason": "Mine."}
        response = logged_in.post(f"/crosswalks/{walk.id}/mappings", data=mapping)
    finally:
        event.remove(Session, "before_flush", other_tab_saves_first)
    assert saved and response.status_code == 200
    assert "saved from another tab or window at the same moment" in response.data.decode()
    db.session.expire_all()
    assert [(m.relation, m.reason) for m in walk.mappings] == [("exact", "The other tab.")]
    again = logged_in.post(f"/crosswalks/{walk.id}/mappings", data=mapping)
    assert again.status_code == 302
    db.session.expire_all()
    assert [(m.relation, m.reason) for m in walk.mappings] == [("broader", "Mine.")]
