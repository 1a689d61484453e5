"""Every version of the account format imports (STYLE.md rule 13): a file of each, made by the
release that wrote it, is kept in data/. A file from a newer release imports what this release
knows and says how many keys it ignored. A full export writes exactly the declared keys."""

import hashlib
import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from cpd_log.account.account_format import RECORDS
from cpd_log.account.codec import Many, One
from cpd_log.account.transfer import VERSION
from cpd_log.evidence import services as evidence_services
from cpd_log.extensions import db
from cpd_log.models import (
    Activity,
    BadgeAssertion,
    ClaimStatus,
    Crosswalk,
    CrosswalkOverride,
    Evidence,
    Goal,
    ImportJob,
    Portfolio,
    Reflection,
)
from cpd_log.models.scheme import Allocation
from cpd_log.schemes import services as scheme_services
from tests.account.backup_helpers import backup_of, exported, import_through_page, restore

DATA = Path(__file__).parent / "data"
FIXTURES = {v: DATA / name for v, name in ((1, "account-v1.json"), (2, "account-v2.zip"))}
FIXTURES[3] = DATA / "account-v3.zip"  # the learning objective
FIXTURES[4] = DATA / "account-v4.zip"  # claim statuses
FIXTURES[5] = DATA / "account-v5.zip"  # own crosswalks and overrides (v4 restored, three added)
FIXTURES[6] = DATA / "account-v6.zip"  # a claim's minutes when claimed (v5 restored, one set)


def _restored(user, payload: bytes):
    scheme_services.seed_schemes()
    db.session.commit()
    job = restore(user, payload)
    assert job.state == "done", job.message
    return job


def _of(model, user):
    return list(db.session.scalars(select(model).where(model.user_id == user.id)))


def _tags(row) -> list[str]:
    return sorted(f"{c.framework.slug}:{c.code}" for c in row.competencies)


@pytest.mark.parametrize("version", sorted(FIXTURES))
def test_every_version_imports_with_its_records_tags_and_files(app, user, version):
    job = _restored(user, FIXTURES[version].read_bytes())
    assert job.counts["activities"] == 2 and job.counts["reflections"] == 1
    assert job.counts["unknown keys ignored"] == 0 and "newer release" not in job.message
    activity = next(a for a in _of(Activity, user) if a.title == "Risk workshop")
    assert activity.minutes == 90 and _tags(activity) == ["my-pmo:A1.1"] + (
        ["my-pmo:A2.1"] if version >= 2 else []
    )
    objective = "Run a quantitative schedule risk analysis on my own" if version >= 3 else None
    assert activity.objective == objective
    files = {e.original_name: e for e in _of(Evidence, user) if e.sha256}
    assert sorted(files) == ["notes.txt", "reflection.txt"]
    notes = evidence_services.file_path(files["notes.txt"]).read_bytes()
    assert notes == b"Notes from the risk workshop\n"
    (reflection,) = _of(Reflection, user)
    assert reflection.activity_id == activity.id and len(_tags(reflection)) == 1
    assert len(_of(Portfolio, user)) == 1 and len(_of(Goal, user)) == 1
    document = exported(user)
    assert document["version"] == VERSION
    if version >= 2:
        (badge,) = _of(BadgeAssertion, user)
        assert badge.badge_name == "Risk Practitioner" and badge.alignment[0]["targetCode"] == "R1"
        assert _of(Portfolio, user)[0].cycle_id is not None and len(_of(Allocation, user)) == 2
        assert document["activities"][0]["apply_prompt_dismissals"][0]["checkpoint"] == 30
    claims = {(c.state.value, c.claimed_on, c.reference) for c in _of(ClaimStatus, user)}
    if version >= 4:
        assert claims == {("claimed", date(2026, 11, 20), "CCR-20261120-1"), ("rejected", None, "")}
    else:
        assert claims == set()
    minutes = {c.state.value: c.claimed_minutes for c in _of(ClaimStatus, user)}
    if version >= 4:  # older files read as not recorded
        assert minutes == {"claimed": 90 if version >= 6 else None, "rejected": None}
    walks = db.session.scalars(select(Crosswalk).where(Crosswalk.owner_id == user.id)).all()
    overrides = {(o.to_code, o.relation) for o in _of(CrosswalkOverride, user)}
    if version >= 5:
        assert [(w.slug, len(w.mappings)) for w in walks] == [("my-pmo-to-the-triangle", 2)]
        assert walks[0].mappings[1].relation == "narrower"
        assert overrides == {("TT.PS", None), ("TT.BA", "exact")}
    else:
        assert walks == [] and overrides == set()
    again = restore(user, FIXTURES[version].read_bytes())
    assert set(again.counts.values()) == {0}


def _from_a_newer_release(payload: bytes) -> bytes:
    """Today's archive as the next release might write it: new keys at several levels, in
    account.json and in MANIFEST.json."""
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    document = json.loads(members["account.json"])
    document |= {"version": VERSION + 1, "journals": [{"title": "Not known here"}]}
    activity = document["activities"][0]
    activity["estimated_cost"] = 120
    activity["badge"]["endorsements"] = []
    activity["evidence"][0]["thumbnail"] = None
    document["portfolios"][0]["reviews"][0]["rating"] = 5
    members["account.json"] = json.dumps(document).encode()
    manifest = json.loads(members.pop("MANIFEST.json"))
    manifest |= {"version": VERSION + 1, "signature": "…"}
    manifest["members"]["account.json"] = {
        "size": len(members["account.json"]),
        "sha256": hashlib.sha256(members["account.json"]).hexdigest(),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.writestr("MANIFEST.json", json.dumps(manifest))
    return out.getvalue()


def test_a_file_from_a_newer_release_imports_and_says_what_it_ignored(app, user, client, login_as):
    scheme_services.seed_schemes()
    db.session.commit()
    payload = _from_a_newer_release(FIXTURES[VERSION].read_bytes())
    login_as(client, user)
    status = import_through_page(client, payload)
    assert status["state"] == "done", status["message"]
    assert status["counts"]["activities"] == 2
    assert status["counts"]["unknown keys ignored"] == 6
    assert f"newer release of CPD Log (format version {VERSION + 1})" in status["message"]
    assert "1 in activity" in status["message"] and "1 in manifest" in status["message"]
    page = client.get(f"/export/imports/{_last_job_id(user)}").get_data(as_text=True)
    assert "6 unknown keys ignored" in page and "newer release" in page
    assert exported(user)["activities"][0]["title"] == "Risk workshop"


def _last_job_id(user) -> int:
    return max(j.id for j in db.session.scalars(select(ImportJob)))


def _written(record_type: str, value, seen: set) -> None:
    """Every (record type, key) of an exported value, following the declared nesting; a key
    that is not declared fails here."""
    keys = RECORDS[record_type].keys
    for name, item in value.items():
        assert name in keys, f"{record_type} writes “{name}”, which is not declared"
        seen.add((record_type, name))
        kind = keys[name].kind
        if isinstance(kind, One) and item is not None:
            _written(kind.record, item, seen)
        elif isinstance(kind, Many):
            for nested in item:
                _written(kind.record, nested, seen)


def test_a_full_export_writes_every_declared_key_and_only_those(app, user):
    _restored(user, FIXTURES[VERSION].read_bytes())
    with zipfile.ZipFile(io.BytesIO(backup_of(user))) as archive:
        document = json.loads(archive.read("account.json"))
        manifest = json.loads(archive.read("MANIFEST.json"))
    seen: set = set()
    _written("document", document, seen)
    _written("manifest", manifest, seen)
    declared = {
        (record_type, name)
        for record_type, record in RECORDS.items()
        for name, key in record.keys.items()
        if key.until is None  # read from old files, no longer written
    }
    assert declared - seen == set()
