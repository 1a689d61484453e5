"""The lead dashboard's heat-map drawn against the team's own framework: members' tags in it
count, and tags in a shipped framework reach it through the team's crosswalk. A lead can choose
the team's own frameworks, never another team's."""

import io

from sqlalchemy import select

from cpd_log.common.dates import today_for
from cpd_log.competencies.services import seed_frameworks
from cpd_log.extensions import db
from cpd_log.models import Competency, Framework
from cpd_log.team_library.services import team_framework
from cpd_log.teams.dashboard import lead_dashboard
from tests import factories
from tests.team_library.helpers import make_team
from tests.teams.helpers import share_all

CSV = b"code,name,parent code\nGOV,Governance,\nGOV.1,Assurance,GOV\nGOV.2,Audit,GOV\n"
CROSSWALK = (
    "from framework,from code,to framework,to code,relation,reason\n"
    "pmo-practitioner,GOV.1,{slug},GOV.1,exact,The same\n"
)


def _upload(client, url: str, body: bytes, name: str):
    return client.post(
        url,
        data={"format": "csv", "name": name, "file": (io.BytesIO(body), "f.csv")},
        content_type="multipart/form-data",
    )


def test_the_heat_map_counts_in_the_teams_framework_through_its_crosswalk(
    client, login_as, user, other_user
):
    seed_frameworks()
    db.session.commit()
    member = factories.make_user()
    team = make_team(user, member)
    login_as(client, user)
    _upload(client, f"/teams/{team.id}/frameworks/import", CSV, "Our PMO framework")
    ours = db.session.scalar(select(Framework).where(Framework.team_id == team.id))
    crosswalk = CROSSWALK.format(slug=ours.slug).encode()
    assert _upload(client, f"/teams/{team.id}/crosswalks/import", crosswalk, "X").status_code == 302
    assert team_framework(team).id == ours.id  # none chosen: the team's own

    elsewhere = make_team(other_user, name="Elsewhere")
    theirs = Framework(slug="theirs", name="Their secret framework", team_id=elsewhere.id)
    db.session.add(theirs)
    db.session.commit()
    page = client.get(f"/teams/{team.id}/dashboard").data.decode()
    assert "Our PMO framework" in page and "Their secret framework" not in page
    client.post(f"/teams/{team.id}/framework", data={"framework": theirs.id})
    db.session.expire_all()
    assert team.framework_id is None  # refused: not one of the choices
    client.post(f"/teams/{team.id}/framework", data={"framework": ours.id})
    db.session.expire_all()
    assert team.framework_id == ours.id

    shipped_gov = db.session.scalar(
        select(Competency)
        .join(Framework)
        .where(Framework.slug == "pmo-practitioner", Framework.team_id.is_(None))
        .where(Framework.owner_id.is_(None), Competency.code == "GOV.1")
    )
    today = today_for(user)
    own_gov2 = next(c for c in ours.competencies if c.code == "GOV.2")
    factories.make_activity(member, [shipped_gov], start_date=today, minutes=120)
    factories.make_activity(member, [own_gov2], start_date=today, minutes=60)
    membership = next(m for m in team.memberships if m.user_id == member.id)
    share_all(membership, progress=False)
    covered = lead_dashboard(team, today).coverage
    rows = {row.line.code: row for row in covered.rows if row.line.area is not None}
    member_column = [m.user_id for m in covered.members].index(member.id)
    assert rows["GOV.1"].by_member[member_column] == 120  # through the team's crosswalk
    assert rows["GOV.2"].by_member[member_column] == 60
