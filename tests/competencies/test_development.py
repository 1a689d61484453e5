"""Self-assessment history, goals, the competency page and the gap view."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from cpd_log.demo import generate_activities
from cpd_log.extensions import db
from cpd_log.models import ActivityStatus, Goal, GoalStatus, SelfAssessment
from tests import factories


@pytest.fixture
def leaf(framework):
    return factories.leaves(framework)[0]


def assess(client, competency, level, on="2026-03-01", note=""):
    return client.post(
        f"/competencies/{competency.id}/assess",
        data={"assess-level": level, "assess-assessed_on": on, "assess-note": note},
    )


def test_self_assessment_keeps_the_history(logged_in, leaf):
    assert assess(logged_in, leaf, 0, "2026-01-01", "Starting out").status_code == 302
    assert assess(logged_in, leaf, 1, "2026-03-01", "After the course").status_code == 302
    rows = db.session.scalars(select(SelfAssessment).order_by(SelfAssessment.assessed_on)).all()
    assert [(r.level, r.note) for r in rows] == [(0, "Starting out"), (1, "After the course")]
    page = logged_in.get(f"/competencies/{leaf.id}").data.decode()
    current = page.split('data-testid="current-level">')[1].split("<")[0]
    assert current == "1 Aware"
    history = page.split('data-testid="assessment-history"')[1]
    assert history.index("After the course") < history.index("Starting out")


def test_a_level_outside_the_scale_is_refused(logged_in, leaf):
    response = assess(logged_in, leaf, 7, note="keep me")
    assert response.status_code == 400
    assert "Not a valid choice" in response.data.decode()
    assert "keep me" in response.data.decode()
    assert db.session.scalar(select(SelfAssessment)) is None


def test_goal_with_target_due_date_status_and_linked_activities(logged_in, user, leaf):
    course = factories.make_activity(user, title="Risk course")
    due = date.today() + timedelta(days=30)  # an open goal may not be due in the past
    data = {
        "goal-target_level": "1",
        "goal-due_on": due.isoformat(),
        "goal-status": "open",
        "goal-note": "Take the course",
        "goal-activities": [str(course.id)],
    }
    assert logged_in.post(f"/competencies/{leaf.id}/goals", data=data).status_code == 302
    goal = db.session.scalar(select(Goal))
    assert (goal.target_level, goal.due_on, goal.status) == (1, due, GoalStatus.OPEN)
    assert [a.title for a in goal.activities] == ["Risk course"]
    page = logged_in.get(f"/competencies/{leaf.id}").data.decode()
    assert page.split('data-testid="target-level">')[1].split("<")[0] == "1 Aware"
    assert "Risk course" in page.split('data-testid="goals"')[1]

    edit = {"goal-target_level": "0", "goal-status": "achieved"}
    assert logged_in.post(f"/competencies/goals/{goal.id}/edit", data=edit).status_code == 302
    db.session.expire_all()
    goal = db.session.get(Goal, goal.id)
    assert goal.status == GoalStatus.ACHIEVED and goal.activities == []
    assert logged_in.post(f"/competencies/goals/{goal.id}/delete").status_code == 302
    assert db.session.scalar(select(Goal)) is None


def test_another_users_activity_cannot_be_linked(logged_in, other_user, leaf):
    theirs = factories.make_activity(other_user)
    data = {"goal-target_level": "1", "goal-status": "open", "goal-activities": [str(theirs.id)]}
    response = logged_in.post(f"/competencies/{leaf.id}/goals", data=data)
    assert response.status_code == 400
    assert "Choose activities from the list" in response.data.decode()
    assert db.session.scalar(select(Goal)) is None


def test_competency_page_shows_description_hours_activities_and_reflections(
    logged_in, user, other_user, leaf
):
    leaf.description = "Runs stage-gate reviews"
    db.session.commit()
    factories.make_activity(user, [leaf], title="Gate workshop", minutes=90)
    factories.make_activity(user, [leaf], title="Planned course", status=ActivityStatus.PLANNED)
    factories.make_activity(other_user, [leaf], title="Someone else's", minutes=600)
    factories.make_reflection(user, [leaf], title="What gates taught me")
    factories.make_reflection(user, [leaf], title="Half a thought", is_draft=True)
    factories.make_reflection(other_user, [leaf], title="Their reflection")
    page = logged_in.get(f"/competencies/{leaf.id}").data.decode()
    assert "Runs stage-gate reviews" in page
    assert page.split('data-testid="competency-hours">')[1].split("<")[0] == "1.5"
    activities = page.split('data-testid="competency-activities"')[1].split("</ul>")[0]
    assert "Gate workshop" in activities and "Planned course" in activities
    reflections = page.split('data-testid="competency-reflections"')[1].split("</ul>")[0]
    assert "What gates taught me" in reflections
    assert "Half a thought" not in reflections  # drafts are never evidence
    assert "Someone else" not in page and "Their reflection" not in page


def test_gap_view_chart_and_table(logged_in, user, framework):
    a1, a2 = factories.leaves(framework)[:2]
    assess(logged_in, a1, 0)
    factories.make_goal(user, a1, target_level=1)
    factories.make_goal(user, a2, target_level=1, status=GoalStatus.DROPPED)
    factories.make_activity(user, [a1], minutes=120)
    page = logged_in.get(f"/competencies/frameworks/{framework.id}/gap").data.decode()
    assert '<svg class="gap-chart" role="img"' in page and '<title id="gap-title">' in page
    assert page.count('class="gap-current"') == 4
    assert page.count('class="gap-target"') == 1  # dropped goals are no target
    table = page.split('data-testid="gap-table"')[1]
    first_row = table.split("<tr>")[2]
    assert "A1.1 Competency 1.1" in first_row
    cells = [c.split("</td>")[0] for c in first_row.split("<td>")[1:]]
    assert cells[1:4] == ["0 Unaware", "1 Aware", "1"]
    assert first_row.split('<td class="text-end">')[1].startswith("2<")
    assert "<script" not in page.split("<main")[1].split("</main>")[0]


def _grow(user, framework, n, seed):
    tags = factories.leaves(framework)
    generate_activities(user.id, n, tags_per_activity=0, seed=seed)
    db.session.commit()
    for i in range(n):
        factories.make_activity(user, tags[: 1 + i % 4], minutes=30)
        factories.make_reflection(user, tags[i % 4 :])
        db.session.add(
            SelfAssessment(user_id=user.id, competency_id=tags[i % 4].id, level=i % 2,
                           assessed_on=date(2026, 1, 1 + i % 28))
        )  # fmt: skip
        factories.make_goal(user, tags[i % 4], target_level=1)


@pytest.mark.parametrize("page", ["competency", "gap"])
def test_query_count_does_not_grow_with_data(logged_in, user, framework, count_queries, page):
    leaf = factories.leaves(framework)[0]
    url = (
        f"/competencies/{leaf.id}"
        if page == "competency"
        else (f"/competencies/frameworks/{framework.id}/gap")
    )

    def queries() -> int:
        with count_queries() as statements:
            assert logged_in.get(url).status_code == 200
        return len(statements)

    _grow(user, framework, 2, seed=1)
    small = queries()
    _grow(user, framework, 40, seed=2)
    assert queries() == small


def test_an_open_goal_due_in_the_past_is_refused_and_a_record_is_not(logged_in, user, leaf):
    """Issue 14, defect 9: a past due date on an open goal is a typo, said so; an achieved goal
    from last year is a record, kept."""
    past = {"goal-target_level": "1", "goal-due_on": "2020-01-31", "goal-status": "open"}
    response = logged_in.post(f"/competencies/{leaf.id}/goals", data=past)
    assert response.status_code == 400
    assert "The due date is in the past" in response.data.decode()
    assert db.session.scalar(select(Goal)) is None
    record = dict(past, **{"goal-status": "achieved"})
    assert logged_in.post(f"/competencies/{leaf.id}/goals", data=record).status_code == 302
    goal = db.session.scalar(select(Goal))
    # Reopening it keeps its date without a complaint; moving it to another past date is refused.
    reopen = dict(past, **{"goal-note": "Reopened"})
    assert logged_in.post(f"/competencies/goals/{goal.id}/edit", data=reopen).status_code == 302
    moved = dict(past, **{"goal-due_on": "2020-02-28"})
    response = logged_in.post(f"/competencies/goals/{goal.id}/edit", data=moved)
    assert response.status_code == 200 and "The due date is in the past" in response.data.decode()
    assert db.session.get(Goal, goal.id).due_on == date(2020, 1, 31)


def test_a_second_open_goal_for_the_same_level_is_refused(logged_in, user, leaf):
    data = {"goal-target_level": "1", "goal-status": "open"}
    assert logged_in.post(f"/competencies/{leaf.id}/goals", data=data).status_code == 302
    response = logged_in.post(f"/competencies/{leaf.id}/goals", data=data)
    assert response.status_code == 400
    assert "You already have an open goal for this level" in response.data.decode()
    assert len(db.session.scalars(select(Goal)).all()) == 1
    other_level = dict(data, **{"goal-target_level": "0"})
    assert logged_in.post(f"/competencies/{leaf.id}/goals", data=other_level).status_code == 302
