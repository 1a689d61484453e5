"""`flask --app cpd_log aggregates check | rebuild`: the per-user totals against `activity`."""

import click
from flask.cli import AppGroup

from cpd_log.aggregates import services
from cpd_log.extensions import db

aggregates = AppGroup("aggregates", help="Check or rebuild the per-user activity totals.")


@aggregates.command()
def check() -> None:
    """Compare the stored totals with a recomputation; exit 1 when they differ."""
    drift = services.drift()
    for (user_id, day, kind, status), (have, want) in sorted(drift.items())[:20]:
        click.echo(f"user {user_id} {day} {kind} {status}: stored {have}, activities say {want}")
    click.echo(f"{len(drift)} totals differ" if drift else "the totals match the activities")
    if drift:
        raise SystemExit(1)


@aggregates.command()
@click.option("--user-id", type=int, help="one user's totals only (default: everyone's)")
def rebuild(user_id: int | None) -> None:
    """Recompute the totals from the activities (one grouped INSERT … SELECT)."""
    services.rebuild(user_id)
    db.session.commit()
    click.echo("rebuilt the totals" + (f" of user {user_id}" if user_id else ""))
