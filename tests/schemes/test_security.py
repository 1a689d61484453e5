"""Scheme pages: CSRF on every form, and user text (labels, own schemes, titles) escaped."""

import json
import re
from datetime import date

from sqlalchemy import func, select

from cpd_log.extensions import db
from cpd_log.models import ActivityKind
from cpd_log.models.scheme import Allocation, Enrolment
from cpd_log.schemes.checking import DATA_DIR
from tests import factories
from tests.schemes.helpers import make_cycle, shipped

SCRIPT = "<script>alert(1)</script>"


def token(page: bytes) -> str:
    return re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()


def test_scheme_forms_refuse_a_post_without_token(app_factory, user):
    client = app_factory(WTF_CSRF_ENABLED=True).test_client()
    page = client.get("/account/login").data
    client.post(
        "/account/login",
        data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token(page)},
    )
    pmp = shipped("pmi-pmp")
    enrol = {"scheme": pmp.id, "start_date": "2025-03-14"}
    assert client.post("/schemes/", data=enrol).status_code == 400
    assert db.session.scalar(select(func.count(Enrolment.id))) == 0
    accepted = client.post(
        "/schemes/", data={**enrol, "csrf_token": token(client.get("/schemes/").data)}
    )
    assert accepted.status_code == 302

    cycle = make_cycle(user, "pmi-pmp", date(2025, 3, 14))
    activity = factories.make_activity(user, [], start_date=date(2025, 6, 1))
    split = f"/schemes/cycles/{cycle.id}/activities/{activity.id}"
    assert client.post(split, data={"c0": "1"}).status_code == 400
    assert client.post(f"{split}/reset").status_code == 400
    assert client.post(f"/schemes/enrolments/{cycle.enrolment_id}/leave").status_code == 400
    assert client.post("/schemes/new", data={"content": "{}"}).status_code == 400
    assert db.session.scalar(select(func.count(Allocation.id))) == 0
    assert db.session.scalar(select(func.count(Enrolment.id))) == 2


def test_user_text_renders_escaped_on_scheme_pages(logged_in, user):
    data = json.loads((DATA_DIR / "custom.json").read_text())
    data.update(slug="hostile", name=SCRIPT + " {{7*7}}", source=SCRIPT)
    data["categories"][0]["name"] = SCRIPT
    assert logged_in.post("/schemes/new", data={"content": json.dumps(data)}).status_code == 302
    page = logged_in.get("/schemes/").data.decode()
    scheme_id = re.search(r'<option value="(\d+)">&lt;script', page).group(1)
    response = logged_in.post(
        "/schemes/", data={"scheme": scheme_id, "start_date": "2026-01-01", "label": SCRIPT}
    )
    assert response.status_code == 302
    factories.make_activity(
        user, [], title=SCRIPT, kind=ActivityKind.COURSE, start_date=date(2026, 2, 1)
    )
    cycle_id = re.search(r"/schemes/cycles/(\d+)", logged_in.get("/schemes/").data.decode()).group(
        1
    )
    for url in ["/schemes/", "/dashboard", f"/schemes/cycles/{cycle_id}"]:
        page = logged_in.get(url).data.decode()
        assert SCRIPT not in page, url
        assert "&lt;script&gt;" in page, url
    assert "{{7*7}}" in logged_in.get("/schemes/").data.decode()  # shown, never evaluated
