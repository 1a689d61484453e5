"""Migration e5b7c2d9a416 widens competency codes to 100 characters without losing a tag.

On SQLite the column change copies the competency table; with foreign keys on, dropping the old
table would cascade to every activity tag, goal and child competency. This test fails if the
copy ever runs with them on.
"""

from pathlib import Path

from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, insert, select

from cpd_log import create_app
from cpd_log.extensions import db
from cpd_log.models import Competency, Framework, Goal
from cpd_log.models.activity import activity_competency
from tests import factories
from tests.database import scratch_database

WIDENING = "e5b7c2d9a416"
# The revision just before it, read from the chain (merges re-chain migrations).
BEFORE = (
    ScriptDirectory(str(Path(__file__).parents[2] / "migrations"))
    .get_revision(WIDENING)
    .down_revision
)


def counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Competency)),
        db.session.scalar(select(func.count()).select_from(activity_competency)),
        db.session.scalar(select(func.count()).select_from(Goal)),
    )


def _old_framework(user) -> list[Competency]:
    """A framework of `user` with an area and two competencies. The framework row is written
    with the columns its table had at BEFORE (the ORM would write columns later migrations
    add, such as team_id); the competency table is as the models say."""
    framework_id = db.session.execute(
        insert(Framework.__table__).values(slug="old", name="Old", levels=[], owner_id=user.id)
    ).inserted_primary_key[0]
    area = Competency(framework_id=framework_id, code="A1", name="Area", sort=1)
    leaves = [
        Competency(framework_id=framework_id, parent=area, code=f"A1.{n}", name="C", sort=n)
        for n in (1, 2)
    ]
    db.session.add_all([area, *leaves])
    db.session.commit()
    return leaves


def test_widening_codes_keeps_tags_goals_and_children(tmp_path):
    with scratch_database(tmp_path) as url:
        app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade(revision=BEFORE)
            user = factories.make_user()
            tagged = _old_framework(user)
            factories.make_activity(user, competencies=tagged)
            factories.make_goal(user, competency=tagged[0])
            db.session.commit()
            before = counts()
            assert before[1] == len(tagged) and before[2] == 1
            db.session.remove()  # no open transaction: PostgreSQL's ALTER would wait for it

            upgrade()
            assert counts() == before
            area = db.session.scalar(select(Competency).where(Competency.parent_id.is_(None)))
            long_code = "Independent assurance reviews across portfolios, 60 characters"
            db.session.add(Competency(framework_id=area.framework_id, code=long_code, name="x"))
            db.session.commit()
            assert db.session.scalar(select(Competency.code).where(Competency.code == long_code))

            db.session.execute(Competency.__table__.delete().where(Competency.code == long_code))
            db.session.commit()
            db.session.remove()
            downgrade(revision=BEFORE)
            assert counts() == before
            db.session.remove()  # give the connection back, so dispose() closes it
            db.engine.dispose()
