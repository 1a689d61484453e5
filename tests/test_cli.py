"""The flask CLI: seed, create-user, demo."""

from sqlalchemy import func, select

from cpd_log.competencies.services import shipped_framework_files
from cpd_log.extensions import db
from cpd_log.models import Activity, Competency, Framework, Reflection, User
from cpd_log.models.scheme import Enrolment


def counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count(Framework.id))),
        db.session.scalar(select(func.count(Competency.id))),
    )


def test_seed_loads_the_shipped_frameworks_once(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "created: PMO Practitioner Framework" in result.output
    first = counts()
    assert first[0] == len(shipped_framework_files()) >= 1
    pmo = db.session.scalar(select(Framework).where(Framework.slug == "pmo-practitioner"))
    assert [level["name"] for level in pmo.levels][0] == "Unaware"
    assert [level["name"] for level in pmo.levels][-1] == "Expert"
    areas = [c for c in pmo.competencies if c.parent_id is None]
    assert len(areas) >= 10 and all(c.description for c in pmo.competencies)

    ids_before = set(db.session.scalars(select(Competency.id)))
    again = runner.invoke(args=["seed"])
    assert again.exit_code == 0 and "updated: PMO Practitioner Framework" in again.output
    assert counts() == first
    assert set(db.session.scalars(select(Competency.id))) == ids_before  # tags stay valid


def test_create_user(app):
    runner = app.test_cli_runner()
    args = ["create-user", "--email", "Admin@Example.com", "--name", "Admin"]
    result = runner.invoke(args=[*args, "--password", "a long password", "--role", "admin"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert (user.email, user.role.value) == ("admin@example.com", "admin")
    duplicate = runner.invoke(args=[*args, "--password", "another password"])
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output


def test_demo_creates_a_year_of_activities_once(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "--activities", "40"]).exit_code == 0
    assert runner.invoke(args=["demo", "--activities", "40"]).exit_code == 0
    # the demo account and the four colleagues of its demo team (tests/teams/test_services.py)
    assert db.session.scalar(select(func.count(User.id))) == 5
    demo = db.session.scalar(select(User).where(User.email == "demo@example.com"))
    assert demo.verified_at is not None  # no banner in the demo
    mine = Activity.user_id == demo.id
    assert db.session.scalar(select(func.count(Activity.id)).where(mine)) == 40
    span = db.session.execute(
        select(func.min(Activity.start_date), func.max(Activity.start_date)).where(mine)
    )
    first, last = span.one()
    assert (last - first).days > 300
    assert db.session.scalar(select(func.count(Reflection.id))) == 2
    labels = select(Enrolment.label).where(Enrolment.user_id == demo.id)
    assert sorted(db.session.scalars(labels)) == ["APM membership", "PMP"]
