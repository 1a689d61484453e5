"""Many users' cycles counted together (cpd_log/schemes/batch.py) equal each user's own
dashboard, in a number of queries that does not grow with the users."""

from datetime import date, timedelta

from cpd_log.demo import generate_activities
from cpd_log.extensions import db
from cpd_log.models import (
    Competency,
    Crosswalk,
    CrosswalkMapping,
    CrosswalkOverride,
)
from cpd_log.schemes import progress, services
from cpd_log.schemes.batch import members_cycles
from tests import factories
from tests.schemes.helpers import make_course, make_enrolment, seeded_pmo

TODAY = date.today()


def _today(_user) -> date:
    return TODAY


def _own_crosswalk(user) -> Competency:
    """The user's framework with a crosswalk of theirs into the Talent Triangle: A1.1 is Power
    Skills; returns A1.1."""
    mine = factories.make_framework(owner=user)
    db.session.add(
        Crosswalk(
            slug=f"walk-{mine.slug}",
            version="1",
            name="My crosswalk",
            from_framework=mine.slug,
            to_framework="pmi-talent-triangle",
            owner_id=user.id,
            mappings=[
                CrosswalkMapping(from_code="A1.1", to_code="TT.PS", relation="exact", reason="x")
            ],
        )
    )
    db.session.commit()
    return factories.leaves(mine)[0]


def _users(pmo):
    """Five users unlike each other: PMP with carry-over from an ended cycle and APM, many
    tagged activities and a split of their own; APM with reflections; PMP counting tags through
    a crosswalk of their own; PMP with an override of the shipped crosswalk; no scheme."""
    heavy, reflective, walker, overrider, none = (factories.make_user() for _ in range(5))
    pmp = make_enrolment(heavy, "pmi-pmp", TODAY - timedelta(days=4 * 365), "PMP")
    make_enrolment(heavy, "apm", TODAY - timedelta(days=100), "APM")
    generate_activities(heavy.id, 300, years=4, tags_per_activity=2, seed=3)
    split = make_course(heavy, [pmo["STK.3"]], TODAY - timedelta(days=3))
    services.set_split(pmp.cycles[-1], split.id, {"EDU.BA": 240})
    before = pmp.cycles[0]
    make_course(heavy, [], before.end_date - timedelta(days=20), minutes=80 * 60)  # a surplus
    make_enrolment(reflective, "apm", TODAY - timedelta(days=200), "APM")
    generate_activities(reflective.id, 40, years=1, tags_per_activity=1, seed=4)
    factories.make_reflection(
        reflective,
        reflected_on=TODAY - timedelta(days=5),
        applied_text="Used it at work.",
        applied_on=TODAY - timedelta(days=2),
    )
    make_enrolment(walker, "pmi-pmp", TODAY - timedelta(days=50), "PMP")
    make_course(walker, [_own_crosswalk(walker)], TODAY - timedelta(days=10), minutes=300)
    make_course(walker, [pmo["STK.3"]], TODAY - timedelta(days=9))
    make_enrolment(overrider, "pmi-pmp", TODAY - timedelta(days=60), "PMP")
    db.session.add(
        CrosswalkOverride(
            user_id=overrider.id,
            crosswalk_slug="pmo-practitioner-talent-triangle",
            from_framework="pmo-practitioner",
            to_framework="pmi-talent-triangle",
            from_code="STK.3",
            to_code="TT.BA",
            relation="exact",
        )
    )
    make_course(overrider, [pmo["STK.3"]], TODAY - timedelta(days=4))
    db.session.commit()
    return [heavy, reflective, walker, overrider, none]


def _figures(view):
    p = view.progress
    return (view.cycle, p.rules, p.total, p.carried_in, view.projection, view.carry_out)


def test_members_cycles_equal_each_members_own_dashboard(app):
    users = _users(seeded_pmo())
    together = members_cycles(users, _today)
    counted = 0
    for user in users:
        own = progress.dashboard_cycles(user, TODAY)
        assert [_figures(v) for v in together[user.id]] == [_figures(v) for v in own]
        assert [v.warning for v in together[user.id]] == [v.warning for v in own]
        counted += len(own)
    assert counted == 5  # two cycles of the first user, one of the next three, none of the last
    heavy, reflective, walker, overrider, _ = (together[u.id] for u in users)
    assert heavy[0].progress.carried_in > 0
    assert heavy[0].progress.by_category["EDU.BA"] >= 240
    assert walker[0].progress.by_category["EDU.PS"] == 300 + 240  # own crosswalk and shipped
    assert overrider[0].progress.by_category["EDU.BA"] == 120  # the override shares it with PS
    counts = {r.code: r.counted for r in reflective[0].progress.rules if r.is_count}
    assert 1 in counts.values()  # the reflective statement


def test_the_queries_do_not_grow_with_the_users(app, count_queries):
    pmo = seeded_pmo()
    users = _users(pmo) + _users(pmo)
    members_cycles(users, _today)  # cycles that began are stored first
    db.session.commit()
    with count_queries() as few:
        members_cycles(users[:5], _today)
    with count_queries() as many:
        members_cycles(users, _today)
    assert 0 < len(few) == len(many)


def _year_in(framework_slug: str) -> dict:
    """A year of 10 hours, of which the framework's area A1 counts as "A1"."""
    return {
        "slug": "year-in-a1", "name": "Year in A1", "version": "1", "source": "tests",
        "period": {"type": "cycle", "months": 12},
        "unit": {"name": "hour", "plural": "hours", "minutes": 60},
        "total_min": 10,
        "categories": [{"code": "ALL", "name": "All", "subcategories": [
            {"code": "A1", "name": "Area 1"}, {"code": "OTHER", "name": "Other"},
        ]}],
        "allocation": {"default": "OTHER", "competencies": {
            "framework": framework_slug, "parent": "ALL", "map": {"A1.1": "A1", "A1.2": "A1"},
        }},
    }  # fmt: skip


def test_own_and_team_schemes_count_in_their_own_frameworks_as_on_the_own_dashboard(app):
    """A scheme of the user's own, and a team's scheme, each with a competency rule naming a
    framework of the same owner (the lead dashboard counts members following either)."""
    from cpd_log.models import Framework
    from cpd_log.team_library.services import publish_scheme
    from cpd_log.teams.services import create_team

    own, member = factories.make_user(), factories.make_user()
    mine = factories.make_framework(owner=own, slug="ours")
    scheme, _ = services.load_scheme(_year_in("ours"), owner_id=own.id)
    services.enrol(own, scheme, TODAY - timedelta(days=30), "Own year", TODAY)
    team = create_team(factories.make_user(), "Team").team
    theirs = factories.make_framework(slug="ours")
    theirs.team_id = team.id  # the team's framework of the same slug
    db.session.flush()
    assert db.session.get(Framework, theirs.id).owner_id is None
    team_scheme = publish_scheme(team.id, _year_in("ours"))
    services.enrol(member, team_scheme, TODAY - timedelta(days=30), "Team year", TODAY)
    make_course(own, [factories.leaves(mine)[0]], TODAY - timedelta(days=2))
    make_course(member, [factories.leaves(theirs)[0]], TODAY - timedelta(days=2))
    db.session.commit()

    together = members_cycles([own, member], _today)
    for user in (own, member):
        mine_alone = progress.dashboard_cycles(user, TODAY)
        assert [_figures(v) for v in together[user.id]] == [_figures(v) for v in mine_alone]
        assert together[user.id][0].progress.by_category["A1"] == 240
