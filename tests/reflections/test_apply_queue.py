"""The dashboard asks "How did you apply it?" 30 and 90 days after an activity."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from cpd_log.common.dates import today_for
from cpd_log.extensions import db
from cpd_log.models import ActivityStatus, ApplyPromptDismissal, Reflection
from tests import factories


@pytest.fixture
def today(user):
    return today_for(user)


def ago(today, days):
    return today - timedelta(days=days)


def queued(client) -> list[str]:
    page = client.get("/dashboard").data.decode()
    if 'data-testid="apply-queue"' not in page:
        return []
    section = page.split('data-testid="apply-queue"')[1].split("</section>")[0]
    return [
        part.split('">')[1].split("</a>")[0]
        for part in section.split('class="text-break-anywhere" href=')[1:]
    ]


def test_activities_30_and_90_days_on_are_asked_about(logged_in, user, today):
    factories.make_activity(user, title="Yesterday", start_date=ago(today, 1))
    factories.make_activity(user, title="Month ago", start_date=ago(today, 30))
    factories.make_activity(user, title="Quarter ago", start_date=ago(today, 95))
    factories.make_activity(user, title="Long ago", start_date=ago(today, 400))
    factories.make_activity(
        user, title="Planned", start_date=ago(today, 40), status=ActivityStatus.PLANNED
    )
    factories.make_activity(  # ended 10 days ago: not yet
        user, title="Long course", start_date=ago(today, 60), end_date=ago(today, 10)
    )
    assert queued(logged_in) == ["Quarter ago", "Month ago"]
    page = logged_in.get("/dashboard").data.decode()
    assert "90-day check" in page and "30-day check" in page


def test_answering_records_text_and_date_on_the_reflection(logged_in, user, today):
    activity = factories.make_activity(user, title="Month ago", start_date=ago(today, 31))
    reflection = factories.make_reflection(user, activity_id=activity.id)
    response = logged_in.post(
        f"/reflections/apply/{activity.id}",
        data={f"apply-{activity.id}-applied_text": "Ran my first pre-mortem"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Reflection, reflection.id)
    assert (saved.applied_text, saved.applied_on) == ("Ran my first pre-mortem", today)
    assert queued(logged_in) == []


def test_answering_without_a_reflection_creates_one(logged_in, user, today):
    activity = factories.make_activity(user, title="Webinar", start_date=ago(today, 91))
    logged_in.post(
        f"/reflections/apply/{activity.id}", data={f"apply-{activity.id}-applied_text": "Used it"}
    )
    reflection = db.session.scalar(select(Reflection))
    assert reflection.activity_id == activity.id and reflection.applied_text == "Used it"
    assert reflection.title == "Applying: Webinar"


def test_an_empty_answer_saves_nothing(logged_in, user, today):
    activity = factories.make_activity(user, start_date=ago(today, 31))
    response = logged_in.post(f"/reflections/apply/{activity.id}", data={})
    assert response.status_code == 302
    assert "Write how you applied it" in logged_in.get("/dashboard").data.decode()
    assert db.session.scalar(select(Reflection)) is None


def test_dismissing_is_remembered_per_checkpoint(logged_in, user, today):
    activity = factories.make_activity(user, title="Month ago", start_date=ago(today, 31))
    url = f"/reflections/apply/{activity.id}/dismiss"
    assert logged_in.post(url, data={"checkpoint": "30"}).status_code == 302
    logged_in.post(url, data={"checkpoint": "30"})  # twice: still one row
    assert queued(logged_in) == []
    assert len(db.session.scalars(select(ApplyPromptDismissal)).all()) == 1
    # 60 days later the activity reaches the 90-day checkpoint and is asked about again.
    activity.start_date = ago(today, 92)
    db.session.commit()
    assert queued(logged_in) == ["Month ago"]
    assert logged_in.post(url, data={"checkpoint": "7"}).status_code == 302
    assert queued(logged_in) == ["Month ago"]


def test_only_the_owners_activities(logged_in, other_user, today):
    factories.make_activity(other_user, start_date=ago(today, 31))
    assert queued(logged_in) == []


def test_query_count_does_not_grow(logged_in, user, today, count_queries, uncached):
    def queries():
        with count_queries() as statements:
            logged_in.get("/dashboard")
        return len(statements)

    for i in range(2):
        factories.make_activity(user, start_date=ago(today, 31 + i))
    small = queries()
    for i in range(30):
        factories.make_activity(user, start_date=ago(today, 31 + i * 3))
    assert queries() == small
