"""Import an account document (see transfer.py, any readable version) into a user's account.

Every value is checked before it is used; the first problem raises BadFile naming the record and
field, and the caller rolls the whole import back. Records already present (same creation time and
title) are skipped, so re-importing the same file is a no-op. Evidence files come from an
evidence_transfer.EvidenceFiles (the archive's staged members, or version 1's base64). Every record
is read through one codec.Reader by its declaration (account_format.py): keys a file lacks get
their defaults, keys this release does not know are ignored and counted.
"""

from collections.abc import Callable

from cpd_log.access import owned
from cpd_log.account import account_format
from cpd_log.account.account_format import record
from cpd_log.account.activity_state_transfer import import_state
from cpd_log.account.claim_transfer import import_claims
from cpd_log.account.codec import Notes, Seen
from cpd_log.account.crosswalk_transfer import import_crosswalks
from cpd_log.account.development_transfer import import_development
from cpd_log.account.evidence_transfer import EvidenceFiles, import_evidence
from cpd_log.account.scheme_transfer import import_schemes, portfolio_cycle_finder
from cpd_log.account.transfer import BadFile, competency_resolver
from cpd_log.common.dates import today_for
from cpd_log.common.web_urls import is_web_url
from cpd_log.competencies.services import load_framework
from cpd_log.extensions import db
from cpd_log.models import Activity, Competency, Portfolio, Reflection, Review
from cpd_log.reflections.reflective_models import REFLECTIVE_MODELS
from cpd_log.reflections.services import search_text

# Activities are inserted this many at a time: the driver builds each batch's statement and
# parameters in memory (on PostgreSQL about 9 KB a row), so a batch bounds the import's peak
# memory by this rather than by the account's size, at one round trip per batch.
FLUSH_ROWS = 100


def import_account(
    user, document, files: EvidenceFiles | None = None, progress: Callable | None = None, notes=None
) -> dict:
    """Add what the file holds and the account lacks; returns counts of what was added.
    `progress(n)` is called as activities are added (n of len(document["activities"])); `notes`
    (codec.Notes) receives where links were dropped and files were missing, and what was
    ignored."""
    notes = notes if notes is not None else Notes()
    reader = account_format.reader(document, notes)
    top = reader.read("document", document, "File")
    for n, framework in enumerate(top["frameworks"], start=1):
        try:
            load_framework(framework, owner_id=user.id)
        except (KeyError, TypeError, AttributeError):
            raise BadFile(f"Framework {n} is incomplete.") from None
    resolve = competency_resolver(user)
    context = (resolve, files or EvidenceFiles(None), reader, progress or (lambda n: None))
    ids, added = _import_activities(user, top["activities"], context)
    reflection_ids, reflections = import_reflections(user, top["reflections"], ids, context)
    development = import_development(user, top, ids, resolve, reader)
    schemes = import_schemes(user, top, ids, reader, today_for(user))
    cycle_of = portfolio_cycle_finder(user, top, reader)
    portfolios = _import_portfolios(
        user, top["portfolios"], (ids, reflection_ids, cycle_of), context
    )
    claims = import_claims(user, top, ids, cycle_of, reader)
    crosswalks = import_crosswalks(user, top, reader)
    db.session.flush()
    return {
        "activities": added,
        "reflections": reflections,
        "portfolios": portfolios,
        "self-assessments and goals": development,
        **schemes,
        "claim statuses": claims,
        "crosswalks and overrides": crosswalks,
        **notes.counts(),
    }


def _import_activities(user, records: list, context) -> tuple[dict[str, int], int]:
    """Build every new activity, then flush them FLUSH_ROWS at a time (batched INSERTs: one round
    trip per batch, not per row), then their badges, marks, dismissals and evidence."""
    resolve, files, reader, progress = context
    seen = Seen(record("activity"), db.session.scalars(owned(Activity, user)))
    keyed: list[tuple[str, dict]] = []
    new: list[tuple[dict, Activity, str]] = []
    for where, _, values in reader.each("activity", records, "Activity"):
        keyed.append((str(values["key"]), values))
        if seen.get(values) is not None:
            continue
        columns = record("activity").columns(values)
        if columns["url"] and not is_web_url(columns["url"]):
            reader.notes.dropped.append(f"{where}, web address")
            columns["url"] = ""
        activity = Activity(user_id=user.id, **columns)
        activity.competencies = [resolve.competency(r, where) for r in values["competencies"]]
        seen.add(values, activity)
        new.append((values, activity, where))
    for start in range(0, len(new), FLUSH_ROWS):
        db.session.add_all(activity for _, activity, _ in new[start : start + FLUSH_ROWS])
        db.session.flush()
    for n, (values, activity, where) in enumerate(new, start=1):
        import_state(user, activity.id, values, reader, where)
        for m, item in enumerate(values["evidence"], start=1):
            import_evidence(user, activity, item, f"{where}, evidence {m}", files, reader)
        progress(n)
    ids = {key: getattr(seen.get(values), "id", seen.get(values)) for key, values in keyed}
    return ids, len(new)


def _competencies(values: dict, resolve, where: str) -> list[Competency]:
    return [resolve.competency(ref, where) for ref in values["competencies"]]


def import_reflections(user, records: list, activity_ids: dict, context) -> tuple[dict, int]:
    """Like activities: skipped when one with the same creation time and title exists."""
    reader = context[2]
    seen = Seen(record("reflection"), db.session.scalars(owned(Reflection, user)))
    ids: dict[str, int] = {}
    added = 0
    for where, _, values in reader.each("reflection", records, "Reflection"):
        if values["model"] not in REFLECTIVE_MODELS or not values["title"].strip():
            raise BadFile(f"{where}: “model” or “title” has an invalid value.")
        if (values["applied_text"] is None) != (values["applied_on"] is None):
            raise BadFile(f"{where}: “applied_text” and “applied_on” go together.")
        if seen.get(values) is None:
            seen.add(values, _add_reflection(user, values, activity_ids, context, where))
            added += 1
        ids[str(values["key"])] = seen.get(values)
    return ids, added


def _add_reflection(user, values, activity_ids, context, where) -> int:
    resolve, files, reader, _ = context
    reflection = Reflection(
        user_id=user.id,
        **record("reflection").columns(values),
        stages=values["stages"],
        search_text=search_text(values["title"], values["stages"]),
        activity_id=activity_ids.get(str(values["activity"])),
    )
    reflection.competencies = _competencies(values, resolve, where)
    db.session.add(reflection)
    db.session.flush()
    for m, item in enumerate(values["evidence"], start=1):
        import_evidence(user, reflection, item, f"{where}, evidence {m}", files, reader)
    return reflection.id


def _import_portfolios(user, records: list, keyed: tuple, context) -> int:
    ids, reflection_ids, cycle_of = keyed
    resolve, _, reader, _ = context
    seen = Seen(record("portfolio"), db.session.scalars(owned(Portfolio, user)))
    added = 0
    for where, _, values in reader.each("portfolio", records, "Portfolio"):
        if seen.get(values) is not None:
            continue
        updated = values["updated_at"]
        portfolio = Portfolio(
            user_id=user.id,
            cycle_id=cycle_of(values["cycle"], where),
            **({"updated_at": updated} if updated else {}),
            competency_ids=[resolve(r, where) for r in values["competencies"]],
            excluded_activity_ids=sorted(ids[k] for k in values["excluded"] if k in ids),
            excluded_reflection_ids=sorted(
                reflection_ids[k] for k in values["excluded_reflections"] if k in reflection_ids
            ),
            **record("portfolio").columns(values),
        )
        db.session.add(portfolio)
        db.session.flush()
        for _, _, review in reader.each("review", values["reviews"], f"{where}, review"):
            db.session.add(Review(user_id=user.id, portfolio_id=portfolio.id, **review))
        added += 1
    return added
