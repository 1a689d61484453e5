"""The account document, declared: every record type with its keys (codec.py says how a
declaration is read and written). The export writes exactly these keys and the import reads
exactly these, so a key cannot be written but not read.

Within the format the changes are additive (transfer.py): a new key comes with `since` = the
version that adds it and reads as its default from older files.
"""

from datetime import date, datetime

from cpd_log.account.codec import (
    JSON,
    LIST,
    SIZE,
    STAGE_TEXT,
    Key,
    Many,
    Notes,
    One,
    Reader,
    Record,
    readable_version,
)
from cpd_log.account.transfer import FORMAT, VERSION, BadFile
from cpd_log.activities.fields import BACKED_UP
from cpd_log.claims.choices import ClaimState
from cpd_log.models.development import GoalStatus
from cpd_log.models.portfolio import Audience


def _activity_fields() -> list[Key]:
    """The activity's own keys, from the field table: which may be null, and the version that
    added each (older files read it as empty)."""
    return [
        Key(field.name, field.type, nullable=field.nullable, since=field.backup_since)
        for field in BACKED_UP
    ]


def _text(*names: str) -> list[Key]:
    return [Key(name, str) for name in names]


CREATED = Key("created_at", datetime)
RECORDS = {
    "document": Record(
        Key("format", str),
        Key("version", int),
        Key("frameworks", Many("framework")),
        Key("activities", Many("activity")),
        Key("reflections", Many("reflection")),
        Key("portfolios", Many("portfolio")),
        Key("self_assessments", Many("self_assessment")),
        Key("goals", Many("goal")),
        Key("schemes", Many("scheme")),
        Key("enrolments", Many("enrolment")),
        Key("split_overrides", Many("split_override")),
        Key("claim_statuses", Many("claim_status"), since=4),
        Key("crosswalks", Many("crosswalk"), since=5),
        Key("crosswalk_overrides", Many("crosswalk_override"), since=5),
    ),
    # The user's own frameworks, read by competencies.services.load_framework as shipped ones.
    "framework": Record(
        *_text("slug", "name", "version", "source", "licence", "description"),
        Key("levels", LIST, column=True),
        Key("areas", Many("area")),
    ),
    "area": Record(*_text("code", "name", "description"), Key("competencies", Many("competency"))),
    "competency": Record(*_text("code", "name", "description")),
    "activity": Record(
        Key("key", JSON),  # how reflections, goals, portfolios and overrides name it
        *_activity_fields(),
        Key("competencies", LIST),  # [framework slug, "global" or "own", code]
        Key("evidence", Many("evidence")),
        Key("badge", One("badge"), since=2),
        Key("quick_capture", datetime, nullable=True, since=2, column=False),
        Key("apply_prompt_dismissals", Many("dismissal"), since=2),
        same_when=("created_at", "title"),
    ),
    "evidence": Record(
        Key("title", str),
        Key("url", str, optional=True),  # a link's; a file's is empty
        Key("original_name", str, optional=True),  # a file's; a link's is empty
        CREATED,
        Key("content", str, nullable=True, until=1),  # version 1: the file in base64
        Key("sha256", str, nullable=True, optional=True, column=False),
        Key("size_bytes", SIZE, nullable=True, optional=True, column=False),
        Key("mime_type", str, optional=True, column=False),
        Key("file", str, nullable=True, optional=True, since=2, column=False),  # its member
        Key("missing", bool, optional=True, since=2, column=False),
    ),
    "badge": Record(
        *_text("assertion_id", "badge_name", "issuer_name", "issuer_url"),
        Key("issued_on", date),
        Key("verification", str),
        Key("verified", bool),
        Key("verified_at", datetime, nullable=True, since=2),
        Key("raw", str),
        CREATED,
        Key("alignment", LIST),  # Open Badges alignment objects
    ),
    "dismissal": Record(Key("checkpoint", int), Key("dismissed_at", datetime)),
    "reflection": Record(
        Key("key", JSON),
        Key("title", str),
        Key("reflected_on", date),
        Key("model", str),
        Key("is_draft", bool),
        Key("applied_text", str, nullable=True),
        Key("applied_on", date, nullable=True),
        CREATED,
        Key("updated_at", datetime),
        Key("stages", STAGE_TEXT),
        Key("activity", JSON),  # the linked activity's key, or null
        Key("competencies", LIST),
        Key("evidence", Many("evidence")),
        same_when=("created_at", "title"),
    ),
    "portfolio": Record(
        Key("title", str),
        Key("audience", Audience),
        Key("date_from", date, nullable=True),
        Key("date_to", date, nullable=True),
        Key("include_evidence", bool),
        CREATED,
        Key("competencies", LIST),
        Key("excluded", LIST),  # activity keys
        Key("excluded_reflections", LIST),  # reflection keys
        Key("reviews", Many("review")),
        Key("cycle", JSON, since=2),  # [enrolment key, cycle number] or null
        Key("updated_at", datetime, nullable=True, since=2, column=False),
        same_when=("created_at", "title"),
    ),
    "review": Record(
        *_text("reviewer_name", "reviewer_role", "comment"), Key("signed_off", bool), CREATED
    ),
    "self_assessment": Record(
        Key("competency", JSON),
        Key("level", int),
        Key("assessed_on", date),
        Key("note", str),
        CREATED,
        same_when=("created_at", "competency_id", "level"),
    ),
    "goal": Record(
        Key("competency", JSON),
        Key("target_level", int),
        Key("due_on", date, nullable=True),
        Key("status", GoalStatus),
        Key("note", str),
        CREATED,
        Key("activities", LIST),  # activity keys
        same_when=("created_at", "competency_id", "target_level"),
    ),
    # The import takes a scheme from its content (schemes.checking); slug and version must match.
    "scheme": Record(
        *_text("slug", "version"),
        Key("name", str, optional=True),
        Key("source", str, optional=True),
        Key("content", JSON),
    ),
    "enrolment": Record(
        Key("key", JSON),
        Key("scheme", JSON),  # [slug, version, "global" or "own"]
        Key("label", str),
        Key("start_date", date),
        CREATED,
        same_when=("created_at", "label"),
    ),
    "split_override": Record(
        Key("enrolment", JSON),  # the enrolment's key
        Key("cycle", int),
        Key("activity", JSON),  # the activity's key
        Key("category", str),
        Key("minutes", int),
        same_when=("cycle_id", "activity_id", "category"),
    ),
    # Where an activity's claim with the body stands in a cycle (claim_transfer.py).
    "claim_status": Record(
        Key("enrolment", JSON),  # the enrolment's key
        Key("cycle", int, column=False),  # its number
        Key("activity", JSON),  # the activity's key
        Key("state", ClaimState),
        Key("claimed_on", date, nullable=True),
        Key("reference", str),
        Key("reason", str),
        Key("body_type", str, nullable=True),  # the user's choice of the body's type
        # the minutes it counted when marked claimed (the pre-audit check compares them)
        Key("claimed_minutes", int, nullable=True, since=6),
        Key("updated_at", datetime),
        same_when=("cycle_id", "activity_id"),
    ),
    # The user's own crosswalks and overrides of shipped ones (crosswalk_transfer.py).
    "crosswalk": Record(
        *_text("slug", "version", "name", "source", "licence", "description"),
        *_text("from_framework", "to_framework"),
        CREATED,
        Key("mappings", Many("crosswalk_mapping")),
        same_when=("slug", "version"),
    ),
    "crosswalk_mapping": Record(*_text("from_code", "to_code", "relation", "reason")),
    "crosswalk_override": Record(
        *_text("crosswalk_slug", "from_framework", "to_framework", "from_code", "to_code"),
        Key("relation", str, nullable=True),  # null: the shipped pair does not count
        Key("reason", str),
        CREATED,
        same_when=("crosswalk_slug", "from_code", "to_code"),
    ),
    # MANIFEST.json of the backup archive (account_archive.py): its own format name, same version.
    "manifest": Record(
        *_text("format"),
        Key("version", int),
        *_text("app_version", "created_at"),
        Key("counts", JSON),
        Key("members", JSON),
        Key("missing", LIST),
        Key("left_out", LIST),
    ),
}


def record(record_type: str) -> Record:
    return RECORDS[record_type]


def reader(document, notes: Notes) -> Reader:
    """The reader of one import, after the document's format and version are checked; a file
    from a newer release is read too, and noted."""
    check_document(document)
    if document["version"] > VERSION:
        notes.newer = max(notes.newer or 0, document["version"])
    found = Reader(RECORDS, notes)
    found.survey("document", document)
    return found


def check_document(document) -> None:
    """An account export of any version from 1 on (STYLE.md rule 13)."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BadFile("This is not a CPD Log account export.")
    if not readable_version(document.get("version")):
        raise BadFile(f"This export's version ({document.get('version')!r}) is not supported.")


def note_manifest(manifest: dict, notes: Notes) -> None:
    """The archive's MANIFEST.json, already checked (archive_reader.py): a newer release's
    version is noted and keys this release does not know are counted."""
    version = manifest.get("version")
    if readable_version(version) and version > VERSION:
        notes.newer = max(notes.newer or 0, version)
    Reader(RECORDS, notes).survey("manifest", manifest)
