"""A user's own framework with the same slug as a shipped one is another framework: its tags never
count as the shipped one's in scheme counting, the coverage heat-map or the next best activity,
and a shipped crosswalk never reaches from it. A slug in the user's own crosswalk or scheme names
their own framework where they have one of it."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from cpd_log.competencies.coverage_loading import coverage_page
from cpd_log.competencies.services import seed_frameworks
from cpd_log.crosswalks.services import seed_crosswalks
from cpd_log.extensions import db
from cpd_log.models import (
    ActivityKind,
    Competency,
    Crosswalk,
    CrosswalkMapping,
    Framework,
)
from cpd_log.next_best.services import suggestions
from cpd_log.schemes import progress, services
from cpd_log.schemes.checking import DATA_DIR, read_scheme_file
from tests import factories
from tests.schemes.helpers import make_enrolment

TODAY = date.today()


@pytest.fixture
def seeded(app):
    seed_frameworks()
    seed_crosswalks()
    db.session.commit()


def _namesake(user, slug: str, code: str) -> Competency:
    """The user's own framework `slug` (a shipped one's slug) with one competency `code`."""
    framework = Framework(slug=slug, name="Ours", owner_id=user.id)
    area = Competency(framework=framework, code="OUR", name="Our area", sort=0)
    own = Competency(framework=framework, parent=area, code=code, name="Our meaning", sort=1)
    db.session.add_all([framework, area, own])
    db.session.commit()
    return own


def _shipped(slug: str, code: str) -> Competency:
    return db.session.scalar(
        select(Competency)
        .join(Framework)
        .where(Framework.slug == slug, Framework.owner_id.is_(None), Competency.code == code)
    )


def _course(user, tag: Competency, minutes=240):
    return factories.make_activity(
        user, [tag], kind=ActivityKind.COURSE, start_date=TODAY - timedelta(days=2), minutes=minutes
    )


def _pmp_counts(user, cycle) -> list[dict[str, int]]:
    """Minutes by category from the cycle page's counting and from the dashboard's."""
    page = progress.compute(user, [cycle], TODAY, {cycle.id})[cycle.id].progress.by_category
    dashboard = progress.dashboard_cycles(user, TODAY)[0].progress.by_category
    return [page, dashboard]


@pytest.mark.parametrize(
    ("slug", "code"), [("pmo-practitioner", "STK.3"), ("pmi-talent-triangle", "TT.PS")]
)
def test_a_namesakes_tag_never_counts_as_the_shipped_frameworks(seeded, user, slug, code):
    cycle = make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=100), "PMP").cycles[0]
    _course(user, _namesake(user, slug, code))
    for counted in _pmp_counts(user, cycle):
        assert counted["EDU.PS"] == 0 and counted["EDU.NONE"] == 240
    _course(user, _shipped(slug, code))  # the shipped framework's own competency does count
    for counted in _pmp_counts(user, cycle):
        assert counted["EDU.PS"] == 240 and counted["EDU.NONE"] == 240


def test_my_crosswalk_from_a_namesake_is_the_one_that_counts(seeded, logged_in, user):
    cycle = make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=100), "PMP").cycles[0]
    own = _namesake(user, "pmo-practitioner", "STK.3")
    db.session.add(
        Crosswalk(
            slug="ours",
            version="1",
            name="Our crosswalk",
            owner_id=user.id,
            from_framework="pmo-practitioner",
            to_framework="pmi-talent-triangle",
            mappings=[CrosswalkMapping(from_code="STK.3", to_code="TT.BA", relation="exact")],
        )  # fmt: skip
    )
    db.session.commit()
    _course(user, own)
    for counted in _pmp_counts(user, cycle):
        assert (counted["EDU.PS"], counted["EDU.BA"]) == (0, 240)
    page = logged_in.get(f"/schemes/cycles/{cycle.id}").data.decode()
    assert "STK.3 Our meaning → Business Acumen (Our crosswalk)" in page
    assert "PMO framework crosswalk" not in page

    # The shipped crosswalk names and takes the shipped framework's competencies only.
    shipped = db.session.scalar(
        select(Crosswalk).where(Crosswalk.slug == "pmo-practitioner-talent-triangle")
    )
    shown = logged_in.get(f"/crosswalks/{shipped.id}").data.decode()
    assert "Influencing and negotiation" in shown and "Our meaning" not in shown
    ours = {"from_code": "OUR", "to_code": "TT.PS", "relation": "exact", "reason": ""}
    refused = logged_in.post(f"/crosswalks/{shipped.id}/mappings", data=ours)
    assert refused.status_code == 200 and "Not a valid choice" in refused.data.decode()


def test_my_scheme_counts_in_my_namesake_framework(seeded, user):
    data = read_scheme_file(DATA_DIR / "pmi-pmp.json")[0]
    scheme, _ = services.load_scheme({**data, "slug": "our-pmp"}, owner_id=user.id)
    cycle = services.enrol(user, scheme, TODAY - timedelta(days=100), "Ours", TODAY).cycles[0]
    db.session.commit()
    _course(user, _namesake(user, "pmi-talent-triangle", "TT.PS"))
    _course(user, _shipped("pmi-talent-triangle", "TT.PS"))
    for counted in _pmp_counts(user, cycle):
        assert counted["EDU.PS"] == 240 and counted["EDU.NONE"] == 240


def test_the_heat_map_and_the_next_best_activity_tell_namesakes_apart(seeded, user):
    make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=100), "PMP")
    own = _namesake(user, "pmo-practitioner", "STK.3")
    _course(user, own)
    triangle = db.session.scalar(
        select(Framework).where(
            Framework.slug == "pmi-talent-triangle", Framework.owner_id.is_(None)
        )
    )
    for view in ("quarters", "frameworks"):
        cells = coverage_page(user, triangle, TODAY, view).coverage.cells.values()
        assert sum(cell.total for row in cells for cell in row) == 0

    shown = suggestions(user, progress.dashboard_cycles(user, TODAY))
    assert shown and own.id not in {s.competency_id for s in shown}
    _course(user, _shipped("pmo-practitioner", "STK.3"))
    cells = coverage_page(user, triangle, TODAY, "quarters").coverage.cells.values()
    assert sum(cell.via for row in cells for cell in row) > 0
