"""Reflections in the account export: tags by framework slug and code, the linked activity,
their evidence, and malformed records refused with a message (nothing saved)."""

import json

import pytest
from sqlalchemy import func, select

from cpd_log.account import account_export, account_import
from cpd_log.account.transfer import BadFile
from cpd_log.extensions import db
from cpd_log.models import Evidence, Reflection
from tests import factories
from tests.account.backup_helpers import backup_of, restore
from tests.evidence import samples


def _exported(user) -> dict:
    return json.loads(json.dumps(account_export.export_account(user)))


def test_a_reflection_travels_with_its_tags_activity_and_evidence(user, framework):
    leaf = factories.leaves(framework)[0]
    activity = factories.make_activity(user, title="Risk workshop")
    reflection = factories.make_reflection(
        user, title="What I learnt", activity_id=activity.id, competencies=[leaf]
    )
    samples.make_evidence(user, reflection, name="notes.pdf")
    document = _exported(user)
    (record,) = document["reflections"]
    assert record["competencies"] == [[framework.slug, "global", leaf.code]]
    assert record["activity"] == document["activities"][0]["key"]

    target = factories.make_user()
    job = restore(target, backup_of(user))
    assert job.state == "done", job.message
    assert job.counts["reflections"] == 1
    copy = db.session.scalar(select(Reflection).where(Reflection.user_id == target.id))
    assert copy.title == "What I learnt" and copy.activity.title == "Risk workshop"
    assert [c.id for c in copy.competencies] == [leaf.id]
    assert copy.stages == reflection.stages and "what i learnt" in copy.search_text
    assert [e.original_name for e in copy.evidence] == ["notes.pdf"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"stages": ["not", "a", "dict"]}, "stages"),
        ({"stages": {"gibbs_description": 5}}, "stages"),
        ({"model": "no-such-model"}, "model"),
        ({"applied_text": "Used it", "applied_on": None}, "applied"),
        ({"reflected_on": "31/02/2026"}, "reflected_on"),
        ({"competencies": [["nope", "global", "X"]]}, "competency"),
    ],
)
def test_malformed_reflection_records_are_refused(user, framework, change, message):
    factories.make_reflection(user)
    document = _exported(user)
    document["reflections"][0].update(change)
    target = factories.make_user()
    with pytest.raises(BadFile, match=message):
        account_import.import_account(target, document)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Reflection.id))) == 1
    assert db.session.scalar(select(func.count(Evidence.id))) == 0


def test_self_assessments_and_goals_travel_with_the_account(user, framework):
    from cpd_log.models import Goal, SelfAssessment

    leaf = factories.leaves(framework)[1]
    activity = factories.make_activity(user, title="Coaching course")
    db.session.add(
        SelfAssessment(
            user_id=user.id, competency_id=leaf.id, level=2, assessed_on=activity.start_date
        )
    )
    goal = Goal(user_id=user.id, competency_id=leaf.id, target_level=4, note="By spring")
    goal.activities = [activity]
    db.session.add(goal)
    db.session.commit()
    document = _exported(user)
    assert document["self_assessments"][0]["competency"] == [framework.slug, "global", leaf.code]
    assert document["goals"][0]["activities"] == [document["activities"][0]["key"]]

    target = factories.make_user()
    counts = account_import.import_account(target, document)
    db.session.commit()
    assert counts["self-assessments and goals"] == 2
    copied = db.session.scalar(select(Goal).where(Goal.user_id == target.id))
    assert (copied.target_level, copied.note, copied.competency_id) == (4, "By spring", leaf.id)
    assert [a.title for a in copied.activities] == ["Coaching course"]
    assert _exported(target)["self_assessments"] == document["self_assessments"]
