"""The whole account as a JSON document (`account.json` in the backup archive, account_archive.py),
and importing it into an account on another instance (account_import.py).

Lossless: every field of activities with their badge, quick-capture mark and dismissed apply
prompts (activity_state_transfer.py), reflections (drafts too), evidence, self-assessments and
goals (development_transfer.py), the user's own frameworks, portfolios (selection, cycle) and
their reviews, the user's own CPD schemes, enrolments and split overrides (scheme_transfer.py).
Import is one transaction and idempotent: a record already present (same creation time and title)
is left alone, so importing the same file twice changes nothing.
Competencies are referenced by (framework slug, owner "global" or "own", code), never by id.

Versions (STYLE.md rule 13; every one stays readable):
  1  the JSON download before December 2026: evidence bytes inline in base64, no badges,
     quick captures, dismissed prompts or portfolio cycles.
  2  inside the archive: evidence as `evidence/<sha256>` members named by `file` (null when the
     file was missing at export, with `missing: true`), plus the keys version 1 lacked.
"""

from datetime import date, datetime
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager, selectinload

from cpd_log.access import owned
from cpd_log.account.activity_state_transfer import state_exporter
from cpd_log.account.development_transfer import export_development
from cpd_log.account.scheme_transfer import enrolment_keys, export_schemes
from cpd_log.activities.fields import BACKED_UP
from cpd_log.evidence import services as evidence_services
from cpd_log.extensions import db
from cpd_log.models import Activity, Competency, Evidence, Framework, Portfolio, Reflection
from cpd_log.models.portfolio import Audience

FORMAT = "cpd-log-account"
VERSION = 2
READABLE_VERSIONS = (1, 2)
# An activity's keys and their types, from the field table; the optional ones are keys added
# after backups were made, absent in older files (read as empty).
ACTIVITY_FIELDS = {field.name: field.type for field in BACKED_UP}
ACTIVITY_OPTIONAL = tuple(field.name for field in BACKED_UP if field.optional_in_backup)
PORTFOLIO_FIELDS = {
    "title": str,
    "audience": Audience,
    "date_from": date,
    "date_to": date,
    "include_evidence": bool,
    "created_at": datetime,
}
REFLECTION_FIELDS = {
    "title": str,
    "reflected_on": date,
    "model": str,
    "is_draft": bool,
    "applied_text": str,
    "applied_on": date,
    "created_at": datetime,
    "updated_at": datetime,
}
REVIEW_FIELDS = {
    "reviewer_name": str,
    "reviewer_role": str,
    "comment": str,
    "signed_off": bool,
    "created_at": datetime,
}


class BadFile(ValueError):
    """The file cannot be imported; the message says where and why."""


def _out(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value.value if hasattr(value, "value") else value


def stored_file(evidence: Evidence) -> Path | None:
    """The evidence file on disk, or None when it is missing (the export then says so)."""
    path = evidence_services.file_path(evidence)
    return path if path.is_file() else None


def _ref(competency: Competency) -> list:
    owner = "global" if competency.framework.owner_id is None else "own"
    return [competency.framework.slug, owner, competency.code]


def competency_resolver(user):
    """The other direction of _ref, for the import: resolve(reference, where) → competency id;
    resolve.competency(...) → the row; BadFile for a reference unknown here. Loaded
    once: a query per record would also flush the records built so far, one by one."""
    rows = db.session.scalars(
        select(Competency)
        .join(Framework, Competency.framework_id == Framework.id)
        .where(or_(Framework.owner_id.is_(None), Framework.owner_id == user.id))
        .options(contains_eager(Competency.framework))
    )
    known = {
        (c.framework.slug, "global" if c.framework.owner_id is None else "own", c.code): c
        for c in rows
    }

    def competency(reference, where: str) -> Competency:
        key = tuple(reference) if isinstance(reference, list) else None
        if key not in known:
            raise BadFile(f"{where}: competency {reference!r} is not on this instance.")
        return known[key]

    def resolve(reference, where: str) -> int:
        return competency(reference, where).id

    resolve.competency = competency
    return resolve


def export_account(user) -> dict:
    activities = list(
        db.session.scalars(
            owned(Activity, user)
            .options(
                selectinload(Activity.competencies).selectinload(Competency.framework),
                selectinload(Activity.evidence),
            )
            .order_by(Activity.created_at, Activity.id)
        )
    )
    keys = {a.id: f"a{n}" for n, a in enumerate(activities, start=1)}
    reflections = list(
        db.session.scalars(
            owned(Reflection, user)
            .options(
                selectinload(Reflection.competencies).selectinload(Competency.framework),
                selectinload(Reflection.evidence),
            )
            .order_by(Reflection.created_at, Reflection.id)
        )
    )
    reflection_keys = {r.id: f"r{n}" for n, r in enumerate(reflections, start=1)}
    portfolios = db.session.scalars(
        owned(Portfolio, user)
        .options(selectinload(Portfolio.reviews), selectinload(Portfolio.cycle))
        .order_by(Portfolio.id)
    )
    extra = state_exporter(user, _out)
    cycle_keys = enrolment_keys(user)
    return {
        "format": FORMAT,
        "version": VERSION,
        "frameworks": [
            _framework(f)
            for f in db.session.scalars(
                select(Framework).where(Framework.owner_id == user.id).order_by(Framework.id)
            )
        ],
        "activities": [{**_activity(a, keys[a.id]), **extra(a)} for a in activities],
        "reflections": [_reflection(r, reflection_keys[r.id], keys) for r in reflections],
        "portfolios": [_portfolio(p, (keys, reflection_keys, cycle_keys)) for p in portfolios],
        **export_development(user, keys, _out, _ref),
        **export_schemes(user, keys, _out),
    }


def _framework(framework: Framework) -> dict:
    areas = [c for c in framework.competencies if c.parent_id is None]
    return {
        **{
            k: getattr(framework, k)
            for k in ("slug", "name", "version", "source", "licence", "description", "levels")
        },
        "areas": [
            {
                "code": a.code,
                "name": a.name,
                "description": a.description,
                "competencies": [
                    {"code": c.code, "name": c.name, "description": c.description}
                    for c in framework.competencies
                    if c.parent_id == a.id
                ],
            }
            for a in areas
        ],
    }


def _activity(activity: Activity, key: str) -> dict:
    return {
        "key": key,
        **{name: _out(getattr(activity, name)) for name in ACTIVITY_FIELDS},
        "competencies": sorted(_ref(c) for c in activity.competencies),
        "evidence": [_evidence(e) for e in activity.evidence],
    }


def _reflection(reflection: Reflection, key: str, activity_keys: dict[int, str]) -> dict:
    """The linked activity by its key in this file; tags by framework slug and code."""
    return {
        "key": key,
        **{name: _out(getattr(reflection, name)) for name in REFLECTION_FIELDS},
        "stages": dict(reflection.stages or {}),
        "activity": activity_keys.get(reflection.activity_id),
        "competencies": sorted(_ref(c) for c in reflection.competencies),
        "evidence": [_evidence(e) for e in reflection.evidence],
    }


EVIDENCE_FIELDS = ("title", "url", "original_name", "created_at")


def _evidence(evidence: Evidence) -> dict:
    """A file is named by its archive member; a file missing on disk is listed, not fatal."""
    data = {k: _out(getattr(evidence, k)) for k in EVIDENCE_FIELDS}
    if evidence.is_file:
        missing = stored_file(evidence) is None
        data |= {
            "sha256": evidence.sha256,
            "size_bytes": evidence.size_bytes,
            "mime_type": evidence.mime_type,
            "file": None if missing else evidence_member(evidence.sha256),
            "missing": missing,
        }
    return data


def evidence_member(sha256: str) -> str:
    """The archive member holding a file: stored once per content, like on disk."""
    return f"evidence/{sha256}"


def _portfolio(portfolio: Portfolio, keyed: tuple[dict, dict, dict]) -> dict:
    keys, reflection_keys, cycle_keys = keyed
    competencies = db.session.scalars(
        select(Competency)
        .where(Competency.id.in_(portfolio.competency_ids or []))
        .options(selectinload(Competency.framework))
    )
    return {
        **{name: _out(getattr(portfolio, name)) for name in PORTFOLIO_FIELDS},
        "competencies": sorted(_ref(c) for c in competencies),
        "excluded": sorted(keys[i] for i in portfolio.excluded_activity_ids or [] if i in keys),
        "excluded_reflections": sorted(
            reflection_keys[i]
            for i in portfolio.excluded_reflection_ids or []
            if i in reflection_keys
        ),
        "reviews": [{n: _out(getattr(r, n)) for n in REVIEW_FIELDS} for r in portfolio.reviews],
        "cycle": None
        if portfolio.cycle is None
        else [cycle_keys[portfolio.cycle.enrolment_id], portfolio.cycle.number],
        "updated_at": _out(portfolio.updated_at),
    }
