"""The whole account as JSON, and importing it into an account on another instance.

Lossless: every field of activities, reflections (drafts too), evidence (file bytes in base64),
self-assessments and goals (development_transfer.py), the user's own frameworks, portfolios and
their reviews, the user's own CPD schemes, enrolments and split overrides (scheme_transfer.py).
Import is one transaction and idempotent: a record already present (same creation time and title)
is left alone, so importing the same file twice changes nothing.
Competencies are referenced by (framework slug, owner "global" or "own", code), never by id.
"""

import base64
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cpd_log.access import owned
from cpd_log.evidence import services as evidence_services
from cpd_log.extensions import db
from cpd_log.models import Activity, Competency, Evidence, Framework, Portfolio, Reflection
from cpd_log.models.activity import ActivityKind, ActivitySource, ActivityStatus, Delivery
from cpd_log.models.portfolio import Audience
from cpd_log.portfolio.development_transfer import export_development
from cpd_log.portfolio.scheme_transfer import export_schemes

FORMAT = "cpd-log-account"
VERSION = 1
ACTIVITY_FIELDS = {
    "title": str,
    "kind": ActivityKind,
    "provider": str,
    "start_date": date,
    "end_date": date,
    "minutes": int,
    "delivery": Delivery,
    "participatory": bool,
    "description": str,
    "url": str,
    "status": ActivityStatus,
    "source": ActivitySource,
    "external_uid": str,
    "created_at": datetime,
    "updated_at": datetime,
}
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


def _ref(competency: Competency) -> list:
    owner = "global" if competency.framework.owner_id is None else "own"
    return [competency.framework.slug, owner, competency.code]


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
        owned(Portfolio, user).options(selectinload(Portfolio.reviews)).order_by(Portfolio.id)
    )
    return {
        "format": FORMAT,
        "version": VERSION,
        "frameworks": [
            _framework(f)
            for f in db.session.scalars(
                select(Framework).where(Framework.owner_id == user.id).order_by(Framework.id)
            )
        ],
        "activities": [_activity(a, keys[a.id]) for a in activities],
        "reflections": [_reflection(r, reflection_keys[r.id], keys) for r in reflections],
        "portfolios": [_portfolio(p, keys, reflection_keys) for p in portfolios],
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
        "competencies": [_ref(c) for c in activity.competencies],
        "evidence": [_evidence(e) for e in activity.evidence],
    }


def _reflection(reflection: Reflection, key: str, activity_keys: dict[int, str]) -> dict:
    """The linked activity by its key in this file; tags by framework slug and code."""
    return {
        "key": key,
        **{name: _out(getattr(reflection, name)) for name in REFLECTION_FIELDS},
        "stages": dict(reflection.stages or {}),
        "activity": activity_keys.get(reflection.activity_id),
        "competencies": [_ref(c) for c in reflection.competencies],
        "evidence": [_evidence(e) for e in reflection.evidence],
    }


def _evidence(evidence: Evidence) -> dict:
    data = {k: _out(getattr(evidence, k)) for k in ("title", "url", "original_name", "created_at")}
    if evidence.is_file:
        content = evidence_services.file_path(evidence).read_bytes()
        data["content"] = base64.b64encode(content).decode("ascii")
    return data


def _portfolio(portfolio: Portfolio, keys: dict[int, str], reflection_keys: dict) -> dict:
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
    }
