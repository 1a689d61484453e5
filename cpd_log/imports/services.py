"""Import operations: keep an upload between preview and commit, and create the activities.

Services flush and never commit; the view commits once, so an import is one transaction.
"""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import bindparam, delete, insert, or_, select
from sqlalchemy.orm import aliased

from cpd_log.access import shipped
from cpd_log.activities.tags import insert_tags
from cpd_log.competencies.services import competency_options
from cpd_log.extensions import db
from cpd_log.imports.rows import competency_key, duplicate_key
from cpd_log.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    BadgeAssertion,
    Competency,
    Delivery,
    Framework,
    ImportBatch,
)
from cpd_log.models.activity import ActivitySource
from cpd_log.models.team import TeamMembership

BATCH_LIFETIME = timedelta(hours=24)


def store_batch(user, kind: str, filename: str, payload: dict, headers=()) -> ImportBatch:
    """Keep a parsed upload for its preview; the user's expired batches are cleared first."""
    now = datetime.now(UTC)
    remove_expired_batches(now, user.id)
    batch = ImportBatch(
        user_id=user.id,
        kind=kind,
        filename=filename[:255],
        payload=payload,
        headers=list(headers),
        expires_at=now + BATCH_LIFETIME,
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def remove_expired_batches(now: datetime, user_id: int | None = None) -> int:
    """Delete expired batches (their staged rows go by cascade): one user's when a new upload
    is stored, everyone's from the housekeeping sweep. Returns how many."""
    query = delete(ImportBatch).where(ImportBatch.expires_at < now)
    if user_id is not None:
        query = query.where(ImportBatch.user_id == user_id)
    return db.session.execute(query).rowcount


def is_expired(batch: ImportBatch) -> bool:
    expires = batch.expires_at
    if expires.tzinfo is None:  # SQLite hands back naive datetimes, stored as UTC
        expires = expires.replace(tzinfo=UTC)
    return expires < datetime.now(UTC)


def discard_batch(batch: ImportBatch) -> None:
    db.session.delete(batch)
    db.session.flush()


def imported_uids(user, source: ActivitySource, uids: list[str]) -> set[str]:
    """Which of these external ids the user already has from this source (idempotent re-import).

    One query whatever the number of ids (an IN list of thousands would hit bound-parameter
    limits): the user's ids from this source, intersected here.
    """
    found = db.session.scalars(
        select(Activity.external_uid).where(
            Activity.user_id == user.id,
            Activity.source == source,
            Activity.external_uid.is_not(None),
        )
    )
    return set(found) & set(uids)


def import_events(
    user,
    events: list[dict],
    kinds: list[ActivityKind],
    tags: list[list[int]],
    today: date,
    source: ActivitySource = ActivitySource.ICS,
):
    """Activities from the chosen calendar events (or xAPI statements: `source`), each of its kind
    and with its competency ids (`kinds` and `tags`, parallel to `events`); ones imported before
    are skipped."""
    done = imported_uids(user, source, [e["uid"] for e in events])
    user_id = user.id
    chosen = [
        (_event_row(user_id, e, kind, today) | {"source": source}, ids)
        for e, kind, ids in zip(events, kinds, tags, strict=True)
        if e["uid"] not in done
    ]
    insert_activities([row for row, _ in chosen], [ids for _, ids in chosen])
    return len(chosen), len(events) - len(chosen)


def _event_row(user_id: int, event: dict, kind: ActivityKind, today: date) -> dict:
    start, end = date.fromisoformat(event["start"]), date.fromisoformat(event["end"])
    description = event["description"]
    if event["location"] and not event["online"]:
        description = f"Location: {event['location']}\n\n{description}".strip()
    return {
        "user_id": user_id,
        "title": event["title"],
        "kind": kind,
        "provider": event["organiser"],
        "start_date": start,
        "end_date": end if end != start else None,
        "minutes": event["minutes"],
        "delivery": Delivery.ONLINE if event["online"] else Delivery.IN_PERSON,
        "participatory": False,
        "description": description,
        "url": event["url"],
        "status": ActivityStatus.PLANNED if start > today else ActivityStatus.COMPLETED,
        "source": ActivitySource.ICS,
        "external_uid": event["uid"],
    }


def competency_lookup(user) -> dict[str, int | tuple[str, ...]]:
    """What a spreadsheet cell or an event may call a competency → its id, across the user's
    frameworks, their teams' and the shipped ones; an ambiguous key holds its candidates' labels
    instead.

    Keys (competency_key: any letter case) in order of precedence, the first that knows a key
    decides it: the code, "code name", the name, then the area's code or name. An area stands
    for its competency of the same name (the PMI Talent Triangle models its areas that way:
    area "Power Skills", competency TT.PS "Power Skills"), or its only competency; an area of
    several competencies offers them as the candidates. One query.
    """
    tiers: list[dict[str, dict[int, str]]] = [{}, {}, {}, {}]
    areas: dict[int, list] = {}
    for cid, code, name, area_id, area_code, area_name, fw_name in db.session.execute(
        _LOOKUP_QUERY, {"user_id": user.id}
    ):
        label = f"{code} {name} ({fw_name})"
        for tier, key in enumerate((code, f"{code} {name}", name)):
            tiers[tier].setdefault(competency_key(key), {})[cid] = label
        areas.setdefault(area_id, [area_code, area_name, []])[2].append((cid, name, label))
    for area_code, area_name, members in areas.values():
        same = [m for m in members if competency_key(m[1]) == competency_key(area_name)]
        for cid, _, label in same or members:
            for key in {competency_key(area_code), competency_key(area_name)}:
                tiers[3].setdefault(key, {})[cid] = label
    lookup: dict[str, int | tuple[str, ...]] = {}
    for tier in tiers:
        for key, found in tier.items():
            if key not in lookup:
                lookup[key] = next(iter(found)) if len(found) == 1 else tuple(found.values())
    return lookup


_AREA = aliased(Competency, name="area")
_LOOKUP_QUERY = (
    select(
        Competency.id,
        Competency.code,
        Competency.name,
        _AREA.id,
        _AREA.code,
        _AREA.name,
        Framework.name,
    )
    .join(_AREA, Competency.parent_id == _AREA.id)
    .join(Framework, Competency.framework_id == Framework.id)
    .where(
        or_(
            shipped(Framework),
            Framework.owner_id == bindparam("user_id"),
            Framework.team_id.in_(
                select(TeamMembership.team_id).where(TeamMembership.user_id == bindparam("user_id"))
            ),
        )
    )
    .order_by(Framework.name, Framework.id, _AREA.sort, _AREA.id, Competency.sort, Competency.id)
)


def existing_keys(user) -> set[tuple]:
    """(title, date, minutes) of every activity the user has, for duplicate flags. One query."""
    rows = db.session.execute(
        select(Activity.title, Activity.start_date, Activity.minutes).where(
            Activity.user_id == user.id
        )
    )
    return {duplicate_key({"title": t, "start_date": d, "minutes": m}) for t, d, m in rows}


def insert_activities(values: list[dict], competency_ids: list[list[int]]) -> None:
    """Bulk INSERT (one statement per few hundred rows), then the competency tags."""
    if not values:
        return
    now = datetime.now(UTC)
    for row in values:
        row.setdefault("created_at", now)
        row.setdefault("updated_at", now)
    if not any(competency_ids):
        db.session.execute(insert(Activity), values)
        return
    ids = db.session.scalars(
        insert(Activity).returning(Activity.id, sort_by_parameter_order=True), values
    ).all()
    tags = [
        {"activity_id": activity_id, "competency_id": cid}
        for activity_id, cids in zip(ids, competency_ids, strict=True)
        for cid in cids
    ]
    insert_tags(tags)


def import_badge(user, info, kind: ActivityKind, minutes: int) -> Activity:
    """A completed "badge" activity with its assertion kept as evidence; once per assertion."""
    if imported_uids(user, ActivitySource.BADGE, [info.external_uid]):
        raise ValueError(f"“{info.badge_name}” is already in your log.")
    activity = Activity(
        user_id=user.id,
        title=info.badge_name,
        kind=kind,
        provider=info.issuer_name,
        start_date=info.issued_on,
        minutes=minutes,
        delivery=Delivery.ONLINE,
        participatory=False,
        description=info.description,
        url=info.criteria_url or info.issuer_url,
        status=ActivityStatus.COMPLETED,
        source=ActivitySource.BADGE,
        external_uid=info.external_uid,
        competencies=_aligned(user, info.alignment),
    )
    db.session.add(activity)
    db.session.flush()
    db.session.add(
        BadgeAssertion(
            user_id=user.id,
            activity_id=activity.id,
            assertion_id=info.assertion_id,
            badge_name=info.badge_name,
            issuer_name=info.issuer_name,
            issuer_url=info.issuer_url,
            issued_on=info.issued_on,
            verification=info.verification,
            verified=info.verified,
            verified_at=datetime.now(UTC) if info.verified else None,
            alignment=info.alignment,
            raw=info.raw,
        )
    )
    db.session.flush()
    return activity


def _aligned(user, alignment: list[dict]) -> list[Competency]:
    """Competencies the badge aligns to, matched by code, "code name" or name."""
    options = competency_options(user)
    by_key: dict[str, int] = {}
    for option in options:
        for key in (option.code, f"{option.code} {option.name}", option.name):
            by_key.setdefault(key.strip().lower(), option.id)
    ids = {
        by_key[key]
        for item in alignment
        for key in (item["targetCode"].lower(), item["targetName"].lower())
        if key and key in by_key
    }
    if not ids:
        return []
    return list(db.session.scalars(select(Competency).where(Competency.id.in_(ids))))


def badge_for(activity: Activity) -> BadgeAssertion | None:
    if activity.source != ActivitySource.BADGE:
        return None
    return db.session.scalar(
        select(BadgeAssertion).where(BadgeAssertion.activity_id == activity.id)
    )
