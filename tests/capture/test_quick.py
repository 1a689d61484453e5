"""Quick capture: "Log it now" in four fields, the dashboard prompt, completing and dismissing."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityKind, ActivityStatus, Delivery, QuickCapture
from tests import factories


def capture(client, **overrides):
    data = {"title": "Lean coffee on RAID logs", "kind": "community_event", "hours": "1:30"}
    data.update(overrides)
    return client.post("/log/", data=data)


def test_every_page_links_to_quick_capture_for_phones(logged_in):
    for path in ("/dashboard", "/activities/", "/imports/"):
        page = logged_in.get(path).data.decode()
        assert 'd-md-none" href="/log/">+ Log</a>' in page, path


def test_log_it_now_saves_a_completed_activity_dated_today(logged_in, user):
    response = capture(logged_in, what_stuck="Timebox the RAID review to 10 minutes.")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    activity = db.session.scalar(select(Activity))
    assert activity.user_id == user.id
    assert activity.minutes == 90
    assert activity.kind is ActivityKind.COMMUNITY_EVENT
    assert activity.status is ActivityStatus.COMPLETED
    assert activity.start_date == datetime.now(UTC).date()  # the user's zone is UTC
    assert activity.delivery is Delivery.IN_PERSON
    assert activity.description == "Timebox the RAID review to 10 minutes."
    assert db.session.get(QuickCapture, activity.id).user_id == user.id


def test_the_page_keeps_the_full_form_one_link_away(logged_in):
    page = logged_in.get("/log/").data.decode()
    assert "Log it now" in page
    assert 'href="/activities/new"' in page
    for label in ("What did you do?", "Kind", "Hours", "One thing that stuck"):
        assert label in page


def test_bad_hours_keep_the_input_and_save_nothing(logged_in):
    response = capture(logged_in, hours="0.3")
    page = response.data.decode()
    assert response.status_code == 200
    assert "Use steps of 0.25 hours" in page
    assert 'value="Lean coffee on RAID logs"' in page
    assert db.session.scalar(select(func.count(Activity.id))) == 0
    assert db.session.scalar(select(func.count()).select_from(QuickCapture)) == 0


def test_decimal_comma_and_missing_title(logged_in):
    assert capture(logged_in, hours="1,5").status_code == 302
    assert db.session.scalar(select(Activity.minutes)) == 90
    response = capture(logged_in, title="  ")
    assert "Give it a title." in response.data.decode()
    assert capture(logged_in, hours="25").status_code == 200
    assert db.session.scalar(select(func.count(Activity.id))) == 1


def test_dashboard_prompts_to_complete_then_forgets_once_completed(logged_in, framework):
    capture(logged_in)
    activity = db.session.scalar(select(Activity))
    dashboard = logged_in.get("/dashboard").data.decode()
    assert 'data-testid="capture-prompts"' in dashboard
    assert f'href="/log/{activity.id}/complete"' in dashboard

    form = logged_in.get(f"/log/{activity.id}/complete").data.decode()
    assert 'value="1.5"' in form
    leaf = factories.leaves(framework)[0]
    response = logged_in.post(
        f"/log/{activity.id}/complete",
        data={
            "title": "Lean coffee on RAID logs",
            "kind": "community_event",
            "provider": "PMO Flashmob",
            "start_date": activity.start_date.isoformat(),
            "hours": "1.5",
            "delivery": "online",
            "status": "completed",
            "description": "RAID reviews: timebox, rotate the chair.",
            "competencies": [str(leaf.id)],
            "version": str(activity.version),
        },
    )
    assert response.headers["Location"] == f"/activities/{activity.id}"
    db.session.expire_all()
    assert activity.provider == "PMO Flashmob"
    assert [c.id for c in activity.competencies] == [leaf.id]
    assert db.session.get(QuickCapture, activity.id) is None
    assert 'data-testid="capture-prompts"' not in logged_in.get("/dashboard").data.decode()


def test_invalid_completion_keeps_the_prompt(logged_in):
    capture(logged_in)
    activity = db.session.scalar(select(Activity))
    response = logged_in.post(f"/log/{activity.id}/complete", data={"title": ""})
    assert response.status_code == 200
    assert db.session.get(QuickCapture, activity.id) is not None


def test_dismiss_keeps_the_activity_and_drops_the_prompt(logged_in):
    capture(logged_in)
    activity = db.session.scalar(select(Activity))
    assert logged_in.post(f"/log/{activity.id}/dismiss").status_code == 302
    assert db.session.get(QuickCapture, activity.id) is None
    assert db.session.get(Activity, activity.id) is not None


def test_prompts_are_the_owners_only(client, login_as, user, other_user):
    login_as(client, other_user)
    capture(client, title="Bob's secret capture")
    client.post("/account/logout")
    login_as(client, user)
    assert "Bob's secret capture" not in client.get("/dashboard").data.decode()


def test_dashboard_query_count_does_not_grow_with_captures(logged_in, count_queries, uncached):
    def queries() -> int:
        with count_queries() as statements:
            assert logged_in.get("/dashboard").status_code == 200
        return len(statements)

    capture(logged_in)
    small = queries()
    for n in range(12):
        capture(logged_in, title=f"Capture {n}")
    assert queries() == small
