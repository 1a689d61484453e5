"""The account backup archive: what is in it, the password before it, every earlier version still
imports, unsafe links are dropped, files missing on disk are listed, not fatal."""

import hashlib
import io
import json
import logging
import zipfile
from pathlib import Path

from sqlalchemy import func, select

from cpd_log.account import account_import
from cpd_log.evidence import services as evidence_services
from cpd_log.extensions import db
from cpd_log.models import Activity, BadgeAssertion, Enrolment, Evidence, Portfolio, Reflection
from cpd_log.schemes import services as scheme_services
from tests import factories
from tests.account.backup_helpers import backup_of, exported, restore
from tests.evidence import samples

V1_FILE = Path(__file__).parent / "data" / "account-v1.json"


def _count(model, user) -> int:
    return db.session.scalar(select(func.count(model.id)).where(model.user_id == user.id))


def test_the_archive_holds_files_as_themselves_and_a_manifest_of_every_member(app, user):
    activity = factories.make_activity(user, title="Course")
    pdf = samples.make_evidence(user, activity, name="certificate.pdf")
    data = evidence_services.file_path(pdf).read_bytes()
    archive = zipfile.ZipFile(io.BytesIO(backup_of(user)))

    assert archive.read(f"evidence/{pdf.sha256}") == data  # not base64
    document = json.loads(archive.read("account.json"))
    assert document["version"] == 6
    assert document["activities"][0]["evidence"][0]["file"] == f"evidence/{pdf.sha256}"
    assert "content" not in document["activities"][0]["evidence"][0]
    manifest = json.loads(archive.read("MANIFEST.json"))
    assert manifest["format"] == "cpd-log-account-backup" and manifest["version"] == 6
    assert manifest["app_version"] and manifest["counts"]["activities"] == 1
    assert manifest["counts"]["evidence files"] == 1
    assert set(manifest["members"]) == set(archive.namelist()) - {"MANIFEST.json"}
    for name, entry in manifest["members"].items():
        member = archive.read(name)
        assert entry == {"size": len(member), "sha256": hashlib.sha256(member).hexdigest()}
    assert any("share links" in line for line in manifest["left_out"])


def test_the_backup_asks_for_the_password_again(logged_in, user, caplog):
    factories.make_activity(user, title="Course")
    caplog.set_level(logging.INFO, logger="cpd_log.security")
    assert logged_in.get("/export/account.json").status_code == 404  # no password-less download
    page = logged_in.get("/export/").get_data(as_text=True)
    assert 'action="/export/account"' in page and 'type="password"' in page

    wrong = logged_in.post("/export/account", data={"password": "not-my-password"})
    assert wrong.status_code == 400
    assert "That is not your password." in wrong.get_data(as_text=True)
    assert wrong.mimetype == "text/html"
    assert [r.security["event"] for r in caplog.records] == ["reauth.failed"]

    right = logged_in.post("/export/account", data={"password": factories.PASSWORD})
    assert right.status_code == 200 and right.mimetype == "application/zip"
    assert "account.json" in zipfile.ZipFile(io.BytesIO(right.get_data())).namelist()
    assert caplog.records[-1].security == {
        "event": "export.account",
        "user_id": user.id,
        "ip": "127.0.0.1",
    }


def test_a_file_missing_on_disk_is_listed_and_the_rest_restores(app, user):
    activity = factories.make_activity(user, title="Course")
    kept = samples.make_evidence(user, activity, name="kept.pdf")
    lost = evidence_services.attach_file(
        user, activity, evidence_services.Upload("lost.txt", b"Lost notes"), "Lost"
    )
    db.session.commit()
    evidence_services.file_path(lost).unlink()

    payload = backup_of(user)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(payload)).read("MANIFEST.json"))
    assert manifest["missing"] == [
        {"file": "lost.txt", "sha256": lost.sha256, "attached_to": "Activity 1"}
    ]
    target = factories.make_user()
    job = restore(target, payload)
    assert job.state == "done", job.message
    assert job.counts["evidence files that were missing from the backup"] == 1
    assert "Activity 1, evidence 2" in job.message
    (copy,) = db.session.scalars(select(Evidence).where(Evidence.user_id == target.id))
    assert copy.sha256 == kept.sha256 and evidence_services.file_path(copy).exists()


def test_todays_json_export_version_1_still_imports(app, user):
    """STYLE.md rule 13: the file the previous release downloaded (evidence in base64)."""
    scheme_services.seed_schemes()
    db.session.commit()
    job = restore(user, V1_FILE.read_bytes())
    assert job.state == "done", job.message
    assert job.counts["activities"] == 2 and job.counts["reflections"] == 1
    assert _count(Enrolment, user) == 1 and _count(Portfolio, user) == 1
    files = list(db.session.scalars(select(Evidence).where(Evidence.sha256.is_not(None))))
    assert sorted(e.original_name for e in files) == ["notes.txt", "reflection.txt"]
    note = next(e for e in files if e.original_name == "notes.txt")
    assert evidence_services.file_path(note).read_bytes() == b"Notes from the risk workshop\n"
    document = exported(user)
    assert document["activities"][0]["badge"] is None  # defaults for what version 1 lacks
    assert document["activities"][0]["apply_prompt_dismissals"] == []
    assert document["portfolios"][0]["cycle"] is None
    again = restore(user, V1_FILE.read_bytes())
    assert set(again.counts.values()) == {0}


def test_backups_made_before_the_learning_objective_import_with_none(app, user):
    """The version-1 file and a version-2 document without the key: no objective, no error."""
    scheme_services.seed_schemes()
    db.session.commit()
    assert not any("objective" in a for a in json.loads(V1_FILE.read_text())["activities"])
    job = restore(user, V1_FILE.read_bytes())
    assert job.state == "done", job.message
    mine = select(Activity.objective).where(Activity.user_id == user.id)
    assert db.session.scalars(mine).all() == [None, None]

    source = factories.make_user()
    factories.make_activity(source, title="Logged before objectives", objective="dropped below")
    document = exported(source)
    assert document["version"] == 6
    document["version"] = 2  # as a release before the objective wrote it
    del document["activities"][0]["objective"]
    target = factories.make_user()
    assert account_import.import_account(target, document)["activities"] == 1
    theirs = select(Activity.objective).where(Activity.user_id == target.id)
    assert db.session.scalars(theirs).all() == [None]


def _with_unsafe_links(user) -> dict:
    activity = factories.make_activity(user, title="Linked")
    db.session.add(
        BadgeAssertion(
            user_id=user.id,
            activity_id=activity.id,
            badge_name="Badge",
            issuer_url="https://issuer.example/",
            issued_on=activity.start_date,
            alignment=[{"targetName": "Risk", "targetUrl": "https://fw.example/r"}],
        )
    )
    db.session.commit()
    document = exported(user)
    record = document["activities"][0]
    record["url"] = "javascript:alert(1)"
    record["badge"]["issuer_url"] = "JaVaScRiPt:alert(2)"
    record["badge"]["alignment"][0]["targetUrl"] = "data:text/html,<script>alert(3)</script>"
    record["evidence"] = [
        {"title": "x", "url": "java\tscript:alert(4)", "created_at": "2026-01-01T00:00:00"},
        {"title": "ok", "url": "https://example.org/", "created_at": "2026-01-01T00:00:00"},
    ]
    return document


def test_javascript_and_data_links_are_dropped_and_said_where(app, user):
    document = _with_unsafe_links(user)
    target = factories.make_user()
    job = restore(target, json.dumps(document).encode())
    assert job.state == "done", job.message
    assert job.counts["unsafe links dropped"] == 4
    assert "Activity 1, web address" in job.message and "Activity 1, evidence 1" in job.message
    activity = db.session.scalar(select(Activity).where(Activity.user_id == target.id))
    badge = db.session.scalar(select(BadgeAssertion).where(BadgeAssertion.user_id == target.id))
    assert activity.url == "" and badge.issuer_url == ""
    assert badge.alignment == [{"targetName": "Risk", "targetUrl": ""}]
    urls = db.session.scalars(select(Evidence.url).where(Evidence.user_id == target.id))
    assert list(urls) == ["https://example.org/"]


def test_reflection_evidence_and_badges_survive_a_restore(app, user):
    """The measured loss: badge issuer, name, date, alignment and verification."""
    activity = factories.make_activity(user, title="Open badge")
    db.session.add(
        BadgeAssertion(
            user_id=user.id,
            activity_id=activity.id,
            badge_name="Risk Practitioner",
            issuer_name="PMO Institute",
            issuer_url="https://issuer.example/",
            issued_on=activity.start_date,
            verification="hosted",
            verified=True,
            alignment=[{"targetName": "Risk", "targetCode": "R1"}],
            raw='{"id": "x"}',
        )
    )
    reflection = factories.make_reflection(user, title="Reflecting")
    samples.make_evidence(user, reflection, name="notes.pdf")
    db.session.commit()
    target = factories.make_user()
    assert restore(target, backup_of(user)).state == "done"
    badge = db.session.scalar(select(BadgeAssertion).where(BadgeAssertion.user_id == target.id))
    assert (badge.badge_name, badge.issuer_name, badge.issued_on) == (
        "Risk Practitioner",
        "PMO Institute",
        activity.start_date,
    )
    assert badge.verified and badge.verification == "hosted" and badge.raw == '{"id": "x"}'
    assert badge.alignment == [{"targetName": "Risk", "targetCode": "R1"}]
    copy = db.session.scalar(select(Reflection).where(Reflection.user_id == target.id))
    assert [e.original_name for e in copy.evidence] == ["notes.pdf"]


def test_restored_files_go_through_the_upload_checks(app_factory, user, tmp_path):
    """A restore stores files the way an upload does: a large image gets its PDF copy, and the
    target's evidence-per-item cap is met at the record, importing nothing."""
    app = app_factory(UPLOAD_DIR=str(tmp_path / "uploads"), EVIDENCE_MAX_FILES=1)
    with app.app_context():
        activity = factories.make_activity(user, title="Course")
        samples.make_evidence(user, activity, samples.png_bytes((2400, 1200)), "wide.png")
        payload = backup_of(user)
        target = factories.make_user()
        assert restore(target, payload).state == "done"
        (copy,) = db.session.scalars(select(Evidence).where(Evidence.user_id == target.id))
        assert copy.rendition_sha256 is not None
        with evidence_services.open_file(copy, rendition=True) as rendition:
            assert rendition.read(2) == b"\xff\xd8"  # the JPEG copy made at upload

        app.config["EVIDENCE_MAX_FILES"] = 2  # the source account allowed two
        evidence_services.attach_url(user, activity, "https://example.org/slides")
        db.session.commit()
        payload = backup_of(user)
        app.config["EVIDENCE_MAX_FILES"] = 1
        other = factories.make_user()
        job = restore(other, payload)
        assert job.state == "failed" and "already has 1 pieces of evidence" in job.message
        assert _count(Evidence, other) == 0 and _count(Activity, other) == 0
