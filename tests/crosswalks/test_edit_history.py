"""Edits of a user's own crosswalk and of their overrides of shipped pairs keep their history: a
cycle that has ended keeps counting with the mappings as they stood on its last day, the open
cycle counts with the edit (issue 12, item 3)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from cpd_log.account.crosswalk_transfer import export_crosswalks
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
from cpd_log.schemes import progress
from tests import factories
from tests.schemes.helpers import make_enrolment

TODAY = date.today()
PMO_WALK = "pmo-practitioner-talent-triangle"


@pytest.fixture
def cycles(app, user):
    """The shipped frameworks and crosswalks, loaded before the user's first PMP cycle ended;
    (the ended cycle, the open one)."""
    seed_frameworks()
    seed_crosswalks()
    ended, current = make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=4 * 365), "PMP").cycles
    db.session.execute(update(Crosswalk).values(created_at=_before(ended)))
    db.session.commit()
    return ended, current


def _before(cycle) -> datetime:
    day = cycle.end_date - timedelta(days=30)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _course_in_each(user, cycles, tag: Competency) -> None:
    for cycle in cycles:
        factories.make_activity(
            user, [tag], kind=ActivityKind.COURSE, minutes=240,
            start_date=cycle.end_date - timedelta(days=400),
        )  # fmt: skip


def _counted(user, cycles) -> list[dict[str, int]]:
    """Each cycle's minutes by category, from the cycle page's counting and the dashboard's."""
    ended, current = cycles
    views = progress.compute(user, [ended, current], TODAY, {ended.id, current.id})
    dashboard = progress.dashboard_cycles(user, TODAY)[0]
    assert dashboard.progress.by_category == views[current.id].progress.by_category
    return [views[ended.id].progress.by_category, views[current.id].progress.by_category]


def _own_walk(user, ended) -> tuple[Crosswalk, Competency]:
    """The user's crosswalk from their framework to the Talent Triangle, made before `ended`
    ended, mapping A1.1 exactly to Power Skills; and the A1.1 competency."""
    mine = factories.make_framework(owner=user, slug="our-pmo")
    walk = Crosswalk(
        slug="ours", version="1", name="Our crosswalk", owner_id=user.id,
        from_framework="our-pmo", to_framework="pmi-talent-triangle", created_at=_before(ended),
        mappings=[CrosswalkMapping(from_code="A1.1", to_code="TT.PS", relation="exact")],
    )  # fmt: skip
    db.session.add(walk)
    db.session.commit()
    return walk, factories.leaves(mine)[0]


def _pmo(code: str) -> Competency:
    return db.session.scalar(
        select(Competency)
        .join(Framework)
        .where(Framework.slug == "pmo-practitioner", Framework.owner_id.is_(None))
        .where(Competency.code == code)
    )


def test_changing_a_mapping_of_my_crosswalk_changes_the_open_cycle_only(logged_in, user, cycles):
    walk, tag = _own_walk(user, cycles[0])
    _course_in_each(user, cycles, tag)
    assert [c["EDU.PS"] for c in _counted(user, cycles)] == [240, 240]

    to_related = {"from_code": "A1.1", "to_code": "TT.PS", "relation": "related", "reason": "x"}
    assert logged_in.post(f"/crosswalks/{walk.id}/mappings", data=to_related).status_code == 302
    added = {"from_code": "A1.1", "to_code": "TT.BA", "relation": "exact", "reason": "Ours."}
    assert logged_in.post(f"/crosswalks/{walk.id}/mappings", data=added).status_code == 302
    ended, current = _counted(user, cycles)
    assert (ended["EDU.PS"], ended["EDU.BA"]) == (240, 0)
    assert (current["EDU.PS"], current["EDU.BA"]) == (0, 240)

    # The crosswalk page shows the mappings in force; the closed row is history, not editable.
    db.session.expire_all()
    assert [(m.to_code, m.relation) for m in walk.mappings] == [
        ("TT.PS", "related"),
        ("TT.BA", "exact"),
    ]
    closed = db.session.scalar(
        select(CrosswalkMapping).where(CrosswalkMapping.valid_to.is_not(None))
    )
    assert (closed.to_code, closed.relation) == ("TT.PS", "exact")
    assert logged_in.post(f"/crosswalks/mappings/{closed.id}/delete").status_code == 404
    page = logged_in.get(f"/crosswalks/{walk.id}").data.decode()
    assert page.count("to=TT.PS") == 1 and f"mappings/{closed.id}/delete" not in page


def test_removing_a_mapping_of_my_crosswalk_keeps_it_for_the_ended_cycle(logged_in, user, cycles):
    walk, tag = _own_walk(user, cycles[0])
    _course_in_each(user, cycles, tag)
    mapping_id = walk.mappings[0].id
    assert logged_in.post(f"/crosswalks/mappings/{mapping_id}/delete").status_code == 302
    ended, current = _counted(user, cycles)
    assert ended["EDU.PS"] == 240
    assert current["EDU.PS"] == 0 and current["EDU.NONE"] == 240
    # Mapping the pair again counts from now on.
    again = {"from_code": "A1.1", "to_code": "TT.PS", "relation": "exact", "reason": ""}
    assert logged_in.post(f"/crosswalks/{walk.id}/mappings", data=again).status_code == 302
    assert [c["EDU.PS"] for c in _counted(user, cycles)] == [240, 240]

    # Deleting the crosswalk deletes its history with it (the closed row and the one in force).
    walk_id = walk.id
    rows = select(CrosswalkMapping.id).where(CrosswalkMapping.crosswalk_id == walk_id)
    assert len(db.session.scalars(rows).all()) == 2
    assert logged_in.post(f"/crosswalks/{walk_id}/delete").status_code == 302
    assert db.session.scalars(rows).all() == []


def test_a_new_reason_alone_is_written_in_place(app, user, cycles):
    walk, _tag = _own_walk(user, cycles[0])
    editing.save_mapping(
        user, walk, {"from_code": "A1.1", "to_code": "TT.PS", "relation": "exact", "reason": "!"}
    )
    db.session.commit()
    rows = db.session.scalars(
        select(CrosswalkMapping).where(CrosswalkMapping.crosswalk_id == walk.id)
    )
    assert [(r.reason, r.valid_from, r.valid_to) for r in rows] == [("!", None, None)]


def _override(user, relation, to_code="TT.PS", made=None) -> CrosswalkOverride:
    shipped = db.session.scalar(select(Crosswalk).where(Crosswalk.slug == PMO_WALK))
    data = {"from_code": "STK.3", "to_code": to_code, "relation": relation, "reason": ""}
    row = editing.set_override(user, shipped, data)
    if made is not None:
        row.created_at = made
    db.session.commit()
    return row


def test_dropping_an_override_changes_the_open_cycle_only(logged_in, user, cycles):
    _course_in_each(user, cycles, _pmo("STK.3"))
    row = _override(user, None, made=_before(cycles[0]))  # STK.3 is not Power Skills for me
    assert [c["EDU.PS"] for c in _counted(user, cycles)] == [0, 0]
    assert logged_in.post(f"/crosswalks/overrides/{row.id}/delete").status_code == 302
    assert [c["EDU.PS"] for c in _counted(user, cycles)] == [0, 240]
    assert logged_in.post(f"/crosswalks/overrides/{row.id}/delete").status_code == 404


def test_changing_an_override_changes_the_open_cycle_only(app, user, cycles):
    _course_in_each(user, cycles, _pmo("STK.3"))
    _override(user, None, made=_before(cycles[0]))
    _override(user, "exact", to_code="TT.BA", made=_before(cycles[0]))
    assert [c["EDU.BA"] for c in _counted(user, cycles)] == [240, 240]
    _override(user, None, to_code="TT.BA")  # changed today: Business Acumen no more
    ended, current = _counted(user, cycles)
    assert (ended["EDU.BA"], ended["EDU.PS"]) == (240, 0)
    assert (current["EDU.BA"], current["EDU.PS"], current["EDU.NONE"]) == (0, 0, 240)

    # The backup carries the overrides in force only, and the pages show them.
    pairs = [(o["to_code"], o["relation"]) for o in export_crosswalks(user)["crosswalk_overrides"]]
    assert pairs == [("TT.PS", None), ("TT.BA", None)]
    assert len(db.session.scalars(select(CrosswalkOverride)).all()) == 3
