"""A new version of a scheme file leaves closed cycles alone; the dashboard's query count does not
grow with the number of activities."""

import json
from datetime import date, timedelta

import pytest

from cpd_log.demo import generate_activities
from cpd_log.extensions import db
from cpd_log.models.scheme import Cycle
from cpd_log.schemes import services
from cpd_log.schemes.checking import DATA_DIR, SchemeError
from tests import factories
from tests.schemes.helpers import make_enrolment, mark_one, talent_triangle

TODAY = date.today()


def test_a_new_scheme_version_does_not_rewrite_closed_cycles(logged_in, user):
    enrolment = make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=4 * 365), "PMP")
    closed, current = enrolment.cycles
    old_version = closed.scheme

    data = json.loads((DATA_DIR / "pmi-pmp.json").read_text())
    shipped_version = data["version"]
    data.update(version="2030.1", total_min=70)
    new_version, created = services.load_scheme(data)
    db.session.commit()
    assert created

    page = logged_in.get(f"/schemes/cycles/{closed.id}").data.decode()
    assert f"version {shipped_version}" in page and "0/60 PDUs" in page
    page = logged_in.get(f"/schemes/cycles/{current.id}").data.decode()
    assert "version 2030.1" in page and "0/70 PDUs" in page
    db.session.expire_all()
    assert db.session.get(Cycle, closed.id).scheme_id == old_version.id
    assert db.session.get(Cycle, current.id).scheme_id == new_version.id
    # Loading the same file again adds nothing.
    assert services.load_scheme(data) == (new_version, False)


def _four_schemes(user):
    make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=4 * 365), "PMP")
    make_enrolment(user, "apm", TODAY - timedelta(days=100), "APM")
    make_enrolment(user, "peoplecert-axelos", TODAY - timedelta(days=200), "PRINCE2")
    make_enrolment(user, "rics-style", TODAY - timedelta(days=20), "Employer year")


def _dashboard_queries(client, count_queries) -> int:
    with count_queries() as statements:
        response = client.get("/dashboard")
    assert response.status_code == 200
    assert response.data.decode().count('data-testid="cycle-card"') == 4
    return len(statements)


def test_dashboard_queries_do_not_grow_with_activities(logged_in, user, count_queries, uncached):
    tt = talent_triangle()
    _four_schemes(user)
    factories.make_activity(user, [tt["TT.PS"]], start_date=TODAY - timedelta(days=3))
    logged_in.get("/dashboard")  # the first visit stores the cycles (and counts them whole)
    mark_one(user)  # each measured view is the first after a write (kept.py)
    small = _dashboard_queries(logged_in, count_queries)
    generate_activities(user.id, 300, years=4, tags_per_activity=2)
    db.session.commit()
    logged_in.get("/dashboard")  # keeps the 300 counted
    mark_one(user)
    large = _dashboard_queries(logged_in, count_queries)
    assert large == small


def test_cycle_page_queries_do_not_grow_with_activities(logged_in, user, count_queries):
    _four_schemes(user)
    cycle = db.session.scalars(db.select(Cycle).order_by(Cycle.id)).first()
    factories.make_activity(user, [], start_date=cycle.start_date + timedelta(days=5))
    logged_in.get(f"/schemes/cycles/{cycle.id}")  # counts the cycle whole (kept.py)
    mark_one(user)  # each measured view is the first after a write
    with count_queries() as small:
        assert logged_in.get(f"/schemes/cycles/{cycle.id}").status_code == 200
    generate_activities(user.id, 300, years=4, tags_per_activity=2)
    db.session.commit()
    logged_in.get(f"/schemes/cycles/{cycle.id}")  # keeps the 300 counted
    mark_one(user)
    with count_queries() as large:
        assert logged_in.get(f"/schemes/cycles/{cycle.id}").status_code == 200
    assert len(large) == len(small)


def test_schemes_page_queries_do_not_grow_with_enrolments_or_cycles(logged_in, user, count_queries):
    make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=30), "PMP")
    logged_in.get("/schemes/")
    with count_queries() as small:
        assert logged_in.get("/schemes/").status_code == 200
    _four_schemes(user)  # 4 more enrolments, one of them with a closed cycle
    make_enrolment(user, "rics-style", date(2000, 1, 1), "Since 2000")  # 27 yearly cycles
    logged_in.get("/schemes/")
    with count_queries() as large:
        page = logged_in.get("/schemes/")
    assert page.data.decode().count('data-testid="enrolment"') == 6
    assert len(large) == len(small)


def test_seeding_twice_changes_nothing_and_an_unversioned_edit_is_refused(
    app, monkeypatch, tmp_path
):
    first = services.seed_schemes()
    db.session.commit()
    assert all(created for _, created in first) and len(first) == 8
    assert not any(created for _, created in services.seed_schemes())

    data = json.loads((DATA_DIR / "apm.json").read_text())
    data["total_min"] = 30  # edited, same version
    (tmp_path / "apm.json").write_text(json.dumps(data))
    monkeypatch.setattr(services, "shipped_scheme_files", lambda: [tmp_path / "apm.json"])
    with pytest.raises(SchemeError, match="give it a new version"):
        services.seed_schemes()
