"""Every route that takes an id: the owner gets it, another user gets 404, anonymous goes to login.

The rules are read from app.url_map, so a new route is audited without editing this file. A new kind
of id argument fails `test_every_id_argument_has_an_owned_factory` until it gets a line in OWNED.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from cpd_log import create_app
from cpd_log.extensions import db
from cpd_log.models import Activity, Evidence, ExportJob, Portfolio, ShareLink
from tests import factories
from tests.evidence.samples import make_evidence
from tests.portfolio.builders import make_finished_job, make_link, make_portfolio


@dataclass(frozen=True)
class Owned:
    model: type
    make: Callable  # make(owner) -> a row owned by `owner`


OWNED = {
    "activity_id": Owned(Activity, lambda owner: factories.make_activity(owner)),
    "evidence_id": Owned(
        Evidence, lambda owner: make_evidence(owner, factories.make_activity(owner))
    ),
    "portfolio_id": Owned(Portfolio, lambda owner: make_portfolio(owner)),
    "link_id": Owned(ShareLink, lambda owner: make_link(make_portfolio(owner))[0]),
    "job_id": Owned(ExportJob, lambda owner: make_finished_job(make_portfolio(owner))),
}
# Routes anyone may open without logging in.
PUBLIC = {"static", "auth.login", "auth.register", "dashboard.home"}
# A reviewer opens a share link without an account: the token is the credential. Scope, expiry and
# revocation are tested in tests/portfolio/test_sharing.py.
PUBLIC |= {"shared.view", "shared.download_pdf", "shared.download_zip", "shared.prepare"}
PUBLIC |= {"shared.job", "shared.job_status", "shared.job_file"}

_APP = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": "sqlite://"})
RULES = [r for r in _APP.url_map.iter_rules() if r.endpoint != "static"]
ID_RULES = [r for r in RULES if r.arguments and r.endpoint not in PUBLIC]
PLAIN_RULES = [r for r in RULES if not r.arguments and r.endpoint not in PUBLIC]


def _methods(rule) -> list[str]:
    return sorted(rule.methods & {"GET", "POST"})


def test_the_audit_sees_the_routes():
    assert any(r.endpoint == "activities.detail" for r in ID_RULES)
    assert len(ID_RULES) >= 3


def test_every_id_argument_has_an_owned_factory():
    for rule in ID_RULES:
        missing = rule.arguments - OWNED.keys()
        assert not missing, f"{rule.rule}: add {missing} to OWNED in tests/test_route_audit.py"


def _url(rule, objects: dict) -> str:
    path = rule.rule
    for name in rule.arguments:
        path = path.replace(f"<int:{name}>", str(objects[name].id)).replace(
            f"<{name}>", str(objects[name].id)
        )
    return path


@pytest.fixture
def objects_of(user):
    """One row of every owned kind, belonging to `user`."""
    return {name: owned.make(user) for name, owned in OWNED.items()}


@pytest.mark.parametrize(
    ("rule", "method"),
    [(r, m) for r in ID_RULES for m in _methods(r)],
    ids=lambda v: v if isinstance(v, str) else v.rule,
)
def test_id_route_is_owner_only(app, client, login_as, user, other_user, objects_of, rule, method):
    url = _url(rule, objects_of)

    anonymous = client.open(url, method=method)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/account/login")

    login_as(client, other_user)
    assert client.open(url, method=method).status_code == 404
    db.session.expire_all()
    for name, row in objects_of.items():
        assert db.session.get(OWNED[name].model, row.id) is not None, "another user changed it"

    if method == "GET":
        client.post("/account/logout")
        login_as(client, user)
        response = client.get(url)
        response.close()  # downloads hold a file open until closed
        assert response.status_code == 200


@pytest.mark.parametrize("rule", PLAIN_RULES, ids=lambda r: r.rule)
def test_private_route_sends_anonymous_to_login(client, rule):
    for method in _methods(rule):
        response = client.open(rule.rule, method=method)
        assert response.status_code == 302, f"{method} {rule.rule}"
        assert response.headers["Location"].startswith("/account/login")
