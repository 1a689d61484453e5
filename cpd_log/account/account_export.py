"""The account document of one user (transfer.py says what it holds), each record written from its
declaration in account_format.py: a key can only be written if the import reads it."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cpd_log.access import owned
from cpd_log.account.account_format import record
from cpd_log.account.activity_state_transfer import state_exporter
from cpd_log.account.claim_transfer import export_claims
from cpd_log.account.codec import write
from cpd_log.account.crosswalk_transfer import export_crosswalks
from cpd_log.account.development_transfer import export_development
from cpd_log.account.scheme_transfer import enrolment_keys, export_schemes
from cpd_log.account.transfer import FORMAT, VERSION, evidence_member, reference, stored_file
from cpd_log.extensions import db
from cpd_log.models import Activity, Competency, Evidence, Framework, Portfolio, Reflection


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
    extra = state_exporter(user)
    cycle_keys = enrolment_keys(user)
    frameworks = db.session.scalars(
        select(Framework).where(Framework.owner_id == user.id).order_by(Framework.id)
    )
    return write(
        record("document"),
        format=FORMAT,
        version=VERSION,
        frameworks=[_framework(f) for f in frameworks],
        activities=[activity_record(a, keys[a.id], extra(a)) for a in activities],
        reflections=[reflection_record(r, reflection_keys[r.id], keys) for r in reflections],
        portfolios=[_portfolio(p, (keys, reflection_keys, cycle_keys)) for p in portfolios],
        **export_development(user, keys),
        **export_schemes(user, keys),
        **export_claims(user, keys, cycle_keys),
        **export_crosswalks(user),
    )


def _framework(framework: Framework) -> dict:
    def competencies(area) -> list[dict]:
        return [
            write(record("competency"), c) for c in framework.competencies if c.parent_id == area.id
        ]

    areas = [c for c in framework.competencies if c.parent_id is None]
    return write(
        record("framework"),
        framework,
        areas=[write(record("area"), a, competencies=competencies(a)) for a in areas],
    )


def activity_record(activity: Activity, key: str, state: dict) -> dict:
    return write(
        record("activity"),
        activity,
        key=key,
        competencies=sorted(reference(c) for c in activity.competencies),
        evidence=[_evidence(e) for e in activity.evidence],
        **state,
    )


def reflection_record(reflection: Reflection, key: str, activity_keys: dict[int, str]) -> dict:
    """The linked activity by its key in this file; tags by framework slug and code."""
    return write(
        record("reflection"),
        reflection,
        key=key,
        stages=dict(reflection.stages or {}),
        activity=activity_keys.get(reflection.activity_id),
        competencies=sorted(reference(c) for c in reflection.competencies),
        evidence=[_evidence(e) for e in reflection.evidence],
    )


def _evidence(evidence: Evidence) -> dict:
    """A file is named by its archive member; a file missing on disk is listed, not fatal."""
    if not evidence.is_file:
        return write(record("evidence"), evidence)
    missing = stored_file(evidence) is None
    return write(
        record("evidence"),
        evidence,
        sha256=evidence.sha256,
        size_bytes=evidence.size_bytes,
        mime_type=evidence.mime_type,
        file=None if missing else evidence_member(evidence.sha256),
        missing=missing,
    )


def _portfolio(portfolio: Portfolio, keyed: tuple[dict, dict, dict]) -> dict:
    keys, reflection_keys, cycle_keys = keyed
    competencies = db.session.scalars(
        select(Competency)
        .where(Competency.id.in_(portfolio.competency_ids or []))
        .options(selectinload(Competency.framework))
    )
    cycle = portfolio.cycle
    return write(
        record("portfolio"),
        portfolio,
        competencies=sorted(reference(c) for c in competencies),
        excluded=sorted(keys[i] for i in portfolio.excluded_activity_ids or [] if i in keys),
        excluded_reflections=sorted(
            reflection_keys[i]
            for i in portfolio.excluded_reflection_ids or []
            if i in reflection_keys
        ),
        reviews=[write(record("review"), r) for r in portfolio.reviews],
        cycle=None if cycle is None else [cycle_keys[cycle.enrolment_id], cycle.number],
        updated_at=portfolio.updated_at,
    )
