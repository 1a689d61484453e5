"""The whole account as a JSON document (`account.json` in the backup archive, account_archive.py):
its format, declared record by record in account_format.py, written by account_export.py and
imported into an account on another instance by account_import.py.

Lossless: every field of activities with their badge, quick-capture mark and dismissed apply
prompts (activity_state_transfer.py), reflections (drafts too), evidence, self-assessments and
goals (development_transfer.py), the user's own frameworks, portfolios (selection, cycle) and
their reviews, the user's own CPD schemes, enrolments and split overrides (scheme_transfer.py),
claim statuses per activity and cycle (claim_transfer.py), the user's own crosswalks and
overrides of shipped ones (crosswalk_transfer.py).
Import is one transaction and idempotent: a record already present (same creation time and title)
is left alone, so importing the same file twice changes nothing.
Competencies are referenced by (framework slug, owner "global" or "own", code), never by id.

Versions (STYLE.md rule 13; every one stays readable, tests/account/data keeps one of each):
  1  the JSON download before December 2026: evidence bytes inline in base64, no badges,
     quick captures, dismissed prompts or portfolio cycles.
  2  inside the archive: evidence as `evidence/<sha256>` members named by `file` (null when the
     file was missing at export, with `missing: true`), plus the keys version 1 lacked.
  3  the activity's learning `objective` (older files read it as empty).
  4  `claim_statuses`: to claim, claimed (date, the body's reference) or rejected (reason), and the
     body's type the user chose, per activity and cycle (older files read as none).
  5  `crosswalks` (the user's own, with their mappings) and `crosswalk_overrides` (the user's
     relation for a pair of a shipped crosswalk, null when it does not count); older files read
     as none.
  6  a claim status's `claimed_minutes`: what the activity counted when it was marked claimed
     (older files read as null: not compared by the pre-audit check).

The rule that keeps them readable: within the format "cpd-log-account" every change is additive.
A new key is declared with `since` = the version that adds it and a default, which is what older
files read as; VERSION goes up by one. A key is never renamed, retyped or given a new meaning; a
change that cannot be additive needs a new format name. So a file from a newer release is read
too: the keys this release knows are imported, the others are ignored and counted in the import's
summary, which also says the file came from a newer release.
"""

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from cpd_log.activities.fields import BACKED_UP
from cpd_log.competencies.services import seen_by
from cpd_log.evidence import services as evidence_services
from cpd_log.extensions import db
from cpd_log.models import Competency, Evidence, Framework

FORMAT = "cpd-log-account"
VERSION = 6
# An activity's keys and their types, from the field table (each field's `backup_since` says
# which version added it; account_format.py declares the record).
ACTIVITY_FIELDS = {field.name: field.type for field in BACKED_UP}


class BadFile(ValueError):
    """The file cannot be imported; the message says where and why."""


def stored_file(evidence: Evidence) -> Path | None:
    """The evidence file on disk, or None when it is missing (the export then says so)."""
    path = evidence_services.file_path(evidence)
    return path if path.is_file() else None


def evidence_member(sha256: str) -> str:
    """The archive member holding a file: stored once per content, like on disk."""
    return f"evidence/{sha256}"


def _whose(framework) -> str:
    """ "global", "own", or "team" (a framework of one of the user's teams: the backup does not
    carry it; a restore finds it while the user is still in a team that has it)."""
    if framework.team_id is not None:
        return "team"
    return "global" if framework.owner_id is None else "own"


def reference(competency: Competency) -> list:
    """How the file names a competency: [framework slug, "global", "own" or "team", code]."""
    return [competency.framework.slug, _whose(competency.framework), competency.code]


def competency_resolver(user):
    """The other direction of reference(), for the import: resolve(reference, where) →
    competency id; resolve.competency(...) → the row; BadFile for a reference unknown here. Loaded
    once: a query per record would also flush the records built so far, one by one."""
    rows = db.session.scalars(
        select(Competency)
        .join(Framework, Competency.framework_id == Framework.id)
        .where(seen_by(user))
        .options(contains_eager(Competency.framework))
        .order_by(Framework.id.desc())  # of two teams' namesakes, the older team's wins
    )
    known = {(c.framework.slug, _whose(c.framework), c.code): c for c in rows}

    def competency(reference, where: str) -> Competency:
        key = tuple(reference) if isinstance(reference, list) else None
        if key not in known:
            raise BadFile(f"{where}: competency {reference!r} is not on this instance.")
        return known[key]

    def resolve(reference, where: str) -> int:
        return competency(reference, where).id

    resolve.competency = competency
    return resolve
