"""`flask --app cpd_log backup PATH` and `flask --app cpd_log restore PATH`."""

import time
from pathlib import Path

import click
from flask import current_app

from cpd_log.instance_backup import services
from cpd_log.instance_backup.archive import ArchiveRefused
from cpd_log.instance_backup.databases import DatabaseError
from cpd_log.security_log import record_event

_REFUSALS = (services.BackupError, ArchiveRefused, DatabaseError, OSError)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{number} {name}" for name, number in counts.items())


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def backup(path: Path, force: bool) -> None:
    """Write the whole instance (database, uploads, manifest) to one archive at PATH."""
    started = time.perf_counter()
    try:
        manifest = services.make_backup(current_app, path, force)
    except _REFUSALS as error:
        raise click.ClickException(f"backup failed, no archive written: {error}") from None
    files = [m for m in manifest["members"] if m["name"].startswith("uploads/")]
    record_event("instance.backup", files=len(files), **manifest["counts"])
    elapsed = time.perf_counter() - started
    click.echo(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB) in {elapsed:.1f} s")
    click.echo(
        f"database: {manifest['database']['kind']} at migration "
        f"{manifest['database']['alembic_revision']}; {_counts(manifest['counts'])}"
    )
    click.echo(f"uploads: {len(files)} files, {sum(m['size'] for m in files) / 1e6:.1f} MB")
    for entry in manifest["skipped"]:
        click.echo(f"skipped: {entry['path']} ({entry['reason']})")
    if missing := manifest["missing_evidence_files"]:
        click.echo(f"warning: {len(missing)} evidence file(s) named in the database are missing:")
        for name in missing[:20]:
            click.echo(f"  {name}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a target that already holds data.")
def restore(path: Path, force: bool) -> None:
    """Check the archive at PATH whole, then replace the database and UPLOAD_DIR with it."""
    started = time.perf_counter()
    try:
        restored = services.restore_backup(current_app, path, force)
    except _REFUSALS as error:
        raise click.ClickException(f"restore refused: {error}") from None
    record_event("instance.restore", **restored.counts)
    manifest = restored.manifest
    click.echo(
        f"restored {path} (written {manifest['created_utc']} by CPD Log "
        f"{manifest['app_version']}) in {time.perf_counter() - started:.1f} s: "
        f"{_counts(restored.counts)}"
    )
    if missing := manifest["missing_evidence_files"]:
        click.echo(f"warning: {len(missing)} evidence file(s) were already missing at backup.")
    click.echo(restored.revision_note)
