"""Back up and restore a whole instance, in the order that keeps every failure harmless.

Backup: the database snapshot first, then the upload folder (a file uploaded meanwhile is a
harmless extra; one deleted meanwhile is listed as missing), all into PATH.part, renamed to PATH
only when complete — a killed backup never leaves a file that looks like a finished one.

Restore: every check comes before the first change — the manifest and every member header, the
database kind and Alembic revision, an empty target (or --force), then each member's SHA-256
while it is copied into a staging folder beside UPLOAD_DIR. Only then are the uploads swapped in
(a rename) and the database replaced; if that fails the old uploads are swapped back.
"""

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask import Flask

from cpd_log.evidence.services import file_path
from cpd_log.instance_backup import archive, databases, uploads
from cpd_log.models import Evidence


class BackupError(Exception):
    """Refused or failed; the message tells the operator what to do."""


@dataclass
class Restored:
    manifest: dict
    counts: dict[str, int]
    revision_note: str


def make_backup(app: Flask, path: Path, force: bool) -> dict:
    """Write the instance to one archive at `path`; return its manifest."""
    path = path.absolute()
    if path.exists() and not force:
        raise BackupError(f"{path} already exists; choose another name or add --force.")
    database = databases.for_app(app)
    root = Path(app.config["UPLOAD_DIR"]).absolute()
    _outside_uploads(path, root)
    part = path.with_name(path.name + ".part")
    created = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=f".{path.name}.") as scratch:
        dumped = Path(scratch) / archive.DATABASE_MEMBERS[database.kind]
        facts = database.snapshot(dumped)
        files, skipped = uploads.upload_files(root)
        descriptor = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with open(descriptor, "wb") as out:
                writer = archive.Writer(out)
                writer.add_file(dumped.name, dumped)
                dumped.unlink()  # the disk space is needed back before the evidence is copied
                for name, file in files:
                    try:
                        writer.add_file(f"{archive.UPLOADS}/{name}", file)
                    except FileNotFoundError:
                        skipped.append({"path": name, "reason": "deleted during the backup"})
                manifest = _manifest(database.kind, facts, created, skipped, writer, root)
                writer.finish(manifest, int(created.timestamp()))
                out.flush()
                os.fsync(out.fileno())
            os.replace(part, path)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
    _sync_folder(path.parent)
    return {**manifest, "members": writer.members}


def _outside_uploads(path: Path, root: Path) -> None:
    """An archive inside UPLOAD_DIR would back itself up, or be deleted with the old uploads."""
    if path.resolve().is_relative_to(root.resolve()):
        raise BackupError(f"{path} is inside UPLOAD_DIR ({root}); put the archive elsewhere.")


def _manifest(kind, facts, created, skipped, writer, root) -> dict:
    written = {m["name"] for m in writer.members}
    missing = []
    for user_id, digest in facts.stored_files:
        relative = file_path(Evidence(user_id=user_id, sha256=digest)).relative_to(root)
        if f"{archive.UPLOADS}/{relative.as_posix()}" not in written:
            missing.append(relative.as_posix())
    return {
        "format": archive.FORMAT,
        "format_version": archive.FORMAT_VERSION,
        "app_version": version("cpd-log"),
        "created_utc": created.isoformat().replace("+00:00", "Z"),
        "database": {"kind": kind, "alembic_revision": facts.revision},
        "counts": facts.counts,
        "skipped": skipped,
        "missing_evidence_files": missing,
    }


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (the folder's entry), as the file's own fsync made its bytes."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def restore_backup(app: Flask, path: Path, force: bool) -> Restored:
    """Check the archive whole, then replace the database and UPLOAD_DIR with its contents."""
    database = databases.for_app(app)
    root = Path(app.config["UPLOAD_DIR"]).absolute()
    _outside_uploads(path, root)
    with archive.Reader(path) as reader:
        manifest = reader.manifest
        _check_compatible(manifest, database.kind)
        _check_target_empty(root, force)
        database.check_free()
        staging = uploads.staging_folder(root)
        try:
            reader.extract_to(staging)
            staged_db = staging / reader.database_member
            extra_tables = database.check_staged(staged_db)
            staged_uploads = staging / archive.UPLOADS
            staged_uploads.mkdir(exist_ok=True)
            old = uploads.swap_in(staged_uploads, root)
            try:
                database.install(staged_db, extra_tables)
            except BaseException:
                uploads.swap_back(root, old)
                raise
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    facts = database.facts()
    if facts.counts != manifest["counts"]:
        raise BackupError(
            f"the restored database counts {facts.counts}, the manifest {manifest['counts']}."
        )
    return Restored(manifest, facts.counts, _revision_note(facts.revision))


def _check_compatible(manifest: dict, kind: str) -> None:
    source = manifest["database"]["kind"]
    if source != kind:
        raise BackupError(
            f"this archive holds a {source} database and DATABASE_URL is {kind}: a restore "
            f"across engines is not supported. Restore into a {source} database."
        )
    revision = manifest["database"].get("alembic_revision") or ""
    if revision not in _known_revisions():
        raise BackupError(
            f"the archive's database is at migration {revision!r}, which this version of "
            "CPD Log does not know (the archive was written by a newer release, "
            f"{manifest.get('app_version')}): install that release or a newer one, then restore."
        )


def _check_target_empty(root: Path, force: bool) -> None:
    if force:
        return
    tables = databases.holds_data()
    if tables or uploads.holds_files(root):
        raise BackupError(
            f"the target instance already holds data ({tables} table(s) with rows, "
            f"{'files' if uploads.holds_files(root) else 'no files'} in {root}); a restore "
            "replaces all of it. Add --force to replace it."
        )


def _script() -> ScriptDirectory:
    from cpd_log.app import MIGRATIONS_DIR

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config)


def _known_revisions() -> set[str]:
    return {revision.revision for revision in _script().walk_revisions()}


def _revision_note(revision: str) -> str:
    head = _script().get_current_head()
    if revision == head:
        return f"The database is at the current migration ({head})."
    return (
        f"The database is at migration {revision}, older than this release's {head}: run "
        "`flask --app cpd_log db upgrade` before starting the app (restore does not run it, "
        "so you can keep the restored state as it was)."
    )
