"""The lead's dashboard: each member's active cycles (met / on pace / at risk, days left) as the
member's own dashboard counts them, the coverage heat-map through crosswalks, the gaps, the CSV —
only of what members share, in queries that do not grow with the team."""

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from cpd_log.common.dates import today_for
from cpd_log.competencies.coverage_loading import coverage_page
from cpd_log.competencies.heatmap import NONE_FILL
from cpd_log.competencies.services import seed_frameworks
from cpd_log.crosswalks.services import seed_crosswalks
from cpd_log.extensions import db
from cpd_log.models import (
    Competency,
    Crosswalk,
    CrosswalkMapping,
    CrosswalkOverride,
    Framework,
    Team,
    User,
)
from cpd_log.schemes import services as schemes
from cpd_log.teams import services
from cpd_log.teams.coverage import SHARE_COLOURS
from cpd_log.teams.dashboard import CSV_HEADERS, lead_dashboard
from cpd_log.teams.progress import member_progress
from cpd_log.teams.standing import AT_RISK, MET, ON_PACE
from tests import factories
from tests.portfolio.builders import make_portfolio
from tests.teams.helpers import join, make_team, share_all, verified

YEAR_OF_20_HOURS = {
    "slug": "team-year",
    "name": "Our appraisal year",
    "version": "1",
    "source": "tests",
    "period": {"type": "cycle", "months": 12},
    "unit": {"name": "hour", "plural": "hours", "minutes": 60},
    "total_min": 20,
    "categories": [{"code": "LEARNING", "name": "Learning"}],
    "allocation": {"default": "LEARNING"},
}


def enrol_with_hours(user, hours: int, today: date):
    """A 12-month cycle that began 30 days ago, with `hours` logged in the last 30 days."""
    scheme, _ = schemes.load_scheme(YEAR_OF_20_HOURS, owner_id=user.id)
    schemes.enrol(user, scheme, today - timedelta(days=30), "Appraisal year", today)
    for n in range(hours):
        factories.make_activity(user, start_date=today - timedelta(days=n % 25), minutes=60)
    db.session.commit()


def competency(slug: str, code: str) -> Competency:
    return db.session.scalar(
        select(Competency)
        .join(Framework)
        .where(Framework.slug == slug, Framework.owner_id.is_(None), Competency.code == code)
    )


@pytest.fixture
def lead(app):
    return verified("lead@example.com", "Lea")


@pytest.fixture
def team(lead):
    return make_team(lead)


def test_members_cycles_standing_and_days_left(app, lead, team):
    today = today_for(lead)
    people = {}
    for name, hours in (("Met", 25), ("Pace", 10), ("Risk", 0)):
        people[name] = verified(f"{name.lower()}@example.com", name)
        enrol_with_hours(people[name], hours, today)
        share_all(join(team, lead, people[name]))
    hidden = verified("hidden@example.com", "Hidden")
    enrol_with_hours(hidden, 5, today)
    join(team, lead, hidden)  # shares nothing
    page = lead_dashboard(team, today)
    by_name = {row.membership.user.display_name: row for row in page.members}
    assert [c.standing for c in by_name["Met"].cycles] == [MET]
    assert [c.standing for c in by_name["Pace"].cycles] == [ON_PACE]
    assert [c.standing for c in by_name["Risk"].cycles] == [AT_RISK]
    cycle = by_name["Pace"].cycles[0]
    assert (cycle.counted, cycle.target) == ("10 hours", "20 hours")
    assert cycle.days_left == (cycle.end - today).days + 1
    assert by_name["Hidden"].cycles is None
    assert by_name["Lea"].cycles is None  # the lead shares nothing with their own team either


def test_progress_is_counted_again_only_after_the_members_data_changed(app, lead, team):
    today = today_for(lead)
    member = verified("m@example.com", "Mo")
    enrol_with_hours(member, 10, today)
    share_all(join(team, lead, member))
    progress = member_progress()
    lead_dashboard(team, today)
    lead_dashboard(team, today)  # cycles stored on the first view raised the version once
    before = progress.computed
    assert lead_dashboard(team, today).members[1].cycles[0].counted == "10 hours"
    assert progress.computed == before
    factories.make_activity(member, start_date=today, minutes=120)
    db.session.expire_all()
    assert lead_dashboard(team, today).members[1].cycles[0].counted == "12 hours"
    assert progress.computed == before + 1


def test_coverage_counts_sharing_members_through_crosswalks_and_lists_gaps(app, lead, team):
    seed_frameworks()
    seed_crosswalks()
    db.session.commit()
    triangle = db.session.scalar(
        select(Framework).where(
            Framework.slug == "pmi-talent-triangle", Framework.owner_id.is_(None)
        )
    )
    team.framework_id = triangle.id
    direct, via, hidden = (verified(f"{n}@example.com", n) for n in ("Direct", "Via", "Hidden"))
    today = today_for(lead)
    factories.make_activity(
        direct, [competency("pmi-talent-triangle", "TT.PS")], start_date=today, minutes=120
    )
    # GOV.1 → TT.BA (narrower, counts); its "related" TT.WOW does not count
    factories.make_activity(via, [competency("pmo-practitioner", "GOV.1")], start_date=today)
    factories.make_activity(
        hidden, [competency("pmi-talent-triangle", "TT.WOW")], start_date=today, minutes=600
    )
    share_all(join(team, lead, direct), progress=False)
    share_all(join(team, lead, via), progress=False)
    share_all(join(team, lead, hidden), competencies=False)
    db.session.commit()
    covered = lead_dashboard(team, today).coverage
    assert [m.user.display_name for m in covered.members] == ["Direct", "Via"]
    rows = {row.line.code: row for row in covered.rows if row.line.area is not None}
    assert rows["TT.PS"].by_member == (120, 0)
    assert rows["TT.BA"].by_member == (0, 90)
    assert (rows["TT.BA"].members, rows["TT.BA"].share_step) == (1, 2)  # half of them
    assert rows["TT.WOW"].members == 0  # Hidden's 10 hours are not shared
    assert [line.code for line in covered.gaps] == ["TT.WOW"]


def test_share_classes_match_the_personal_heat_map(app):
    """The CSS steps in app.css are colours of the personal heat-map (the page's policy allows
    no inline style, so the colours live in the stylesheet)."""
    css = (Path(app.static_folder) / "app.css").read_text(encoding="utf-8")
    assert f".team-share-0 {{ background: {NONE_FILL};" in css
    for step, (_, fill, text) in enumerate(SHARE_COLOURS, start=1):
        assert f".team-share-{step} {{ background: {fill}; color: {text}; }}" in css


def _team_of(size: int, lead, today):
    team = make_team(lead, f"Team of {size}")
    seed_frameworks()
    db.session.commit()
    tagged = competency("pmi-talent-triangle", "TT.PS")
    team.framework_id = tagged.framework_id
    for n in range(size):
        member = verified(f"m{size}-{n}@example.com", f"Member {n}")
        enrol_with_hours(member, 3, today)
        factories.make_activity(member, [tagged], start_date=today)
        portfolio = make_portfolio(member, f"Year {n}")
        share_all(join(team, lead, member), portfolio_ids=[portfolio.id])
    return team


def test_query_count_does_not_grow_with_the_team(app, client, login_as, lead, count_queries):
    today = today_for(lead)
    small, large = _team_of(2, lead, today), _team_of(10, lead, today)
    login_as(client, lead)
    counts = {}
    for team in (small, large):
        for _ in range(2):  # the first view stores the members' new cycles and counts them
            assert client.get(f"/teams/{team.id}/dashboard").status_code == 200
        with count_queries() as statements:
            page = client.get(f"/teams/{team.id}/dashboard")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert text.count("4.5 hours of 20 hours") == (2 if team is small else 10)
        counts[team.id] = len(statements)
    assert counts[small.id] == counts[large.id], counts


def test_csv_holds_exactly_what_members_share(app, client, login_as, lead, team):
    today = today_for(lead)
    seed_frameworks()
    db.session.commit()
    tagged = competency("pmi-talent-triangle", "TT.PS")
    team.framework_id = tagged.framework_id
    sharer = verified("s@example.com", "=Sharer")
    enrol_with_hours(sharer, 4, today)
    factories.make_activity(sharer, [tagged], start_date=today, minutes=90)
    portfolio = make_portfolio(sharer, "@Year")
    share_all(join(team, lead, sharer), portfolio_ids=[portfolio.id])
    quiet = verified("q@example.com", "Quiet")
    enrol_with_hours(quiet, 4, today)
    join(team, lead, quiet)
    login_as(client, lead)
    response = client.get(f"/teams/{team.id}/dashboard.csv")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_HEADERS
    assert {row[0] for row in rows[1:]} == {"'=Sharer"}
    assert [row[1] for row in rows[1:]] == ["Scheme cycle", "Competency", "Competency", "Portfolio"]
    assert rows[1][7:9] == ["5.5 hours", "20 hours"]
    assert rows[4][2] == "'@Year"
    services.withdraw_consent(services.membership_for(sharer, team.id))
    db.session.commit()
    rows = list(
        csv.reader(
            io.StringIO(client.get(f"/teams/{team.id}/dashboard.csv").data.decode("utf-8-sig"))
        )
    )
    assert rows == [list(CSV_HEADERS)]


def test_first_view_after_every_member_changed_costs_the_same_queries_at_any_size(
    app, client, login_as, lead, count_queries
):
    today = today_for(lead)
    small, large = _team_of(2, lead, today), _team_of(10, lead, today)
    login_as(client, lead)
    counts = {}
    for team in (small, large):
        for _ in range(2):
            client.get(f"/teams/{team.id}/dashboard")
        others = update(User).where(User.id != lead.id)
        db.session.execute(others.values(data_version=User.data_version + 1))
        db.session.commit()
        before = member_progress().computed
        with count_queries() as statements:
            page = client.get(f"/teams/{team.id}/dashboard").get_data(as_text=True)
        assert member_progress().computed - before == (2 if team is small else 10)
        assert page.count("4.5 hours of 20 hours") == (2 if team is small else 10)
        counts[team.id] = len(statements)
    assert counts[small.id] == counts[large.id], counts


def test_the_kept_page_shows_every_change_at_once(app, client, login_as, lead, team):
    today = today_for(lead)
    member = verified("m@example.com", "Mo")
    enrol_with_hours(member, 10, today)
    portfolio = make_portfolio(member, "First title")
    membership = join(team, lead, member)
    share_all(membership, portfolio_ids=[portfolio.id])
    login_as(client, lead)
    path = f"/teams/{team.id}/dashboard"

    def page() -> str:
        db.session.expire_all()
        return client.get(path).get_data(as_text=True)

    assert "10 hours of 20 hours" in page() and "First title" in page()
    factories.make_activity(member, start_date=today, minutes=120)
    assert "12 hours of 20 hours" in page()
    portfolio.title = "Second title"  # portfolios raise no data version: the key holds titles
    db.session.commit()
    assert "Second title" in page()
    team.name = "Renamed team"
    db.session.commit()
    assert "Renamed team" in page()
    member.display_name = "Maude"
    db.session.commit()
    assert "Maude" in page()
    share_all(membership, progress=False, portfolio_ids=[])
    shown = page()
    assert "12 hours" not in shown and "Second title" not in shown and "Not shared" in shown


def test_a_kept_page_carries_each_sessions_own_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        lead = verified("lead@example.com", "Lea")
        team = make_team(lead)
        seed_frameworks()
        db.session.commit()
        framework = competency("pmi-talent-triangle", "TT.PS").framework_id
        tokens = []
        for _ in range(2):  # two browsers of the lead: the second is served the kept body
            client = app.test_client()
            login = client.get("/account/login").get_data(as_text=True)
            client.post(
                "/account/login",
                data={"email": lead.email, "password": "correct horse battery",
                      "csrf_token": _token(login)},
            )  # fmt: skip
            token = _token(client.get(f"/teams/{team.id}/dashboard").get_data(as_text=True))
            tokens.append(token)
        assert tokens[0] != tokens[1]
        answer = client.post(
            f"/teams/{team.id}/framework", data={"framework": framework, "csrf_token": token}
        )
        assert answer.status_code == 302
        db.session.expire_all()
        assert db.session.get(Team, team.id).framework_id == framework


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_each_members_coverage_equals_their_own_heat_map_with_their_crosswalks(app, lead, team):
    """Tags in a member's own framework count through the member's own crosswalk, a member's
    override of a shipped pair counts for that member only: as each one's heat-map shows."""
    seed_frameworks()
    seed_crosswalks()
    db.session.commit()
    triangle = competency("pmi-talent-triangle", "TT.PS").framework
    team.framework_id = triangle.id
    today = today_for(lead)
    own, overrider, plain = (verified(f"{n}@example.com", n) for n in ("Own", "Over", "Plain"))
    mine = factories.make_framework(owner=own)
    db.session.add(
        Crosswalk(
            slug="own-walk", version="1", name="Mine", from_framework=mine.slug,
            to_framework="pmi-talent-triangle", owner_id=own.id,
            mappings=[CrosswalkMapping(from_code="A1.1", to_code="TT.WOW", relation="exact",
                                       reason="x")],
        )
    )  # fmt: skip
    db.session.add(
        CrosswalkOverride(
            user_id=overrider.id, crosswalk_slug="pmo-practitioner-talent-triangle",
            from_framework="pmo-practitioner", to_framework="pmi-talent-triangle",
            from_code="GOV.1", to_code="TT.WOW", relation="exact",
        )
    )  # fmt: skip
    factories.make_activity(own, [factories.leaves(mine)[0]], start_date=today, minutes=300)
    for member in (own, overrider, plain):
        factories.make_activity(member, [competency("pmo-practitioner", "GOV.1")], start_date=today)
        factories.make_activity(
            member,
            [competency("pmi-talent-triangle", "TT.PS"), competency("pmo-practitioner", "STK.3")],
            start_date=today - timedelta(days=200),
            minutes=45,
        )
        share_all(join(team, lead, member), progress=False)
    covered = lead_dashboard(team, today).coverage
    for place, membership in enumerate(covered.members):
        heat_map = coverage_page(membership.user, triangle, today, "quarters").coverage
        for row in covered.rows:
            own_total = sum(cell.total for cell in heat_map.row(row.line))
            assert row.by_member[place] == own_total, (membership.user.display_name, row.line)
    wow = next(row for row in covered.rows if row.line.code == "TT.WOW")
    by_name = dict(zip((m.user.display_name for m in covered.members), wow.by_member, strict=True))
    assert by_name == {"Own": 300, "Over": 90, "Plain": 0}
