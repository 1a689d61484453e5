"""The pre-audit check on the cycle page and the claim list: each finding names the activity (or
the rule) and links to its fix; a claim records the minutes it was claimed with; the pages send
the same queries however many activities the cycle holds."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from cpd_log.extensions import db
from cpd_log.models import ActivityKind, ClaimStatus
from tests import factories
from tests.evidence.samples import make_evidence
from tests.schemes.helpers import make_enrolment, mark_one

TODAY = date.today()
PAGES = ("/schemes/cycles/{}", "/claims/cycles/{}")


def _findings(page: str) -> list[tuple[str, str, str]]:
    """(kind, subject, link) of each finding the page lists."""
    section = page.split('data-testid="preaudit"')[1].split("</section>")[0]
    return re.findall(
        r'data-kind="([a-z_]+)">\s*<strong>[^<]+</strong> <span[^>]*>([^<]+)</span>.*?'
        r'<a href="([^"]+)">',
        section,
        re.S,
    )


@pytest.fixture
def pmp(user):
    return make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=365), "PMP").cycles[0]


def _claim(client, cycle, activity):
    return client.post(
        f"/claims/cycles/{cycle.id}/activities/{activity.id}",
        data={"state": "claimed", "claimed_on": TODAY.isoformat(), "reference": "CCR-1"},
    )


def test_both_pages_list_what_an_auditor_would_query_with_links_to_fixes(logged_in, user, pmp):
    plain = {"kind": ActivityKind.COURSE, "minutes": 120}
    uncertified = factories.make_activity(user, title="Uncertified", start_date=TODAY, **plain)
    early = factories.make_activity(
        user,
        title="Began before",
        kind=ActivityKind.WEBINAR,
        start_date=pmp.start_date - timedelta(days=3),
        end_date=pmp.start_date + timedelta(days=1),
    )
    claimed = factories.make_activity(user, title="Claimed", start_date=TODAY, **plain)
    make_evidence(user, claimed)
    assert _claim(logged_in, pmp, claimed).status_code == 302
    row = db.session.scalar(select(ClaimStatus))
    assert row.claimed_minutes == 120  # the minutes it counted when marked claimed
    claimed.minutes = 180
    db.session.commit()
    for page in PAGES:
        text = logged_in.get(page.format(pmp.id)).get_data(as_text=True)
        assert _findings(text) == [
            ("certificate", "Uncertified", f"/evidence/activity/{uncertified.id}/new"),
            ("outside_cycle", "Began before", f"/activities/{early.id}/edit"),
            ("claimed_hours", "Claimed", f"/claims/cycles/{pmp.id}/activities/{claimed.id}"),
        ]
        assert "Claimed as 2 PDUs; it counts 3 PDUs now." in text
    _claim(logged_in, pmp, claimed)  # saved again: the claim was corrected with the body
    text = logged_in.get(f"/claims/cycles/{pmp.id}").get_data(as_text=True)
    assert [kind for kind, _, _ in _findings(text)] == ["certificate", "outside_cycle"]


def test_a_claimed_activity_whose_dates_left_the_cycle_links_to_its_dates(logged_in, user, pmp):
    moved = factories.make_activity(
        user, title="Moved", kind=ActivityKind.WEBINAR, start_date=TODAY
    )
    _claim(logged_in, pmp, moved)
    moved.start_date = pmp.start_date - timedelta(days=30)
    db.session.commit()
    for page in PAGES:
        text = logged_in.get(page.format(pmp.id)).get_data(as_text=True)
        assert _findings(text) == [("claimed_hours", "Moved", f"/activities/{moved.id}/edit")]


def test_over_the_per_activity_limit_links_to_the_activity(logged_in, user):
    cycle = make_enrolment(user, "peoplecert-axelos", TODAY - timedelta(days=100)).cycles[0]
    long = factories.make_activity(user, title="Long", start_date=TODAY, minutes=20 * 60)
    for page in PAGES:
        text = logged_in.get(page.format(cycle.id)).get_data(as_text=True)
        assert _findings(text) == [("over_limit", "Long", f"/activities/{long.id}/edit")]


def test_too_few_reflective_accounts_links_to_the_reflection_form(logged_in, user):
    cycle = make_enrolment(user, "nmc-style", TODAY - timedelta(days=100)).cycles[0]
    for n in range(2):
        factories.make_reflection(user, reflected_on=TODAY - timedelta(days=n))
    text = logged_in.get(f"/schemes/cycles/{cycle.id}").get_data(as_text=True)
    ((kind, _rule, link),) = _findings(text)
    assert (kind, link) == ("reflections", "/reflections/new")
    assert "2 of the 5 the scheme needs; 3 more." in text


def test_a_clean_cycle_says_so(logged_in, user, pmp):
    activity = factories.make_activity(user, kind=ActivityKind.COURSE, start_date=TODAY)
    make_evidence(user, activity)
    for page in PAGES:
        text = logged_in.get(page.format(pmp.id)).get_data(as_text=True)
        assert 'data-testid="preaudit-clear"' in text and _findings(text) == []


def _queries(client, url, count_queries) -> int:
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


@pytest.mark.parametrize("page", PAGES)
def test_the_check_sends_the_same_queries_at_any_size(logged_in, user, pmp, count_queries, page):
    def add(n: int, offset: int) -> None:
        for i in range(n):
            day = TODAY - timedelta(days=offset + i)
            activity = factories.make_activity(user, kind=ActivityKind.COURSE, start_date=day)
            make_evidence(user, activity) if i % 2 else _claim(logged_in, pmp, activity)

    add(2, 1)
    logged_in.get(page.format(pmp.id))
    mark_one(user)  # each measured view is the first after a write (schemes/kept.py)
    few = _queries(logged_in, page.format(pmp.id), count_queries)
    add(20, 10)
    db.session.execute(db.update(ClaimStatus).values(claimed_minutes=1))
    db.session.commit()
    text = logged_in.get(page.format(pmp.id)).get_data(as_text=True)
    assert len(_findings(text)) == 2 * 11  # each uncertified course, each changed claim
    mark_one(user)
    assert _queries(logged_in, page.format(pmp.id), count_queries) == few
