"""Who reaches an appraisal: table-driven over every appraisal route with an id.

The appraiser's pages open for the chosen appraiser only, while they hold the role in the team and
the member is still in it; the member's pages for the member only. Everyone else gets 404 and
nothing changes."""

import pytest
from sqlalchemy import func, select

from cpd_log.extensions import db
from cpd_log.models.appraisal import Appraisal, AppraisalComment, AppraisalState
from cpd_log.models.team import TeamMembership
from cpd_log.teams import services as teams
from tests import factories
from tests.appraisals.helpers import join, make_cast, submit

REVIEW_ROUTES = [
    ("GET", "/appraisals/review/{id}", None),
    ("POST", "/appraisals/review/{id}/comment", {"round": 1, "activity_id": "", "body": "Hi"}),
    ("POST", "/appraisals/review/{id}/decide", {"round": 1, "sign_off": "x"}),
]
MEMBER_ROUTES = [
    ("GET", "/appraisals/{id}", None),
    ("POST", "/appraisals/{id}/withdraw", {}),
    ("POST", "/appraisals/{id}/resubmit", {}),
]


def _membership(team, user):
    return db.session.scalar(
        select(TeamMembership).where(
            TeamMembership.team_id == team.id, TeamMembership.user_id == user.id
        )
    )


def outsider(cast):
    return factories.make_user(display_name="Otto Outsider")


def member_of_another_team(cast):
    other = make_cast(name="Other team")
    return other.appraiser  # an appraiser, even, but of another team


def another_appraiser(cast):
    user = factories.make_user(display_name="Ann Other")
    join(cast.team, user, appraiser=True)
    return user


def lead_without_appraiser_role(cast):
    return cast.lead


def removed_appraiser(cast):
    teams.remove_member(cast.team.id, _membership(cast.team, cast.appraiser).id)
    db.session.commit()
    return cast.appraiser


def appraiser_role_taken_away(cast):
    teams.set_roles(_membership(cast.team, cast.appraiser), lead=False, appraiser=False)
    db.session.commit()
    return cast.appraiser


def appraiser_after_the_member_was_removed(cast):
    teams.remove_member(cast.team.id, _membership(cast.team, cast.member).id)
    db.session.commit()
    return cast.appraiser


REFUSED = [
    outsider,
    member_of_another_team,
    another_appraiser,
    lead_without_appraiser_role,
    removed_appraiser,
    appraiser_role_taken_away,
    appraiser_after_the_member_was_removed,
]


@pytest.mark.parametrize("who", REFUSED, ids=lambda f: f.__name__)
@pytest.mark.parametrize(("method", "path", "data"), REVIEW_ROUTES, ids=lambda v: str(v))
def test_only_the_chosen_appraiser_reaches_a_submission(
    app, client, login_as, who, method, path, data
):
    cast = make_cast()
    appraisal = submit(cast)
    user = who(cast)
    login_as(client, user)
    response = client.open(path.format(id=appraisal.id), method=method, data=data)
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Appraisal, appraisal.id).state is AppraisalState.SUBMITTED
    assert db.session.scalar(select(func.count(AppraisalComment.id))) == 0
    assert appraisal.id not in [a.id for a in _listed(client)]


def _listed(client):
    page = client.get("/appraisals/").get_data(as_text=True)
    return [
        a for a in db.session.scalars(select(Appraisal)) if f"/appraisals/review/{a.id}" in page
    ]


@pytest.mark.parametrize(
    "who", [outsider, lead_without_appraiser_role, another_appraiser], ids=lambda f: f.__name__
)
@pytest.mark.parametrize(("method", "path", "data"), MEMBER_ROUTES, ids=lambda v: str(v))
def test_only_the_member_reaches_their_appraisal(app, client, login_as, who, method, path, data):
    cast = make_cast()
    appraisal = submit(cast)
    for user in (who(cast), cast.appraiser):
        login_as(client, user)
        assert (
            client.open(path.format(id=appraisal.id), method=method, data=data).status_code == 404
        )
        client.post("/account/logout")
    db.session.expire_all()
    assert db.session.get(Appraisal, appraisal.id).state is AppraisalState.SUBMITTED


def test_the_chosen_appraiser_reaches_it(app, client, login_as):
    cast = make_cast()
    appraisal = submit(cast)
    login_as(client, cast.appraiser)
    assert client.get(f"/appraisals/review/{appraisal.id}").status_code == 200
    assert [a.id for a in _listed(client)] == [appraisal.id]


def test_a_removed_member_cannot_resubmit_and_keeps_the_history(app, client, login_as):
    cast = make_cast()
    appraisal = submit(cast)
    login_as(client, cast.appraiser)
    client.post(
        f"/appraisals/review/{appraisal.id}/decide",
        data={"round": 1, "reason": "More please.", "return_it": "x"},
    )
    client.post("/account/logout")
    teams.remove_member(cast.team.id, _membership(cast.team, cast.member).id)
    db.session.commit()
    login_as(client, cast.member)
    answer = client.post(f"/appraisals/{appraisal.id}/resubmit", follow_redirects=True)
    assert answer.status_code == 200
    assert "or you are no longer a member" in answer.get_data(as_text=True)
    assert "More please." in answer.get_data(as_text=True)
    db.session.expire_all()
    again = db.session.get(Appraisal, appraisal.id)
    assert again.state is AppraisalState.RETURNED and again.round == 1


def test_deleted_accounts(app, client, login_as):
    """The appraiser's account goes: the member keeps the history and the printed name. The
    member's account goes: their appraisals go with it."""
    from cpd_log.auth import services as auth_services
    from cpd_log.models.appraisal import AppraisalEvent

    cast = make_cast()
    appraisal = submit(cast)
    login_as(client, cast.appraiser)
    client.post(f"/appraisals/review/{appraisal.id}/decide", data={"round": 1, "sign_off": "x"})
    client.post("/account/logout")
    auth_services.delete_account(cast.appraiser)
    db.session.commit()
    login_as(client, cast.member)
    page = client.get(f"/appraisals/{appraisal.id}").get_data(as_text=True)
    assert "Signed off</strong> by Bea Appraiser" in page
    client.post("/account/logout")
    auth_services.delete_account(cast.member)
    db.session.commit()
    assert db.session.scalar(select(func.count(Appraisal.id))) == 0
    assert db.session.scalar(select(func.count(AppraisalEvent.id))) == 0
