"""Every team library route, read from the URL map: a non-member gets 404 (the team's existence
is not revealed), a member who is no lead gets 404 on a lead's page, a lead of another team never
reaches this one, and a removed member is out at once. A new route is audited without editing
this file."""

import pytest

from cpd_log import create_app
from tests import factories
from tests.team_library.helpers import leave, make_team

_APP = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": "sqlite://"})
RULES = [r for r in _APP.url_map.iter_rules() if r.endpoint.startswith("team_library.")]
MEMBERS_SEE = {"team_library.library"}  # every other route is a lead's


def _cases():
    return [(r, m) for r in RULES for m in sorted(r.methods & {"GET", "POST"})]


def test_the_table_sees_every_route():
    assert {r.endpoint for r in RULES} >= {
        "team_library.library",
        "team_library.new_framework",
        "team_library.import_framework",
        "team_library.copy_framework",
        "team_library.new_scheme",
        "team_library.import_crosswalk",
    }


@pytest.mark.parametrize(("rule", "method"), _cases(), ids=lambda v: getattr(v, "rule", v))
def test_team_scope(client, login_as, user, other_user, rule, method):
    member = factories.make_user()
    team = make_team(user, member)
    make_team(other_user, name="Another team")  # other_user leads a team, not this one
    url = rule.rule.replace("<int:team_id>", str(team.id))

    assert client.open(url, method=method).status_code == 302  # anonymous: to the login

    login_as(client, other_user)
    assert client.open(url, method=method).status_code == 404

    client.post("/account/logout")
    login_as(client, member)
    expected = 200 if rule.endpoint in MEMBERS_SEE and method == "GET" else 404
    assert client.open(url, method=method).status_code == expected
    leave(team, member)
    assert client.open(url, method=method).status_code == 404  # removed: out at once

    client.post("/account/logout")
    login_as(client, user)
    if method == "GET":
        assert client.get(url).status_code == 200
    missing = rule.rule.replace("<int:team_id>", "2147483000")
    assert client.open(missing, method=method).status_code == 404
