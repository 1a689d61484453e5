"""A team's frameworks: a lead creates, imports or copies one through the framework code paths
every framework goes through; members see it and tag to it; non-members get 404; only leads
edit; a team framework that shares another's slug is another framework to counting."""

import io

import pytest
from sqlalchemy import select

from cpd_log.competencies.services import seed_frameworks
from cpd_log.crosswalks.mapping import framework_key, key_parts
from cpd_log.extensions import db
from cpd_log.models import Activity, Competency, Framework
from cpd_log.team_library.services import team_framework
from tests import factories
from tests.team_library.helpers import leave, make_team

CSV = (
    b"code,name,parent code,description\n"
    b"GOV,Governance,,\nGOV.1,Assurance,GOV,\nREP,Reporting,,\nREP.1,Dashboards,REP,\n"
)


@pytest.fixture
def member(app):
    return factories.make_user(email="mia@example.com", display_name="Mia")


@pytest.fixture
def team(user, member):
    return make_team(user, member)


def _import(client, team, name="Our PMO framework"):
    return client.post(
        f"/teams/{team.id}/frameworks/import",
        data={"format": "csv", "name": name, "file": (io.BytesIO(CSV), "ours.csv")},
        content_type="multipart/form-data",
    )


def _team_framework(team) -> Framework:
    return db.session.scalar(select(Framework).where(Framework.team_id == team.id))


def test_a_lead_imports_a_framework_members_see_and_tag_to(
    client, login_as, user, member, other_user, team
):
    login_as(client, user)
    response = _import(client, team)
    assert response.status_code == 302
    framework = _team_framework(team)
    assert (framework.owner_id, framework.name) == (None, "Our PMO framework")
    assert sorted(c.code for c in framework.competencies) == ["GOV", "GOV.1", "REP", "REP.1"]
    assert "Our PMO framework" in client.get(f"/teams/{team.id}/library").data.decode()

    client.post("/account/logout")
    login_as(client, member)
    assert "Team: PMO team" in client.get("/competencies/").data.decode()
    assert client.get(f"/competencies/frameworks/{framework.id}").status_code == 200
    gov = next(c for c in framework.competencies if c.code == "GOV.1")
    assert f'value="{gov.id}"' in client.get("/activities/new").data.decode()
    assert client.get(f"/competencies/{gov.id}").status_code == 200

    client.post("/account/logout")
    login_as(client, other_user)
    assert client.get(f"/competencies/frameworks/{framework.id}").status_code == 404
    assert client.get(f"/competencies/{gov.id}").status_code == 404
    assert "Our PMO framework" not in client.get("/competencies/").data.decode()
    assert f'value="{gov.id}"' not in client.get("/activities/new").data.decode()
    assert client.get(f"/teams/{team.id}/library").status_code == 404


def test_a_member_who_is_not_a_lead_cannot_publish_or_edit(client, login_as, user, member, team):
    login_as(client, user)
    _import(client, team)
    framework = _team_framework(team)
    gov = next(c for c in framework.competencies if c.code == "GOV.1")
    client.post("/account/logout")
    login_as(client, member)
    assert _import(client, team, "Mine").status_code == 404
    assert client.get(f"/teams/{team.id}/schemes/new").status_code == 404
    assert client.get(f"/competencies/frameworks/{framework.id}/edit").status_code == 403
    assert client.post(f"/competencies/frameworks/{framework.id}/delete").status_code == 403
    assert client.get(f"/competencies/{gov.id}/edit").status_code == 403
    assert (
        "+ Add an area" not in client.get(f"/competencies/frameworks/{framework.id}").data.decode()
    )
    db.session.expire_all()
    assert db.session.get(Framework, framework.id) is not None

    client.post("/account/logout")
    login_as(client, user)  # the lead edits through the framework editor
    page = client.get(f"/competencies/frameworks/{framework.id}").data.decode()
    assert "+ Add an area" in page
    response = client.post(
        f"/competencies/frameworks/{framework.id}/edit",
        data={"name": "Our PMO framework 2027", "version": "2", "levels": "0 New\n1 Able"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Framework, framework.id).name == "Our PMO framework 2027"


def test_leaving_hides_the_teams_frameworks_at_once_and_keeps_the_members_tags(
    client, login_as, user, member, team
):
    login_as(client, user)
    _import(client, team)
    framework = _team_framework(team)
    gov = next(c for c in framework.competencies if c.code == "GOV.1")
    activity = factories.make_activity(member, [gov])
    leave(team, member)
    client.post("/account/logout")
    login_as(client, member)
    assert client.get(f"/competencies/frameworks/{framework.id}").status_code == 404
    assert client.get(f"/teams/{team.id}/library").status_code == 404
    db.session.expire_all()
    assert [c.id for c in db.session.get(Activity, activity.id).competencies] == [gov.id]


def test_a_lead_copies_a_shipped_framework_into_the_team(client, login_as, user, team):
    seed_frameworks()
    db.session.commit()
    shipped = db.session.scalar(
        select(Framework).where(Framework.slug == "pmo-practitioner", Framework.owner_id.is_(None))
    )
    login_as(client, user)
    response = client.post(f"/teams/{team.id}/frameworks/copy", data={"source": shipped.id})
    assert response.status_code == 302
    copy = _team_framework(team)
    assert copy.id != shipped.id and copy.team_id == team.id
    assert {c.code for c in copy.competencies} == {c.code for c in shipped.competencies}
    assert team_framework(team).id == copy.id  # the lead dashboard's framework, none chosen
    response = client.post(f"/teams/{team.id}/frameworks/copy", data={"source": 2_147_483_000})
    assert response.status_code == 302  # an unknown choice is refused at the form, nothing made
    assert db.session.scalar(select(db.func.count()).where(Framework.team_id == team.id)) == 1


def test_team_framework_keys_never_mix_with_namesakes(app, user, other_user):
    team = make_team(user)
    other = make_team(other_user, name="Other team")
    ours = Framework(slug="pmo-practitioner", name="Ours", team_id=team.id)
    theirs = Framework(slug="pmo-practitioner", name="Theirs", team_id=other.id)
    mine = Framework(slug="pmo-practitioner", name="Mine", owner_id=user.id)
    db.session.add_all([ours, theirs, mine])
    db.session.commit()
    keys = {framework_key(f.slug, f.owner_id, f.team_id) for f in (ours, theirs, mine)}
    assert keys == {
        f"pmo-practitioner@team:{team.id}",
        f"pmo-practitioner@team:{other.id}",
        f"pmo-practitioner@{user.id}",
    }
    assert key_parts(f"pmo-practitioner@team:{team.id}") == ("pmo-practitioner", None, team.id)
    assert key_parts(f"pmo-practitioner@{user.id}") == ("pmo-practitioner", user.id, None)
    assert key_parts("pmo-practitioner") == ("pmo-practitioner", None, None)


def test_a_team_framework_with_a_shipped_slug_is_not_the_shipped_one(client, login_as, user):
    """Shipped = no owner and no team: a team's namesake never passes for the shipped one."""
    seed_frameworks()
    team = make_team(user)
    db.session.add(Framework(slug="pmo-practitioner", name="Team copy", team_id=team.id))
    db.session.commit()
    stranger = factories.make_user()
    login_as(client, stranger)
    page = client.get("/competencies/").data.decode()
    assert "Team copy" not in page
    shipped_count = db.session.scalar(
        select(db.func.count())
        .select_from(Competency)
        .join(Framework)
        .where(Framework.slug == "pmo-practitioner", Framework.team_id.is_(None))
    )
    assert shipped_count > 0


def test_deleting_a_team_framework_counts_only_the_leads_own_use(
    client, login_as, user, member, team
):
    """The members' tags on it are theirs: the lead is told they go, never how many."""
    login_as(client, user)
    _import(client, team)
    framework = _team_framework(team)
    gov = next(c for c in framework.competencies if c.code == "GOV.1")
    for _ in range(3):
        factories.make_activity(member, [gov])
    factories.make_activity(user, [gov])
    page = client.get(f"/competencies/frameworks/{framework.id}/delete").data.decode()
    assert "This is PMO team's framework" in page
    assert "1 activity tag" in page
    assert "3 activity tags" not in page and "4 activity tags" not in page
    page = client.get(f"/competencies/{gov.id}/delete").data.decode()
    assert "1 activity tag" in page and "4 activity tags" not in page
