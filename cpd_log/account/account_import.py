"""Import an account document (see transfer.py, any readable version) into a user's account.

Every value is checked before it is used; the first problem raises BadFile naming the record and
field, and the caller rolls the whole import back. Records already present (same creation time and
title) are skipped, so re-importing the same file is a no-op. Evidence files come from an
evidence_transfer.EvidenceFiles (the archive's staged members, or version 1's base64).
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import Enum
from types import SimpleNamespace

from cpd_log.access import owned
from cpd_log.account.activity_state_transfer import import_state
from cpd_log.account.development_transfer import import_development
from cpd_log.account.evidence_transfer import EvidenceFiles, Notes, import_evidence
from cpd_log.account.scheme_transfer import import_schemes, portfolio_cycle_finder
from cpd_log.account.transfer import (
    ACTIVITY_FIELDS,
    ACTIVITY_OPTIONAL,
    FORMAT,
    PORTFOLIO_FIELDS,
    READABLE_VERSIONS,
    REFLECTION_FIELDS,
    REVIEW_FIELDS,
    BadFile,
    competency_resolver,
)
from cpd_log.common.dates import today_for
from cpd_log.common.web_urls import is_web_url
from cpd_log.competencies.services import load_framework
from cpd_log.extensions import db
from cpd_log.models import (
    Activity,
    Competency,
    Portfolio,
    Reflection,
    Review,
)
from cpd_log.reflections.reflective_models import REFLECTIVE_MODELS
from cpd_log.reflections.services import search_text

NULLABLE = {
    "end_date",
    "external_uid",
    "date_from",
    "date_to",
    "applied_text",
    "applied_on",
    "due_on",
}


def _moment(value: datetime) -> str:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat()


def _value(record: dict, name: str, kind, where: str, optional: bool = False):
    """`optional`: a key later versions added; absent or null reads as None."""
    if not isinstance(record, dict) or (name not in record and not optional):
        raise BadFile(f"{where}: “{name}” is missing.")
    raw = record.get(name)
    if raw is None and (optional or name in NULLABLE):
        return None
    return _checked(raw, kind, f"{where}: “{name}”")


def _checked(raw, kind, what: str):
    try:
        return _convert(raw, kind)
    except (TypeError, ValueError):
        raise BadFile(f"{what} has an invalid value.") from None


def _convert(raw, kind):
    if kind is bool or kind is str:
        if not isinstance(raw, kind):
            raise TypeError
        return raw.replace("\x00", "") if kind is str else raw
    if kind is int:
        if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw < 10**7:
            raise ValueError
        return raw
    if kind is datetime:
        moment = datetime.fromisoformat(raw)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if kind is date:
        return date.fromisoformat(raw)
    if issubclass(kind, Enum):
        return kind(raw)
    raise TypeError


def _fields(record: dict, spec: dict, where: str, optional=()) -> dict:
    return {
        name: _value(record, name, kind, where, name in optional) for name, kind in spec.items()
    }


def _list(record, name: str, where: str) -> list:
    value = record.get(name, []) if isinstance(record, dict) else None
    if not isinstance(value, list):
        raise BadFile(f"{where}: “{name}” must be a list.")
    return value


def check_document(document) -> None:
    """The document is an account export of a version this release reads (all of them)."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BadFile("This is not a CPD Log account export.")
    if document.get("version") not in READABLE_VERSIONS:
        raise BadFile(f"This export's version ({document.get('version')!r}) is not supported.")


def import_account(
    user, document, files: EvidenceFiles | None = None, progress: Callable | None = None, notes=None
) -> dict:
    """Add what the file holds and the account lacks; returns counts of what was added.
    `progress(n)` is called as activities are added (n of len(document["activities"])); `notes`
    (evidence_transfer.Notes) receives where links were dropped and files were missing."""
    check_document(document)
    for n, framework in enumerate(_list(document, "frameworks", "File"), start=1):
        try:
            load_framework(framework, owner_id=user.id)
        except (KeyError, TypeError, AttributeError):
            raise BadFile(f"Framework {n} is incomplete.") from None
    resolve = competency_resolver(user)
    notes = notes if notes is not None else Notes()
    context = (resolve, files or EvidenceFiles(None), notes, progress or (lambda n: None))
    ids, added = _import_activities(user, _list(document, "activities", "File"), context)
    records = _list(document, "reflections", "File")
    reflection_ids, reflections = _import_reflections(user, records, ids, context)
    development = import_development(user, document, ids, resolve, READ)
    schemes = import_schemes(user, document, ids, READ, today_for(user))
    cycle_of = portfolio_cycle_finder(user, document, READ)
    portfolios = _import_portfolios(
        user, _list(document, "portfolios", "File"), (ids, reflection_ids, cycle_of), resolve
    )
    db.session.flush()
    return {
        "activities": added,
        "reflections": reflections,
        "portfolios": portfolios,
        "self-assessments and goals": development,
        **schemes,
        **notes.counts(),
    }


# What the other *_transfer.py modules need to read records the way this module does.
READ = SimpleNamespace(
    moment=_moment, fields=_fields, list=_list, bad=BadFile, convert=_checked, value=_value
)


def _import_activities(user, records: list, context) -> tuple[dict[str, int], int]:
    """Build every new activity, then one flush (batched INSERTs: one round trip per thousand
    rows, not per row), then their badges, marks, dismissals and evidence."""
    resolve, files, notes, progress = context
    existing: dict[tuple, Activity | int] = {
        (_moment(a.created_at), a.title): a.id for a in db.session.scalars(owned(Activity, user))
    }
    keyed: list[tuple[str, tuple]] = []
    new: list[tuple[dict, Activity, str]] = []
    for n, record in enumerate(records, start=1):
        where = f"Activity {n}"
        values = _fields(record, ACTIVITY_FIELDS, where, ACTIVITY_OPTIONAL)
        key = (_moment(values["created_at"]), values["title"])
        keyed.append((str(record.get("key")), key))
        if key in existing:
            continue
        if values["url"] and not is_web_url(values["url"]):
            notes.dropped.append(f"{where}, web address")
            values["url"] = ""
        activity = Activity(user_id=user.id, **values)
        activity.competencies = [
            resolve.competency(r, where) for r in _list(record, "competencies", where)
        ]
        existing[key] = activity
        new.append((record, activity, where))
    db.session.add_all(activity for _, activity, _ in new)
    db.session.flush()
    for n, (record, activity, where) in enumerate(new, start=1):
        import_state(user, activity.id, record, READ, where, notes.dropped)
        for m, item in enumerate(_list(record, "evidence", where), start=1):
            import_evidence(user, activity, item, (READ, f"{where}, evidence {m}"), files, notes)
        progress(n)
    ids = {k: getattr(existing[key], "id", existing[key]) for k, key in keyed}
    return ids, len(new)


def _competencies(record, resolve, where: str) -> list[Competency]:
    return [resolve.competency(ref, where) for ref in _list(record, "competencies", where)]


def _stages(record, where: str) -> dict[str, str]:
    stages = record.get("stages", {}) if isinstance(record, dict) else None
    if not isinstance(stages, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in stages.items()
    ):
        raise BadFile(f"{where}: “stages” must map stage names to text.")
    return {k.replace("\x00", ""): v.replace("\x00", "") for k, v in stages.items()}


def _import_reflections(user, records: list, activity_ids: dict, context) -> tuple[dict, int]:
    """Like activities: skipped when one with the same creation time and title exists."""
    existing = {
        (_moment(r.created_at), r.title): r.id for r in db.session.scalars(owned(Reflection, user))
    }
    ids: dict[str, int] = {}
    added = 0
    for n, record in enumerate(records, start=1):
        where = f"Reflection {n}"
        values = _fields(record, REFLECTION_FIELDS, where)
        if values["model"] not in REFLECTIVE_MODELS or not values["title"].strip():
            raise BadFile(f"{where}: “model” or “title” has an invalid value.")
        if (values["applied_text"] is None) != (values["applied_on"] is None):
            raise BadFile(f"{where}: “applied_text” and “applied_on” go together.")
        key = (_moment(values["created_at"]), values["title"])
        if key not in existing:
            existing[key] = _add_reflection(user, record, values, activity_ids, context, where)
            added += 1
        ids[str(record.get("key"))] = existing[key]
    return ids, added


def _add_reflection(user, record, values, activity_ids, context, where) -> int:
    resolve, files, notes, _ = context
    stages = _stages(record, where)
    reflection = Reflection(
        user_id=user.id,
        **values,
        stages=stages,
        search_text=search_text(values["title"], stages),
        activity_id=activity_ids.get(str(record.get("activity"))),
    )
    reflection.competencies = _competencies(record, resolve, where)
    db.session.add(reflection)
    db.session.flush()
    for m, item in enumerate(_list(record, "evidence", where), start=1):
        import_evidence(user, reflection, item, (READ, f"{where}, evidence {m}"), files, notes)
    return reflection.id


def _import_portfolios(user, records: list, keyed: tuple, resolve) -> int:
    ids, reflection_ids, cycle_of = keyed
    existing = {
        (_moment(p.created_at), p.title) for p in db.session.scalars(owned(Portfolio, user))
    }
    added = 0
    for n, record in enumerate(records, start=1):
        where = f"Portfolio {n}"
        values = _fields(record, PORTFOLIO_FIELDS, where)
        if (_moment(values["created_at"]), values["title"]) in existing:
            continue
        updated = _value(record, "updated_at", datetime, where, optional=True)
        portfolio = Portfolio(
            user_id=user.id,
            cycle_id=cycle_of(record.get("cycle"), where),
            **({"updated_at": updated} if updated else {}),
            competency_ids=[resolve(r, where) for r in _list(record, "competencies", where)],
            excluded_activity_ids=sorted(
                ids[k] for k in _list(record, "excluded", where) if k in ids
            ),
            excluded_reflection_ids=sorted(
                reflection_ids[k]
                for k in _list(record, "excluded_reflections", where)
                if k in reflection_ids
            ),
            **values,
        )
        db.session.add(portfolio)
        db.session.flush()
        for m, review in enumerate(_list(record, "reviews", where), start=1):
            fields = _fields(review, REVIEW_FIELDS, f"{where}, review {m}")
            db.session.add(Review(user_id=user.id, portfolio_id=portfolio.id, **fields))
        added += 1
    return added
