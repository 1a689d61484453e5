"""Reflection operations: write, edit, delete, the filtered list. Services flush; views commit."""

from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from cpd_log.access import owned
from cpd_log.activities.tags import insert_tags, set_tags, tag_names
from cpd_log.common.sql import escape_like
from cpd_log.extensions import db
from cpd_log.models import Activity, Reflection
from cpd_log.models.reflection import reflection_competency
from cpd_log.reflections.reflective_models import ALL_STAGES, REFLECTIVE_MODELS
from cpd_log.versions import Difference, claim_version, differences

EDITABLE = ("title", "reflected_on", "model", "activity_id", "stages", "is_draft")
ACTIVITY_CHOICES = 200


def search_text(title: str, stages: dict[str, str]) -> str:
    return "\n".join([title, *stages.values()]).lower()


def _apply(reflection: Reflection, data: dict) -> None:
    for field in EDITABLE:
        setattr(reflection, field, data[field])
    reflection.search_text = search_text(data["title"], data["stages"])


def write_reflection(user, data: dict) -> Reflection:
    """Create a reflection owned by `user` from cleaned form data."""
    reflection = Reflection(user_id=user.id)
    _apply(reflection, data)
    db.session.add(reflection)
    db.session.flush()
    tags = [{"reflection_id": reflection.id, "competency_id": c} for c in data["competency_ids"]]
    insert_tags(tags, reflection_competency)
    return reflection


def update_reflection(reflection: Reflection, data: dict, version: int | None) -> Reflection:
    """Save an edit made on the form loaded at `version`; EditConflict (nothing written) when
    the reflection was saved elsewhere since. Stage texts the form did not show are kept: the
    form shows every text."""
    claim_version(reflection, version)
    kept = {k: v for k, v in (reflection.stages or {}).items() if k not in ALL_STAGES and v}
    _apply(reflection, {**data, "stages": {**kept, **data["stages"]}})
    set_tags(reflection.id, data["competency_ids"], reflection_competency)
    db.session.expire(reflection, ["competencies"])
    db.session.flush()
    return reflection


def edit_conflict(form, reflection: Reflection) -> list[Difference]:
    """After a refused save: where the user's input differs from the saved reflection
    (reloaded), and the form set to save on top of the saved version next time."""
    form.version.show(reflection.version)
    saved = {field: getattr(reflection, field) for field in EDITABLE}
    saved["competency_ids"] = [c.id for c in reflection.competencies]
    return differences(form, _shown(form.reflection_data()), _shown(saved))


def _shown(data: dict) -> dict[str, str]:
    """Field values as a person reads them, keyed by form field name."""
    activity = data["activity_id"] and db.session.get(Activity, data["activity_id"])
    shown = {
        "title": data["title"],
        "reflected_on": data["reflected_on"].isoformat(),
        "model": REFLECTIVE_MODELS[data["model"]].name
        if data["model"] in REFLECTIVE_MODELS
        else data["model"],
        "activity": activity.title if activity else "None (a standalone reflection)",
        "competencies": tag_names(data["competency_ids"]),
    }
    for key in ALL_STAGES:
        shown[f"stage_{key}"] = (data["stages"] or {}).get(key) or "—"
    return shown


def record_application(reflection: Reflection, text: str, on) -> Reflection:
    reflection.applied_text = text
    reflection.applied_on = on
    db.session.flush()
    return reflection


def evidence(user) -> Select:
    """Reflections that count as evidence: never drafts. Portfolios and counts start here."""
    return owned(Reflection, user).where(Reflection.is_draft.is_(False))


def reflection_query(user, criteria: dict) -> Select:
    """The user's reflections (or drafts) matching the filters, newest first, tags eager-loaded."""
    query = owned(Reflection, user).options(
        selectinload(Reflection.competencies), selectinload(Reflection.activity)
    )
    query = query.where(Reflection.is_draft.is_(bool(criteria.get("drafts"))))
    if criteria.get("q"):
        pattern = f"%{escape_like(criteria['q'].lower())}%"
        query = query.where(Reflection.search_text.like(pattern, escape="\\"))
    if criteria.get("model"):
        query = query.where(Reflection.model == criteria["model"])
    if criteria.get("date_from"):
        query = query.where(Reflection.reflected_on >= criteria["date_from"])
    if criteria.get("date_to"):
        query = query.where(Reflection.reflected_on <= criteria["date_to"])
    if criteria.get("activity_id"):
        query = query.where(Reflection.activity_id == criteria["activity_id"])
    if criteria.get("competency_id"):
        query = query.where(
            exists().where(
                and_(
                    reflection_competency.c.reflection_id == Reflection.id,
                    reflection_competency.c.competency_id == criteria["competency_id"],
                )
            )
        )
    return query.order_by(Reflection.reflected_on.desc(), Reflection.id.desc())


def list_reflections(user, criteria: dict, page: int, per_page: int):
    return db.paginate(
        reflection_query(user, criteria),
        page=page,
        per_page=per_page,
        error_out=False,
        max_per_page=per_page,
    )


def draft_count(user) -> int:
    return db.session.scalar(
        select(func.count(Reflection.id)).where(
            Reflection.user_id == user.id, Reflection.is_draft.is_(True)
        )
    )


TITLE_MAX = 200  # ReflectionForm.title's limit


def title_about(activity: Activity) -> str:
    """A reflection's starting title when written from an activity ("Reflect on this")."""
    title = f"Reflection: {activity.title}"
    return title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1] + "…"


def activity_choices(user, selected: int | None = None) -> list[SelectChoice]:
    """The user's most recent activities (and the selected one), for "About the activity"."""
    query = (
        select(Activity.id, Activity.title, Activity.start_date)
        .where(Activity.user_id == user.id)
        .order_by(Activity.start_date.desc(), Activity.id.desc())
        .limit(ACTIVITY_CHOICES)
    )
    rows = list(db.session.execute(query))
    if selected and all(row.id != selected for row in rows):
        rows += list(
            db.session.execute(query.limit(None).where(Activity.id == selected).order_by(None))
        )
    return [SelectChoice(row.id, f"{row.start_date:%-d %b %Y} · {row.title}") for row in rows]
