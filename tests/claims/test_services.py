"""The claim list's data: sources read from other tables (evidence, tags, "how did you apply it?"),
a closed cycle on an older scheme version, constant queries, CSRF and escaping."""

import json
import re
from datetime import date, timedelta

from sqlalchemy import func, select

from cpd_log.claims import services
from cpd_log.extensions import db
from cpd_log.models import ActivityKind, ClaimStatus
from cpd_log.models.scheme import Cycle
from cpd_log.schemes import services as scheme_services
from cpd_log.schemes.checking import DATA_DIR
from tests import factories
from tests.evidence.samples import make_evidence
from tests.schemes.helpers import make_enrolment, shipped

TODAY = date.today()
SCRIPT = "<script>alert(1)</script>"


def _values(card) -> dict[str, str]:
    return {value.label: value.text for value in card.values}


def test_apm_cards_carry_the_newest_applied_note_and_nmc_cards_the_evidence(app, user):
    apm = make_enrolment(user, "apm", TODAY - timedelta(days=100)).cycles[0]
    nmc = make_enrolment(user, "nmc-style", TODAY - timedelta(days=100)).cycles[0]
    activity = factories.make_activity(user, start_date=TODAY - timedelta(days=10))
    for day, text in ((TODAY - timedelta(days=5), "First use"), (TODAY, "Ran it with my team")):
        factories.make_reflection(user, activity_id=activity.id, applied_text=text, applied_on=day)
    factories.make_reflection(
        user, activity_id=activity.id, applied_text="Draft", applied_on=TODAY, is_draft=True
    )
    make_evidence(user, activity)
    (apm_card,) = services.claim_list(user, apm, TODAY).cards
    assert _values(apm_card)["Reflective statement: how the learning has been applied"] == (
        "Ran it with my team"
    )
    (nmc_card,) = services.claim_list(user, nmc, TODAY).cards
    assert _values(nmc_card)["Evidence"] != ""


def test_a_closed_cycle_on_a_version_without_a_vocabulary_borrows_the_newest(app, user):
    old = json.loads((DATA_DIR / "pmi-pmp.json").read_text())
    del old["claims"]
    old["version"] = "2020.1"
    old_row, _ = scheme_services.load_scheme(old)
    shipped("pmi-pmp")  # the newest, with the vocabulary
    enrolment = make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=4 * 365))
    closed = enrolment.cycles[0]
    closed.scheme = old_row
    db.session.commit()
    factories.make_activity(
        user, kind=ActivityKind.READING, start_date=closed.start_date + timedelta(days=3)
    )
    (card,) = services.claim_list(user, db.session.get(Cycle, closed.id), TODAY).cards
    assert _values(card)["Activity type"] == "Read"


def _page_queries(client, cycle, count_queries) -> int:
    with count_queries() as statements:
        response = client.get(f"/claims/cycles/{cycle.id}")
    assert response.status_code == 200
    return len(statements)


def test_the_claim_list_sends_the_same_queries_at_any_size(logged_in, user, count_queries):
    cycle = make_enrolment(user, "nmc-style", TODAY - timedelta(days=300)).cycles[0]
    factories.make_activity(user, start_date=TODAY - timedelta(days=3))
    few = _page_queries(logged_in, cycle, count_queries)
    for n in range(30):
        activity = factories.make_activity(user, start_date=TODAY - timedelta(days=n + 4))
        make_evidence(user, activity) if n % 3 == 0 else None
    assert _page_queries(logged_in, cycle, count_queries) == few


def test_the_status_form_refuses_a_post_without_token(app_factory, user):
    client = app_factory(WTF_CSRF_ENABLED=True).test_client()
    page = client.get("/account/login").data
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    login = {"email": user.email, "password": factories.PASSWORD, "csrf_token": token.decode()}
    assert client.post("/account/login", data=login).status_code == 302
    cycle = make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=100)).cycles[0]
    activity = factories.make_activity(user, start_date=TODAY - timedelta(days=3))
    url = f"/claims/cycles/{cycle.id}/activities/{activity.id}"
    data = {"state": "claimed", "claimed_on": TODAY.isoformat(), "body_type": ""}
    assert client.post(url, data=data).status_code == 400
    assert db.session.scalar(select(func.count(ClaimStatus.id))) == 0
    form = client.get(url).data
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    assert client.post(url, data={**data, "csrf_token": token.decode()}).status_code == 302
    assert db.session.scalar(select(func.count(ClaimStatus.id))) == 1


def test_user_text_on_the_claim_list_is_escaped(logged_in, user):
    cycle = make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=100)).cycles[0]
    activity = factories.make_activity(
        user, title=SCRIPT, provider=SCRIPT, description=SCRIPT, start_date=TODAY
    )
    url = f"/claims/cycles/{cycle.id}/activities/{activity.id}"
    logged_in.post(url, data={"state": "rejected", "reason": SCRIPT, "reference": SCRIPT})
    for page in (logged_in.get(f"/claims/cycles/{cycle.id}"), logged_in.get(url)):
        text = page.get_data(as_text=True)
        assert SCRIPT not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
