"""Logging, viewing, editing and deleting activities; validation at the field."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from cpd_log.common.dates import today_for
from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityKind, ActivityStatus, Delivery
from tests import factories


def form_data(**overrides) -> dict:
    data = {
        "title": "PMO Flashmob: benefits that stick",
        "kind": "community_event",
        "provider": "PMO Flashmob",
        "start_date": "2026-03-10",
        "end_date": "",
        "hours": "1.5",
        "delivery": "online",
        "participatory": "y",
        "description": "Benefits maps; one thing to try on Monday.",
        "url": "https://example.org/flashmob",
        "status": "completed",
    }
    data.update(overrides)
    return data


def test_log_an_activity(logged_in, user, framework):
    tags = factories.leaves(framework)[:2]
    data = form_data(competencies=[str(c.id) for c in tags])
    response = logged_in.post("/activities/new", data=data)
    assert response.status_code == 302
    activity = db.session.scalar(select(Activity))
    assert response.headers["Location"] == f"/activities/{activity.id}"
    assert activity.user_id == user.id
    assert activity.minutes == 90
    assert activity.kind is ActivityKind.COMMUNITY_EVENT
    assert activity.delivery is Delivery.ONLINE
    assert activity.participatory is True
    assert activity.status is ActivityStatus.COMPLETED
    assert sorted(c.code for c in activity.competencies) == ["A1.1", "A1.2"]
    page = logged_in.get(response.headers["Location"]).data
    assert b"PMO Flashmob: benefits that stick" in page
    assert b'data-testid="hours">1.5<' in page


def test_the_learning_objective_is_saved_shown_and_can_be_emptied(logged_in):
    data = form_data(objective="Price schedule risk with Monte Carlo.\nThen explain it.")
    response = logged_in.post("/activities/new", data=data)
    activity = db.session.scalar(select(Activity))
    assert activity.objective == "Price schedule risk with Monte Carlo.\nThen explain it."
    page = logged_in.get(response.headers["Location"]).data.decode()
    heading = '<h2 class="h5">Learning objective</h2>'
    assert heading in page and "Price schedule risk with Monte Carlo.\nThen explain it." in page
    assert page.index(heading) < page.index("Description and learning outcomes")  # aim, then what
    form = logged_in.get(f"/activities/{activity.id}/edit").data.decode()
    assert "What you set out to learn." in form
    textarea = form.split('name="objective">', 1)[1].split("</textarea>", 1)[0]
    assert "Price schedule risk with Monte Carlo." in textarea

    edit = form_data(objective="", version=str(activity.version))
    assert logged_in.post(f"/activities/{activity.id}/edit", data=edit).status_code == 302
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).objective is None  # empty is no objective
    assert heading not in logged_in.get(f"/activities/{activity.id}").data.decode()


def test_form_offers_competencies_grouped_by_area(logged_in, framework):
    page = logged_in.get("/activities/new").data.decode()
    assert '<optgroup label="Test Framework — Area 1">' in page
    assert "A1.1 Competency 1.1" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"end_date": "2026-03-01"}, "end_date", "The end date is before the start date."),
        ({"hours": "0"}, "hours", "Enter more than 0 hours."),
        ({"hours": "-2"}, "hours", "Enter more than 0 hours."),
        ({"hours": "1.1"}, "hours", "Use steps of 0.25 hours"),
        ({"hours": "lots"}, "hours", "is not a number of hours (e.g. 1.5 or 1:30)."),
        ({"hours": "NaN"}, "hours", "Enter the hours as a number"),
        ({"hours": "25"}, "hours", "At most 24 hours fit in 1 day(s)."),
        ({"hours": "49", "end_date": "2026-03-11"}, "hours", "At most 48 hours fit in 2 day(s)."),
        ({"hours": "1e9"}, "hours", "That is more hours than a year holds."),
        ({"hours": "1E30"}, "hours", "That is more hours than a year holds."),
        ({"hours": "1:10"}, "hours", "Use steps of 0.25 hours"),
        ({"url": "javascript:alert(1)"}, "url", "starting with http:// or https://"),
        ({"url": "ftp://example.org/x"}, "url", "starting with http:// or https://"),
        ({"title": "x" * 201}, "title", "Field cannot be longer than 200 characters."),
        ({"title": ""}, "title", "This field is required."),
        ({"start_date": "31/02/2026"}, "start_date", "Not a valid date value."),
        ({"start_date": "0001-01-01"}, "start_date", "Enter a date between 1900 and 2100."),
        ({"kind": "party"}, "kind", "Not a valid choice."),
        ({"competencies": ["999999"]}, "competencies", "Choose competencies from the list"),
        ({"competencies": ["abc"]}, "competencies", "Choose competencies from the list"),
        ({"objective": "x" * 50_001}, "objective", "cannot be longer than 50000 characters."),
    ],
)
def test_bad_input_is_named_at_the_field_and_the_rest_kept(
    logged_in, framework, overrides, field, message
):
    response = logged_in.post("/activities/new", data=form_data(**overrides))
    assert response.status_code == 200
    page = response.data.decode()
    errors = page.split(f'id="{field}-errors"', 1)
    assert len(errors) == 2, f"no error block for {field}"
    assert message in errors[1].split("</div>\n    </div>", 1)[0]
    assert 'value="PMO Flashmob"' in page  # other input is kept
    assert "Benefits maps; one thing to try on Monday." in page
    assert db.session.scalar(select(func.count(Activity.id))) == 0


def test_another_users_competency_is_refused(logged_in, other_user):
    private = factories.make_framework(owner=other_user)
    leaf = factories.leaves(private)[0]
    response = logged_in.post("/activities/new", data=form_data(competencies=[str(leaf.id)]))
    assert b"Choose competencies from the list" in response.data
    assert db.session.scalar(select(func.count(Activity.id))) == 0


@pytest.mark.parametrize(("hours", "minutes"), [("2,75", 165), ("1:30", 90), ("0.25", 15)])
def test_hours_accept_a_decimal_comma_a_clock_and_quarters(logged_in, hours, minutes):
    assert logged_in.post("/activities/new", data=form_data(hours=hours)).status_code == 302
    assert db.session.scalar(select(Activity.minutes)) == minutes


def test_multi_day_activity_may_have_more_than_24_hours(logged_in):
    data = form_data(start_date="2026-05-01", end_date="2026-05-03", hours="21")
    assert logged_in.post("/activities/new", data=data).status_code == 302


def test_edit_keeps_and_changes_tags(logged_in, user, framework):
    first, second, *_ = factories.leaves(framework)
    activity = factories.make_activity(user, competencies=[first], title="Old title")
    page = logged_in.get(f"/activities/{activity.id}/edit").data.decode()
    assert 'value="Old title"' in page and 'value="1.5"' in page
    assert f'<option value="{first.id}" selected>' in page
    assert f'name="version" type="hidden" value="{activity.version}"' in page
    data = form_data(title="New title", hours="2", competencies=[str(second.id)])
    data["version"] = str(activity.version)
    response = logged_in.post(f"/activities/{activity.id}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    activity = db.session.get(Activity, activity.id)
    assert (activity.title, activity.minutes) == ("New title", 120)
    assert [c.id for c in activity.competencies] == [second.id]
    assert activity.version == 2


def test_delete_asks_then_deletes(logged_in, user, framework):
    activity_id = factories.make_activity(user, competencies=factories.leaves(framework)).id
    confirm = logged_in.get(f"/activities/{activity_id}/delete")
    assert "moves to the Trash" in confirm.get_data(as_text=True)
    assert db.session.get(Activity, activity_id) is not None
    response = logged_in.post(f"/activities/{activity_id}/delete")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Activity.id))) == 0
    assert logged_in.get(f"/activities/{activity_id}").status_code == 404


def test_missing_activity_is_404(logged_in):
    assert logged_in.get("/activities/987654").status_code == 404
    assert b"There is nothing here." in logged_in.get("/activities/987654").data


def test_planned_activity_in_the_future(logged_in):
    data = form_data(status="planned", start_date=str(date.today().replace(year=2099)))
    assert logged_in.post("/activities/new", data=data).status_code == 302
    assert db.session.scalar(select(Activity.status)) is ActivityStatus.PLANNED


def test_a_new_activity_starts_today_and_asks_for_hours_with_a_number_pad(logged_in, user):
    """Issue 14, defect 9: the start date defaults to the user's today; phones open the decimal
    keypad for the hours."""
    page = logged_in.get("/activities/new").get_data(as_text=True)
    start = re.search(r'<input[^>]*id="start_date"[^>]*>', page).group(0)
    assert f'value="{today_for(user).isoformat()}"' in start
    hours = re.search(r'<input[^>]*id="hours"[^>]*>', page).group(0)
    assert 'inputmode="decimal"' in hours
    quick = logged_in.get("/log/").get_data(as_text=True)
    assert 'inputmode="decimal"' in re.search(r'<input[^>]*id="hours"[^>]*>', quick).group(0)
