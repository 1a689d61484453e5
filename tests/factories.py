"""Test data builders: real rows through the real models, committed."""

from datetime import date
from itertools import count

from cpd_log.auth.services import register_user
from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityKind, ActivityStatus, Competency, Delivery, Framework

PASSWORD = "correct horse battery"
_serial = count(1)


def make_user(email: str | None = None, display_name: str = "Test User", password: str = PASSWORD):
    user = register_user(email or f"user{next(_serial)}@example.com", display_name, password)
    db.session.commit()
    return user


def make_framework(owner=None, slug: str | None = None, areas: int = 2, per_area: int = 2):
    """A small framework: areas A1.. with competencies A1.1.."""
    framework = Framework(
        slug=slug or f"fw-{next(_serial)}",
        name="Test Framework",
        owner_id=owner.id if owner else None,
        levels=[{"value": 0, "name": "Unaware"}, {"value": 1, "name": "Aware"}],
    )
    db.session.add(framework)
    for a in range(1, areas + 1):
        area = Competency(framework=framework, code=f"A{a}", name=f"Area {a}", sort=a)
        db.session.add(area)
        for c in range(1, per_area + 1):
            db.session.add(
                Competency(
                    framework=framework,
                    parent=area,
                    code=f"A{a}.{c}",
                    name=f"Competency {a}.{c}",
                    sort=c,
                )
            )
    db.session.commit()
    return framework


def leaves(framework) -> list[Competency]:
    """The framework's taggable competencies, A1.1, A1.2, A2.1, … in that order."""
    return sorted(
        (c for c in framework.competencies if c.parent_id is not None), key=lambda c: c.code
    )


def make_activity(user, competencies=(), commit: bool = True, **fields) -> Activity:
    """An activity of `user`, committed (commit=False: added to the session only, for a caller
    making many and committing once)."""
    values = {
        "title": f"Activity {next(_serial)}",
        "kind": ActivityKind.WEBINAR,
        "start_date": date(2026, 3, 10),
        "minutes": 90,
        "delivery": Delivery.ONLINE,
        "status": ActivityStatus.COMPLETED,
        "provider": "",
        "description": "",
        "url": "",
        "participatory": False,
    }
    values.update(fields)
    activity = Activity(user_id=user.id, competencies=list(competencies), **values)
    db.session.add(activity)
    if commit:
        db.session.commit()
    return activity


def make_reflection(user, competencies=(), **fields):
    """A saved (not draft) Gibbs reflection with two stages written."""
    from cpd_log.models import Reflection
    from cpd_log.reflections.services import search_text

    values = {
        "title": f"Reflection {next(_serial)}",
        "reflected_on": date(2026, 3, 12),
        "model": "gibbs",
        "stages": {"gibbs_description": "What happened", "gibbs_feelings": "How I felt"},
        "is_draft": False,
    }
    values.update(fields)
    reflection = Reflection(user_id=user.id, competencies=list(competencies), **values)
    reflection.search_text = search_text(reflection.title, reflection.stages)
    db.session.add(reflection)
    db.session.commit()
    return reflection


def make_goal(user, competency=None, **fields):
    from cpd_log.models import Goal, GoalStatus

    competency = competency or leaves(make_framework(owner=user))[0]
    goal = Goal(
        user_id=user.id,
        competency_id=competency.id,
        target_level=fields.pop("target_level", 1),
        status=fields.pop("status", GoalStatus.OPEN),
        **fields,
    )
    db.session.add(goal)
    db.session.commit()
    return goal
