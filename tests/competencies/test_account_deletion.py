"""Deleting an account removes its reflections, assessments, goals and dismissals; nobody else's."""

from datetime import date

from sqlalchemy import func, select

from cpd_log.extensions import db
from cpd_log.models import ApplyPromptDismissal, Goal, Reflection, SelfAssessment
from tests import factories


def test_delete_account_removes_reflections_and_development_rows(
    logged_in, user, other_user, framework
):
    leaf = factories.leaves(framework)[0]
    for owner in (user, other_user):
        activity = factories.make_activity(owner, [leaf])
        factories.make_reflection(owner, [leaf], activity_id=activity.id)
        factories.make_goal(owner, leaf)
        db.session.add_all([
            SelfAssessment(user_id=owner.id, competency_id=leaf.id, level=1,
                           assessed_on=date(2026, 1, 1)),
            ApplyPromptDismissal(user_id=owner.id, activity_id=activity.id, checkpoint=30),
        ])  # fmt: skip
        db.session.commit()
    response = logged_in.post("/account/delete", data={"password": factories.PASSWORD})
    assert response.status_code == 302
    db.session.expire_all()
    for model in (Reflection, Goal, SelfAssessment, ApplyPromptDismissal):
        owners = db.session.scalars(select(model.user_id)).all()
        assert owners == [other_user.id], model.__name__
    assert db.session.scalar(select(func.count()).select_from(Reflection)) == 1
