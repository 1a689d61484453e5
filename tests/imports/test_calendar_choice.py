"""Calendar import: each chosen event may have its own competencies, else those chosen for all
(issue 14, defect 8)."""

import re

from sqlalchemy import select

from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityKind
from tests import factories
from tests.imports.test_ics import count, upload


def imported() -> list[Activity]:
    return db.session.scalars(select(Activity).order_by(Activity.start_date)).all()


def codes(activity: Activity) -> list[str]:
    return sorted(c.code for c in activity.competencies)


def test_each_event_gets_its_own_competencies_or_those_chosen_for_all(logged_in, framework):
    a11, a12, a21, _a22 = (c.id for c in factories.leaves(framework))
    location = upload(logged_in, "meetup_weekly.ics").headers["Location"]
    page = logged_in.get(location).data.decode()
    assert page.count('name="competencies_') == 5
    assert page.count('placeholder="As chosen for all"') == 5
    assert '<option value="A2.1">A2.1 Competency 2.1</option>' in page  # the codes' datalist

    data = {
        "events": ["0", "1", "2"],
        "kind": "community_event",
        "competencies": [a11, a12],
        "competencies_1": " a2.1 ",  # a code, any letter case
        "competencies_2": "A2.1 Competency 2.1; A1.2",  # a "code name" label and a code
        "kind_2": "webinar",
        "competencies_3": "not chosen, so never read",
    }
    assert logged_in.post(location, data=data).status_code == 302
    first, second, third = imported()
    assert codes(first) == ["A1.1", "A1.2"]  # none of its own: those chosen for all
    assert codes(second) == ["A2.1"]
    assert codes(third) == ["A1.2", "A2.1"]
    assert [a.kind for a in (first, second, third)] == [
        ActivityKind.COMMUNITY_EVENT,
        ActivityKind.COMMUNITY_EVENT,
        ActivityKind.WEBINAR,
    ]
    assert {c.id for c in third.competencies} == {a12, a21}


def test_an_event_may_have_competencies_when_none_are_chosen_for_all(logged_in, framework):
    location = upload(logged_in, "meetup_weekly.ics").headers["Location"]
    data = {"events": ["0", "1"], "kind": "course", "competencies_0": "A2.2"}
    assert logged_in.post(location, data=data).status_code == 302
    assert [codes(a) for a in imported()] == [["A2.2"], []]


def test_an_unknown_code_is_refused_at_its_event_and_nothing_is_imported(logged_in, framework):
    location = upload(logged_in, "meetup_weekly.ics").headers["Location"]
    data = {"events": ["0", "1"], "kind": "course", "competencies_1": "A1.1; NOPE.9"}
    response = logged_in.post(location, data=data)
    page = response.data.decode()
    assert response.status_code == 200 and count() == 0
    message = "“NOPE.9” is not a competency in your frameworks."
    assert re.search(r'id="competencies_1-errors"[^>]*>\s*<div>' + re.escape(message), page)
    assert 'value="A1.1; NOPE.9"' in page  # the input is kept
    # The error summary links to the event's box, and the title says Error.
    assert f'href="#competencies_1">Competencies of event 2: {message}' in page
    assert "<title>Error: Choose events to log" in page


def test_another_users_private_competency_is_not_on_offer(logged_in, framework, app):
    other = factories.make_user()
    private = factories.leaves(factories.make_framework(owner=other))[0]
    private.code = "SECRET.1"
    db.session.commit()
    location = upload(logged_in, "meetup_weekly.ics").headers["Location"]
    assert "SECRET.1" not in logged_in.get(location).data.decode()
    response = logged_in.post(
        location, data={"events": ["0"], "kind": "course", "competencies_0": "SECRET.1"}
    )
    assert response.status_code == 200
    assert "“SECRET.1” is not a competency in your frameworks." in response.data.decode()
    assert count() == 0
