"""The claim list page: a card per counted activity with the body's fields in the body's order,
statuses saved per activity and cycle (one row however many tabs), errors at the field, totals."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from cpd_log.claims.choices import ClaimState
from cpd_log.extensions import db
from cpd_log.models import ActivityKind, ClaimStatus, Delivery
from tests import factories
from tests.schemes.helpers import make_enrolment, talent_triangle

TODAY = date.today()


@pytest.fixture
def pmp(user):
    """A PMP enrolment whose current cycle began a year ago."""
    return make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=365), "PMP").cycles[0]


def _course(user, **fields):
    values = {
        "title": "Earned value in practice",
        "kind": ActivityKind.COURSE,
        "provider": "PMI Chapter",
        "start_date": TODAY - timedelta(days=40),
        "end_date": TODAY - timedelta(days=39),
        "minutes": 150,
        "delivery": Delivery.IN_PERSON,
        "description": "Baselines and variances.",
        "url": "https://example.org/ev",
    }
    return factories.make_activity(user, **{**values, **fields})


def _cards(page: str) -> list[str]:
    return page.split('data-testid="claim-card"')[1:]


def test_a_card_shows_the_bodys_fields_in_the_bodys_order(logged_in, user, pmp):
    tt = talent_triangle()
    _course(user, competencies=[tt["TT.WOW"]])
    page = logged_in.get(f"/claims/cycles/{pmp.id}").get_data(as_text=True)
    (card,) = _cards(page)
    labels = re.findall(r'<dt class="col-sm-4">([^<]+)</dt>', card)
    assert labels == [
        "Provider",
        "Activity title",
        "Date started",
        "Date completed",
        "Description",
        "URL",
        "Activity type",
        "PDUs per Talent Triangle area: Ways of Working",
    ]
    values = re.findall(r'data-copy="[^"]+">([^<]*)</span>', card)
    started, completed = TODAY - timedelta(days=40), TODAY - timedelta(days=39)
    assert values == [
        "PMI Chapter",
        "Earned value in practice",
        started.isoformat(),
        completed.isoformat(),
        "Baselines and variances.",
        "https://example.org/ev",
        "Course or Training",
        "2.5",
    ]
    assert "To claim" in card and 'src="/static/claims.js"' in page
    assert "<script>" not in page  # no inline script under the CSP


def test_kind_and_delivery_choose_the_type_and_uncounted_activities_have_no_card(
    logged_in, user, pmp
):
    _course(user, title="Self-paced", delivery=Delivery.SELF_PACED)
    factories.make_activity(user, title="Planned", start_date=TODAY, status="planned")
    page = logged_in.get(f"/claims/cycles/{pmp.id}").get_data(as_text=True)
    (card,) = _cards(page)
    assert "Online or Digital Media" in card and "Planned" not in page


def _save(client, cycle, activity, **data):
    return client.post(f"/claims/cycles/{cycle.id}/activities/{activity.id}", data=data)


def test_marking_claimed_shows_on_the_list_and_moves_the_totals(logged_in, user, pmp):
    first = _course(user, title="First")
    _course(user, title="Second", minutes=60)
    day = (TODAY - timedelta(days=2)).isoformat()
    response = _save(logged_in, pmp, first, state="claimed", claimed_on=day, reference="CCR-1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/claims/cycles/{pmp.id}#claim-{first.id}")
    page = logged_in.get(f"/claims/cycles/{pmp.id}").get_data(as_text=True)
    claimed, to_claim = _cards(page)
    assert "Claimed</span> on" in claimed and "reference CCR-1" in claimed
    assert "To claim" in to_claim
    totals = page.split('data-testid="claim-totals"')[1].split("</dl>")[0]
    assert re.search(r'total-claimed">2\.5 PDUs<', totals)
    assert re.search(r'total-to-claim">1 PDU<', totals)
    assert re.search(r'total-needed">56\.5 PDUs<', totals)


def test_saving_again_updates_the_one_row(logged_in, user, pmp):
    activity = _course(user)
    for _ in range(2):  # two tabs, the same first status
        _save(logged_in, pmp, activity, state="claimed", claimed_on=TODAY.isoformat())
    _save(logged_in, pmp, activity, state="rejected", reason="No certificate", reference="R-9")
    rows = list(db.session.scalars(select(ClaimStatus)))
    assert len(rows) == 1
    row = rows[0]
    assert (row.state, row.claimed_on, row.reason, row.reference) == (
        ClaimState.REJECTED,
        None,
        "No certificate",
        "R-9",
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"state": "claimed", "claimed_on": ""}, "claimed_on", "Enter the day you claimed it."),
        ({"state": "claimed", "claimed_on": "31/02/2026"}, "claimed_on", "Not a valid date"),
        (
            {"state": "claimed", "claimed_on": (TODAY + timedelta(days=3)).isoformat()},
            "claimed_on",
            "not in the future",
        ),
        ({"state": "rejected", "reason": "  "}, "reason", "Say why the body rejected it."),
        ({"state": "lost"}, "state", "Not a valid choice"),
        ({"state": "claimed", "body_type": "Party"}, "body_type", "Not a valid choice"),
        ({"state": "claimed", "reference": "x" * 101}, "reference", "100 characters"),
    ],
)
def test_bad_input_gets_a_message_at_the_field_and_keeps_the_rest(
    logged_in, user, pmp, data, field, message
):
    activity = _course(user)
    data = {"claimed_on": TODAY.isoformat(), "reference": "KEEP-ME", **data}
    response = _save(logged_in, pmp, activity, **data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    errors = page.split(f'id="{field}-errors"')[1].split("</div>\n")[0]
    assert message in errors
    if field != "reference":
        assert 'value="KEEP-ME"' in page
    assert db.session.scalar(select(func.count()).select_from(ClaimStatus)) == 0


def test_the_user_chooses_another_of_the_bodys_types(logged_in, user, pmp):
    activity = _course(user)
    _save(logged_in, pmp, activity, state="to_claim", body_type="Informal Learning")
    page = logged_in.get(f"/claims/cycles/{pmp.id}").get_data(as_text=True)
    (card,) = _cards(page)
    assert '>Informal Learning</span> <span class="text-body-secondary">(your choice)' in card
    form = logged_in.get(f"/claims/cycles/{pmp.id}/activities/{activity.id}").get_data(as_text=True)
    assert '<option value="Informal Learning" selected>' in form
    assert "Course or Training (the scheme&#39;s choice)" in form


def test_an_activity_outside_the_cycle_or_another_users_answers_404(
    logged_in, user, other_user, pmp
):
    outside = _course(user, start_date=TODAY - timedelta(days=800), end_date=None)
    theirs = _course(other_user)
    for activity in (outside, theirs):
        assert logged_in.get(f"/claims/cycles/{pmp.id}/activities/{activity.id}").status_code == (
            404
        )
        assert _save(logged_in, pmp, activity, state="to_claim").status_code == 404
    other_cycle = make_enrolment(other_user, "pmi-pmp", TODAY - timedelta(days=30)).cycles[0]
    assert logged_in.get(f"/claims/cycles/{other_cycle.id}").status_code == 404


def test_the_cycle_page_links_to_the_claim_list(logged_in, pmp):
    page = logged_in.get(f"/schemes/cycles/{pmp.id}").get_data(as_text=True)
    assert f'href="/claims/cycles/{pmp.id}"' in page


def test_a_scheme_without_a_vocabulary_shows_cpd_logs_own_fields(logged_in, user):
    cycle = make_enrolment(user, "custom", TODAY - timedelta(days=100)).cycles[0]
    _course(user)
    page = logged_in.get(f"/claims/cycles/{cycle.id}").get_data(as_text=True)
    (card,) = _cards(page)
    assert re.findall(r'<dt class="col-sm-4">([^<]+)</dt>', card)[:2] == ["Title", "Kind"]
    assert "CPD Log&#39;s field names" in page or "CPD Log's field names" in page


def test_a_long_list_shows_a_page_of_cards_with_the_whole_cycles_totals(
    app, monkeypatch, logged_in, user, pmp
):
    monkeypatch.setitem(app.config, "ITEMS_PER_PAGE", 2)
    courses = [
        _course(user, title=f"Course {n}", start_date=TODAY - timedelta(days=60 - n))
        for n in range(5)
    ]
    url = f"/claims/cycles/{pmp.id}"
    pages = [logged_in.get(f"{url}?page={n}").get_data(as_text=True) for n in (1, 2, 3)]
    assert [len(_cards(page)) for page in pages] == [2, 2, 1]
    shown = [re.findall(r'id="claim-(\d+)"', page) for page in pages]
    assert sorted(int(i) for ids in shown for i in ids) == sorted(c.id for c in courses)
    totals = {page.split('data-testid="total-to-claim">')[1].split("<")[0] for page in pages}
    assert totals == {"12.5 PDUs"}  # 5 × 2.5 on every page
    assert "Activities 5–5 of 5." in pages[2] and f'href="{url}?page=2"' in pages[2]
    assert logged_in.get(f"{url}?page=9").get_data(as_text=True) == pages[2]  # the last page

    # Saving a card's status goes back to the page that shows it.
    last = next(c for c in courses if str(c.id) in shown[2])
    day = (TODAY - timedelta(days=2)).isoformat()
    response = _save(logged_in, pmp, last, state="claimed", claimed_on=day, reference="CCR-9")
    assert response.headers["Location"].endswith(f"{url}?page=3#claim-{last.id}")
