"""A team's schemes: a lead publishes one (the scheme format and checks of every scheme, e.g.
"30 hours, at least 10 in our PMO framework's Governance area"), members see it on the team's
page and enrol, and it counts through the same engine. A new version moves open cycles only;
a member who leaves keeps the enrolment at the version they last had."""

import io
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from cpd_log.competencies.services import seed_frameworks
from cpd_log.extensions import db
from cpd_log.models import ActivityKind, Competency, Framework
from cpd_log.models.scheme import Cycle, Enrolment, Scheme
from cpd_log.schemes import progress
from tests import factories
from tests.team_library.helpers import leave, make_team

TODAY = date.today()
CSV = (
    b"code,name,parent code\n"
    b"GOV,Governance,\nGOV.1,Assurance,GOV\nGOV.2,Audit,GOV\nREP,Reporting,\nREP.1,Dashboards,REP\n"
)
HEADER = "from framework,from code,to framework,to code,relation,reason\n"


def appraisal(framework_slug: str, version: str = "1", total: int = 30, governance: int = 10):
    return {
        "slug": "appraisal-year",
        "name": "Appraisal year",
        "version": version,
        "source": "Our PMO's appraisal policy",
        "period": {"type": "cycle", "months": 12},
        "unit": {"name": "hour", "plural": "hours", "minutes": 60},
        "total_min": total,
        "categories": [
            {
                "code": "ALL",
                "name": "Learning",
                "subcategories": [
                    {"code": "GOV", "name": "Governance", "min": governance},
                    {"code": "OTHER", "name": "Other areas"},
                ],
            }
        ],
        "allocation": {
            "default": "OTHER",
            "competencies": {
                "framework": framework_slug,
                "parent": "ALL",
                "map": {"GOV.1": "GOV", "GOV.2": "GOV"},
            },
        },
    }


@pytest.fixture
def member(app):
    return factories.make_user(email="mia@example.com", display_name="Mia")


@pytest.fixture
def team(user, member):
    return make_team(user, member)


def _as(client, login_as, who):
    client.post("/account/logout")
    login_as(client, who)
    return client


def _framework(client, team) -> Framework:
    client.post(
        f"/teams/{team.id}/frameworks/import",
        data={"format": "csv", "name": "Our PMO framework", "file": (io.BytesIO(CSV), "f.csv")},
        content_type="multipart/form-data",
    )
    return db.session.scalar(select(Framework).where(Framework.team_id == team.id))


def _publish(client, team, data) -> object:
    return client.post(f"/teams/{team.id}/schemes/new", data={"content": json.dumps(data)})


def _enrol(client, scheme_id: int, start: date):
    response = client.post(
        "/schemes/", data={"scheme": scheme_id, "start_date": start.isoformat(), "label": ""}
    )
    assert response.status_code == 302
    return db.session.scalar(select(Enrolment).order_by(Enrolment.id.desc()))


def _newest(team) -> Scheme:
    return db.session.scalar(
        select(Scheme).where(Scheme.team_id == team.id).order_by(Scheme.id.desc())
    )


def _code(framework, code) -> Competency:
    return next(c for c in framework.competencies if c.code == code)


def test_members_enrol_in_a_team_scheme_and_count_through_the_engine(
    client, login_as, user, member, team
):
    login_as(client, user)
    framework = _framework(client, team)
    assert _publish(client, team, appraisal(framework.slug)).status_code == 302
    scheme = _newest(team)
    assert (scheme.team_id, scheme.owner_id) == (team.id, None)

    _as(client, login_as, member)
    page = client.get(f"/teams/{team.id}/library").data.decode()
    assert "Appraisal year" in page and f"scheme={scheme.id}" in page
    assert "Publish a new version" not in page  # a member is no lead
    assert "Appraisal year (PMO team)" in client.get(f"/schemes/?scheme={scheme.id}").data.decode()
    enrolment = _enrol(client, scheme.id, TODAY - timedelta(days=30))
    assert enrolment.user_id == member.id and enrolment.scheme_id == scheme.id
    course = {"kind": ActivityKind.COURSE, "start_date": TODAY - timedelta(days=2)}
    factories.make_activity(member, [_code(framework, "GOV.1")], minutes=8 * 60, **course)
    factories.make_activity(member, [_code(framework, "REP.1")], minutes=5 * 60, **course)
    cycle = enrolment.cycles[0]
    counted = progress.compute(member, [cycle], TODAY, {cycle.id})[cycle.id].progress
    assert counted.by_category["GOV"] == 8 * 60 and counted.by_category["OTHER"] == 5 * 60
    dashboard = progress.dashboard_cycles(member, TODAY)[0].progress
    assert dashboard.by_category == counted.by_category
    page = client.get(f"/schemes/cycles/{cycle.id}").data.decode()
    assert "8/10 hours" in page and "13/30 hours" in page  # Governance; the total


def test_a_namesakes_tags_never_count_in_the_team_scheme(client, login_as, user, member, team):
    """The team's scheme counts in the team's framework of its slug: the member's own framework
    of that slug, and another team's, are other frameworks."""
    login_as(client, user)
    framework = _framework(client, team)
    _publish(client, team, appraisal(framework.slug))
    other = make_team(member, name="Another team")
    theirs = Framework(slug=framework.slug, name="Theirs", team_id=other.id)
    area = Competency(framework=theirs, code="GOV", name="Governance", sort=0)
    their_gov = Competency(framework=theirs, parent=area, code="GOV.1", name="Theirs", sort=1)
    mine = Framework(slug=framework.slug, name="Mine", owner_id=member.id)
    my_area = Competency(framework=mine, code="GOV", name="Governance", sort=0)
    my_gov = Competency(framework=mine, parent=my_area, code="GOV.1", name="Mine", sort=1)
    db.session.add_all([theirs, area, their_gov, mine, my_area, my_gov])
    db.session.commit()
    _as(client, login_as, member)
    enrolment = _enrol(client, _newest(team).id, TODAY - timedelta(days=30))
    day = {"start_date": TODAY - timedelta(days=2), "minutes": 120}
    factories.make_activity(member, [their_gov], **day)
    factories.make_activity(member, [my_gov], **day)
    cycle = enrolment.cycles[0]
    counted = progress.compute(member, [cycle], TODAY, {cycle.id})[cycle.id].progress
    assert counted.by_category["GOV"] == 0 and counted.by_category["OTHER"] == 240
    factories.make_activity(member, [_code(framework, "GOV.2")], **day)
    counted = progress.compute(member, [cycle], TODAY, {cycle.id})[cycle.id].progress
    assert counted.by_category["GOV"] == 120


def test_a_new_version_moves_open_cycles_and_ended_ones_keep_theirs(
    client, login_as, user, member, team
):
    login_as(client, user)
    framework = _framework(client, team)
    _publish(client, team, appraisal(framework.slug))
    first = _newest(team)
    _as(client, login_as, member)
    enrolment = _enrol(client, first.id, TODAY - timedelta(days=400))
    ended, current = sorted(enrolment.cycles, key=lambda c: c.number)
    assert ended.end_date < TODAY <= current.end_date

    _as(client, login_as, user)
    response = _publish(client, team, appraisal(framework.slug))  # the same version again
    assert response.status_code == 200 and "change the version" in response.data.decode()
    assert _publish(client, team, appraisal(framework.slug, "2", total=35)).status_code == 302
    second = _newest(team)
    assert second.id != first.id

    _as(client, login_as, member)
    assert client.get("/schemes/").status_code == 200  # counting moves the open cycle
    db.session.expire_all()
    assert db.session.get(Cycle, ended.id).scheme_id == first.id
    assert db.session.get(Cycle, current.id).scheme_id == second.id
    assert "0/35 hours" in client.get(f"/schemes/cycles/{current.id}").data.decode()
    assert "0/30 hours" in client.get(f"/schemes/cycles/{ended.id}").data.decode()


def test_leaving_keeps_the_enrolment_at_the_version_the_member_last_had(
    client, login_as, user, member, team
):
    login_as(client, user)
    framework = _framework(client, team)
    _publish(client, team, appraisal(framework.slug))
    _as(client, login_as, member)
    enrolment = _enrol(client, _newest(team).id, TODAY - timedelta(days=30))
    _as(client, login_as, user)
    _publish(client, team, appraisal(framework.slug, "2", total=35))
    _as(client, login_as, member)
    client.get("/schemes/")
    second = _newest(team)
    cycle_id = enrolment.cycles[0].id
    db.session.expire_all()
    assert db.session.get(Cycle, cycle_id).scheme_id == second.id

    leave(team, member)
    _as(client, login_as, user)
    _publish(client, team, appraisal(framework.slug, "3", total=40))
    _as(client, login_as, member)
    page = client.get("/schemes/").data.decode()
    assert "Appraisal year" in page  # still followed, read from the member's own record
    assert f'value="{_newest(team).id}"' not in page  # no longer offered
    db.session.expire_all()
    assert db.session.get(Cycle, cycle_id).scheme_id == second.id  # version 3 never reaches it
    assert client.get(f"/schemes/cycles/{cycle_id}").status_code == 200
    assert client.get(f"/teams/{team.id}/library").status_code == 404


def test_a_team_crosswalk_carries_members_shipped_tags_into_the_team_framework(
    client, login_as, user, member, team
):
    seed_frameworks()
    db.session.commit()
    login_as(client, user)
    framework = _framework(client, team)
    _publish(client, team, appraisal(framework.slug))
    rows = HEADER + f"pmo-practitioner,GOV.1,{framework.slug},GOV.1,exact,The same\n"
    response = client.post(
        f"/teams/{team.id}/crosswalks/import",
        data={"format": "csv", "name": "PMO to ours", "file": (io.BytesIO(rows.encode()), "c.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.data.decode()
    shipped_gov = db.session.scalar(
        select(Competency)
        .join(Framework)
        .where(Framework.slug == "pmo-practitioner", Framework.owner_id.is_(None))
        .where(Framework.team_id.is_(None), Competency.code == "GOV.1")
    )
    _as(client, login_as, member)
    assert "PMO to ours" in client.get(f"/teams/{team.id}/library").data.decode()
    enrolment = _enrol(client, _newest(team).id, TODAY - timedelta(days=30))
    factories.make_activity(
        member, [shipped_gov], start_date=TODAY - timedelta(days=1), minutes=180
    )
    cycle = enrolment.cycles[0]
    counted = progress.compute(member, [cycle], TODAY, {cycle.id})[cycle.id].progress
    assert counted.by_category["GOV"] == 180
    dashboard = progress.dashboard_cycles(member, TODAY)[0].progress
    assert dashboard.by_category["GOV"] == 180


def test_a_crosswalk_must_touch_a_team_framework_and_checks_every_code(
    client, login_as, user, team
):
    seed_frameworks()
    db.session.commit()
    login_as(client, user)
    framework = _framework(client, team)
    cases = {
        "pmo-practitioner,GOV.1,pmi-talent-triangle,TT.PS,exact,x\n": (
            "neither pmo-practitioner nor pmi-talent-triangle"
        ),
        f"pmo-practitioner,GOV.1,{framework.slug},NOPE.9,exact,x\n": "NOPE.9",
    }
    for row, message in cases.items():
        response = client.post(
            f"/teams/{team.id}/crosswalks/import",
            data={
                "format": "csv",
                "name": "X",
                "file": (io.BytesIO((HEADER + row).encode()), "c.csv"),
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == 200 and message in response.data.decode()
    assert client.get(f"/teams/{team.id}/library").data.decode().count("mappings") == 0


def _team_with_scheme(lead, member, name: str):
    team = make_team(lead, member, name=name)
    framework = Framework(slug="ours", name=f"{name} framework", team_id=team.id)
    area = Competency(framework=framework, code="GOV", name="Governance", sort=0)
    db.session.add_all(
        [
            framework,
            area,
            Competency(framework=framework, parent=area, code="GOV.1", name="Assurance", sort=1),
        ]
    )
    db.session.flush()
    scheme = Scheme(slug="appraisal-year", version="1", name=f"{name} year", team_id=team.id,
                    content=appraisal("ours"))  # fmt: skip
    db.session.add(scheme)
    db.session.commit()
    return team, scheme


def test_queries_do_not_grow_with_teams_or_their_schemes(
    client, login_as, user, member, count_queries, uncached
):
    """The dashboard, the schemes page and a team's library page: the same number of queries
    with one team scheme followed as with three teams' (and several versions)."""
    login_as(client, member)
    start = TODAY - timedelta(days=30)
    team, first = _team_with_scheme(user, member, "Team 1")
    _enrol(client, first.id, start)
    pages = ["/dashboard", "/schemes/", f"/teams/{team.id}/library"]
    for page in pages:
        client.get(page)

    def counts():
        found = []
        for page in pages:
            with count_queries() as statements:
                assert client.get(page).status_code == 200
            found.append(len(statements))
        return found

    small = counts()
    for n in (2, 3):
        other, scheme = _team_with_scheme(user, member, f"Team {n}")
        _enrol(client, scheme.id, start)
    db.session.add(Scheme(slug="appraisal-year", version="2", name="Team 1 year", team_id=team.id,
                          content=appraisal("ours", "2")))  # fmt: skip
    db.session.commit()
    for page in pages:
        client.get(page)  # cycles moved to version 2 are stored
    assert counts() == small
