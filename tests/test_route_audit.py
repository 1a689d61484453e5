"""Every route that takes an id: the owner gets it, another user gets 404, anonymous goes to login.

The rules are read from app.url_map, so a new route is audited without editing this file. A new kind
of id argument fails `test_every_id_argument_has_an_owned_factory` until it gets a line in OWNED.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import inspect

from cpd_log import create_app
from cpd_log.auth import sessions
from cpd_log.extensions import db
from cpd_log.models import (
    Activity,
    Competency,
    Crosswalk,
    CrosswalkMapping,
    CrosswalkOverride,
    Evidence,
    ExportJob,
    Framework,
    Goal,
    ImportBatch,
    ImportJob,
    Portfolio,
    Reflection,
    ShareLink,
    Team,
    TeamInvite,
    TeamMembership,
    TrashItem,
)
from cpd_log.models.appraisal import Appraisal
from cpd_log.models.scheme import Cycle, Enrolment
from cpd_log.models.user import LoginSession
from tests import factories
from tests.appraisals.helpers import make_appraisal, make_review
from tests.auth.two_factor_helpers import turn_on
from tests.conftest import IsolatedClient
from tests.crosswalks.helpers import make_crosswalk, make_override
from tests.evidence.samples import make_evidence
from tests.imports.helpers import make_batch
from tests.portfolio.builders import (
    make_finished_job,
    make_import_job,
    make_link,
    make_portfolio,
)
from tests.schemes.helpers import make_cycle, make_enrolment
from tests.teams.helpers import invite_of_team_led_by, member_of_team_led_by, team_led_by
from tests.trash.helpers import make_trash_item


@dataclass(frozen=True)
class Owned:
    model: type
    make: Callable  # make(owner) -> a row owned by `owner`
    key: str = "id"  # the row's attribute the URL carries (export jobs: a random token)


def _login_session(owner) -> LoginSession:
    """A signed-in browser of `owner` (the sessions page names it by its row's hash)."""
    token = sessions.start_session(owner, remember=False)
    db.session.commit()
    return db.session.get(LoginSession, sessions.token_hash(token))


OWNED = {
    "activity_id": Owned(Activity, lambda owner: factories.make_activity(owner)),
    "cycle_id": Owned(Cycle, make_cycle),
    "enrolment_id": Owned(Enrolment, make_enrolment),
    "reflection_id": Owned(Reflection, lambda owner: factories.make_reflection(owner)),
    "framework_id": Owned(Framework, lambda owner: factories.make_framework(owner=owner)),
    "competency_id": Owned(
        Competency, lambda owner: factories.leaves(factories.make_framework(owner=owner))[0]
    ),
    # before the export job: a crosswalk row (or a delete into the trash) raises data_version,
    # which a finished job checks
    "trash_item_id": Owned(TrashItem, lambda owner: make_trash_item(owner)),
    "crosswalk_id": Owned(Crosswalk, make_crosswalk),
    "mapping_id": Owned(CrosswalkMapping, lambda owner: make_crosswalk(owner).mappings[0]),
    "override_id": Owned(CrosswalkOverride, make_override),
    "goal_id": Owned(Goal, lambda owner: factories.make_goal(owner)),
    "batch_id": Owned(ImportBatch, make_batch),
    "evidence_id": Owned(
        Evidence, lambda owner: make_evidence(owner, factories.make_activity(owner))
    ),
    "portfolio_id": Owned(Portfolio, lambda owner: make_portfolio(owner)),
    "link_id": Owned(ShareLink, lambda owner: make_link(make_portfolio(owner))[0]),
    "import_job_id": Owned(ImportJob, make_import_job),
    "session_hash": Owned(LoginSession, _login_session, key="token_hash"),
    # A team "belongs" to its lead: after portfolio_id, so the lead shares that portfolio with
    # it. Every team route × role (member, appraiser, outsider, another team's lead, a removed
    # member) is in tests/teams/test_access.py.
    "team_id": Owned(Team, team_led_by),
    "membership_id": Owned(TeamMembership, member_of_team_led_by),
    "invite_id": Owned(TeamInvite, invite_of_team_led_by),
    # The member's own appraisal; and one submitted *to* the user as their team's appraiser
    # (who else reaches neither: tests/appraisals/test_access.py, table-driven by team role).
    "appraisal_id": Owned(Appraisal, make_appraisal),
    "review_id": Owned(Appraisal, make_review),
}
# Last: a finished export job is served only while its owner's data is as it was (the job's
# fingerprint has the data version, which the rows above raise as they are made).
OWNED["job_token"] = Owned(
    ExportJob, lambda owner: make_finished_job(make_portfolio(owner)), key="token"
)
# Routes anyone may open without logging in.
PUBLIC = {"static", "auth.login", "auth.register", "dashboard.home"}
# A reviewer opens a share link without an account: the token is the credential. Scope, expiry and
# revocation are tested in tests/sharing/test_sharing.py.
PUBLIC |= {"sharing.view", "sharing.download_pdf", "sharing.download_zip", "sharing.prepare"}
PUBLIC |= {"sharing.job", "sharing.job_status", "sharing.job_file"}
# Mailed links and asking for one: the token is the credential (tests/auth/test_password_reset.py,
# test_email_verification.py test expiry, reuse and enumeration).
PUBLIC |= {"recovery.forgot", "recovery.reset", "email.verify"}
# The login's second step: it opens only for a browser that just gave the right password of an
# account with two-factor on, and logs in only with its code (tests/auth/test_two_factor_login.py).
PUBLIC |= {"two_factor.login_code"}
# Development only, 404 unless DEBUG or MAIL_DEV_OUTBOX (tests/mail/test_sending.py).
PUBLIC |= {"mail.index"}
# The signed one-click unsubscribe (tests/reminders/test_unsubscribe.py: bad signature, replay)
# and the secret calendar feed (tests/feed/test_feed.py: revocation, 404 for unknown tokens).
PUBLIC |= {"reminders.unsubscribe", "feed.ics"}
# A team invitation's link is meant for another account: the token is the credential, and the
# join page needs a login (tests/teams/test_access.py: expiry, reuse, anonymous → login).
INVITATION_LINKS = {"teams.join"}
# A load balancer's probe: says only which part answers (tests/health/test_healthz.py).
PUBLIC |= {"health.healthz"}

_APP = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": "sqlite://"})
RULES = [r for r in _APP.url_map.iter_rules() if r.endpoint != "static"]
ID_RULES = [r for r in RULES if r.arguments and r.endpoint not in PUBLIC | INVITATION_LINKS]
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


def _url(rule, rows: dict) -> str:
    path = rule.rule
    for name in rule.arguments:
        value = rows[name].key
        path = path.replace(f"<int:{name}>", value).replace(f"<{name}>", value)
    return path


@dataclass(frozen=True)
class Row:
    """What the audit needs of one owned row, read while it was made: its model and identity
    (to check it survived) and the value its URL carries."""

    model: type
    identity: tuple
    key: str


@dataclass(frozen=True)
class World:
    """One app and database for the whole module: Ada owns one row of every kind, Bob is
    "another user", Carol has two-factor on. Every request the audit makes is refused or only
    reads, so the rows stay as made; a test that changed one fails, naming it."""

    app: Flask
    rows: dict[str, Row]
    owner: str
    other: str
    half: str  # two-factor on


@pytest.fixture(scope="module")
def world(database_url, tmp_path_factory) -> Iterator[World]:
    """Made once per module instead of once per route (≈0.7 s of rows each, 167 routes). The
    module uses no function-scoped `app`, whose teardown would empty the database under it."""
    uploads = tmp_path_factory.mktemp("route-audit") / "uploads"
    app = create_app(
        "testing", overrides={"SQLALCHEMY_DATABASE_URI": database_url, "UPLOAD_DIR": str(uploads)}
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        owner = factories.make_user(email="ada@example.com", display_name="Ada")
        other = factories.make_user(email="bob@example.com", display_name="Bob")
        half = factories.make_user(email="carol@example.com", display_name="Carol")
        turn_on(half)
        rows = {}
        for name, owned in OWNED.items():
            row = owned.make(owner)
            rows[name] = Row(owned.model, inspect(row).identity, str(getattr(row, owned.key)))
        db.session.commit()
        made = World(app, rows, owner.email, other.email, half.email)
        db.session.remove()
    yield made
    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _login(client, email: str) -> None:
    response = client.post("/account/login", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 302, "login failed"


@pytest.mark.parametrize(
    ("rule", "method"),
    [(r, m) for r in ID_RULES for m in _methods(r)],
    ids=lambda v: v if isinstance(v, str) else v.rule,
)
def test_id_route_is_owner_only(world, rule, method):
    url = _url(rule, world.rows)
    with world.app.app_context():
        client = world.app.test_client()
        anonymous = client.open(url, method=method)
        assert anonymous.status_code == 302
        assert anonymous.headers["Location"].startswith("/account/login")

        _login(client, world.other)
        assert client.open(url, method=method).status_code == 404
        db.session.expire_all()
        for name, row in world.rows.items():
            assert db.session.get(row.model, row.identity) is not None, (
                f"another user changed {name}"
            )

        client.post("/account/logout")
        _login(client, world.owner)
        for missing_id in (2_147_483_000, 2**31, 10**20):  # none, just past INTEGER, absurd
            missing = _url(rule, dict.fromkeys(rule.arguments, _Missing(missing_id)))
            assert client.open(missing, method=method).status_code == 404, missing
        if method == "GET":
            response = client.get(url)
            response.close()  # downloads hold a file open until closed
            assert response.status_code == 200


@dataclass(frozen=True)
class _Missing:
    id: int

    @property
    def key(self) -> str:  # an id, a token or a login session's hash that names nothing
        return str(self.id)


@pytest.mark.parametrize("rule", PLAIN_RULES, ids=lambda r: r.rule)
def test_private_route_sends_anonymous_to_login(world, rule):
    with world.app.app_context():
        client = world.app.test_client()
        for method in _methods(rule):
            response = client.open(rule.rule, method=method)
            assert response.status_code == 302, f"{method} {rule.rule}"
            assert response.headers["Location"].startswith("/account/login")


def test_half_logged_in_reaches_no_private_route(world):
    """The right password of an account with two-factor on, and no code yet: every private
    route, with or without an id, still sends the browser to the login page."""
    with world.app.app_context():
        client = world.app.test_client()
        response = client.post(
            "/account/login", data={"email": world.half, "password": factories.PASSWORD}
        )
        assert response.headers["Location"] == "/account/login/code"
        for rule in PLAIN_RULES + ID_RULES:
            for method in _methods(rule):
                url = _url(rule, world.rows)
                response = client.open(url, method=method)
                response.close()
                assert response.status_code == 302, f"{method} {url}"
                assert response.headers["Location"].startswith("/account/login"), f"{method} {url}"
