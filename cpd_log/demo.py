"""Realistic generated activities: the demo account's year, and the benchmark's heavy user."""

import random
from datetime import date, timedelta

from sqlalchemy import insert, select

from cpd_log.activities.tags import insert_tags
from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityKind, ActivityStatus, Competency, Delivery
from cpd_log.reflections.services import write_reflection
from cpd_log.schemes.services import available_schemes, enrol

# (kind, title, provider, delivery, participatory, minutes choices)
TEMPLATES = [
    (
        ActivityKind.COMMUNITY_EVENT,
        "PMO Flashmob: {topic}",
        "PMO Flashmob",
        Delivery.ONLINE,
        True,
        [60, 90],
    ),
    (ActivityKind.WEBINAR, "Webinar: {topic}", "APM", Delivery.ONLINE, False, [45, 60]),
    (
        ActivityKind.COURSE,
        "Course: {topic}",
        "PMO Learning",
        Delivery.SELF_PACED,
        False,
        [180, 240, 420],
    ),
    (
        ActivityKind.CONFERENCE,
        "PMO conference day: {topic}",
        "PMO Conference",
        Delivery.IN_PERSON,
        True,
        [360, 420],
    ),
    (ActivityKind.READING, "Read up on {topic}", "", Delivery.SELF_PACED, False, [30, 60, 90]),
    (
        ActivityKind.PODCAST,
        "Podcast episode on {topic}",
        "PMO Voices",
        Delivery.ONLINE,
        False,
        [30, 45],
    ),
    (
        ActivityKind.MENTORING_RECEIVED,
        "Mentoring session: {topic}",
        "Internal mentoring",
        Delivery.IN_PERSON,
        True,
        [60],
    ),
    (
        ActivityKind.MENTORING_GIVEN,
        "Coached a new PMO analyst on {topic}",
        "",
        Delivery.IN_PERSON,
        True,
        [60, 90],
    ),
    (
        ActivityKind.VOLUNTEERING,
        "Volunteered at a chapter event on {topic}",
        "PMI chapter",
        Delivery.IN_PERSON,
        True,
        [120, 180],
    ),
    (
        ActivityKind.ON_THE_JOB,
        "Stretch assignment: {topic}",
        "",
        Delivery.IN_PERSON,
        False,
        [120, 240],
    ),
]
TOPICS = [
    "portfolio prioritisation",
    "benefits tracking",
    "RAID logs that people read",
    "Power BI dashboards",
    "stage-gate governance",
    "resource capacity planning",
    "agile PMO",
    "risk appetite",
    "P3O roles",
    "financial forecasting",
    "stakeholder mapping",
    "PMO value measures",
    "facilitating retrospectives",
    "automating status reports",
    "change control boards",
    "schedule health checks",
]


def generate_activities(
    user_id: int,
    count: int,
    *,
    years: int = 1,
    tags_per_activity: int = 2,
    today: date | None = None,
    seed: int = 42,
) -> int:
    """Insert `count` completed activities spread over the last `years` years; returns how many.

    Bulk INSERTs (with RETURNING for the ids), so 5,000 activities take a second, not a minute.
    """
    rng = random.Random(seed)
    today = today or date.today()
    competency_ids = list(
        db.session.scalars(select(Competency.id).where(Competency.parent_id.is_not(None)))
    )
    span = 365 * years
    rows = []
    for _ in range(count):
        kind, title, provider, delivery, participatory, minutes = rng.choice(TEMPLATES)
        topic = rng.choice(TOPICS)
        start = today - timedelta(days=rng.randrange(span))
        rows.append(
            {
                "user_id": user_id,
                "title": title.format(topic=topic),
                "kind": kind,
                "provider": provider,
                "start_date": start,
                "end_date": None,
                "minutes": rng.choice(minutes),
                "delivery": delivery,
                "participatory": participatory,
                "description": f"What I took away about {topic}: one idea to try with the team.",
                "url": "",
                "status": ActivityStatus.COMPLETED,
            }
        )
    ids = list(
        db.session.scalars(
            insert(Activity).returning(Activity.id, sort_by_parameter_order=True), rows
        )
    )
    if competency_ids and tags_per_activity:
        k = min(tags_per_activity, len(competency_ids))
        links = [
            {"activity_id": activity_id, "competency_id": competency_id}
            for activity_id in ids
            for competency_id in rng.sample(competency_ids, k)
        ]
        insert_tags(links)
    db.session.flush()
    return len(ids)


DEMO_REFLECTIONS = [
    (
        "driscoll",
        {
            "what": "Learned to write a **benefits profile** with an owner and a measure.",
            "so_what": "Our portfolio board approves projects without saying who owns benefits.",
            "now_what": "Draft profiles for the two largest projects and bring them to the board.",
        },
    ),
    (
        "gibbs",
        {
            "gibbs_description": "Facilitated the monthly RAID review for the first time.",
            "gibbs_feelings": "Nervous at the start; more confident once the risks were on screen.",
            "gibbs_evaluation": "Every risk got an owner, but we overran by 20 minutes.",
            "gibbs_analysis": "Too many stale risks; nobody had closed anything since March.",
            "gibbs_conclusion": "A review is only as useful as the log is current.",
            "gibbs_action_plan": "Ask owners to update their risks the day before the review.",
        },
    ),
]


def demo_reflections_and_schemes(user, today: date) -> None:
    """Give the demo account reflections on its latest activities and two schemes to follow."""
    latest = list(
        db.session.scalars(
            select(Activity)
            .where(Activity.user_id == user.id)
            .order_by(Activity.start_date.desc())
            .limit(len(DEMO_REFLECTIONS))
        )
    )
    for activity, (model, stages) in zip(latest, DEMO_REFLECTIONS, strict=False):
        write_reflection(
            user,
            {
                "title": f"Reflection: {activity.title}",
                "reflected_on": activity.start_date,
                "model": model,
                "activity_id": activity.id,
                "stages": stages,
                "is_draft": False,
                "competency_ids": [c.id for c in activity.competencies],
            },
        )
    schemes = {scheme.slug: scheme for scheme in available_schemes(user)}
    for slug, days_ago, label in (("pmi-pmp", 420, "PMP"), ("apm", 150, "APM membership")):
        if slug in schemes:
            enrol(user, schemes[slug], today - timedelta(days=days_ago), label, today)
