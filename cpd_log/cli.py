"""Command-line tasks: flask --app cpd_log seed | create-user | demo | sweep | backup | restore |
send-reminders."""

from datetime import UTC, date, datetime

import click
from flask import Flask
from sqlalchemy import func, select

from cpd_log import housekeeping
from cpd_log.auth import services as auth_services
from cpd_log.auth.passwords import guessable_words, password_problem
from cpd_log.competencies.services import seed_frameworks
from cpd_log.crosswalks.services import seed_crosswalks
from cpd_log.demo import demo_reflections_and_schemes, generate_activities
from cpd_log.extensions import db
from cpd_log.instance_backup.commands import backup, restore
from cpd_log.models import Activity
from cpd_log.models.user import Role
from cpd_log.reminders.commands import send_reminders
from cpd_log.schemes.services import seed_schemes
from cpd_log.teams.demo import TEAM_NAME, demo_team

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - documented demo account


def register(app: Flask) -> None:
    app.cli.add_command(seed)
    app.cli.add_command(create_user)
    app.cli.add_command(demo)
    app.cli.add_command(sweep)
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    app.cli.add_command(send_reminders)


@click.command()
def seed() -> None:
    """Load the shipped competency frameworks, crosswalks and schemes (safe to run again: nothing
    is duplicated)."""
    results = seed_frameworks()
    crosswalks = seed_crosswalks()
    schemes = seed_schemes()
    db.session.commit()
    for framework, created in results:
        click.echo(f"{'created' if created else 'updated'}: {framework.name} ({framework.version})")
    for crosswalk, created in crosswalks:
        click.echo(
            f"{'created' if created else 'unchanged'}: {crosswalk.name} ({crosswalk.version})"
        )
    for scheme, created in schemes:
        click.echo(f"{'created' if created else 'unchanged'}: {scheme.name} ({scheme.version})")


@click.command("create-user")
@click.option("--email", prompt=True)
@click.option("--name", "display_name", prompt="Display name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.PRACTITIONER.value)
def create_user(email: str, display_name: str, password: str, role: str) -> None:
    """Create an account (for example the first admin). The password rule of the web form
    applies: long enough and not guessable."""
    problem = password_problem(password, guessable_words(email, display_name))
    if problem:
        raise click.ClickException(f"Choose another password. {problem}")
    try:
        user = auth_services.register_user(email, display_name, password, role=Role(role))
    except auth_services.EmailTaken:
        raise click.ClickException(f"An account with the email {email} already exists.") from None
    db.session.commit()
    click.echo(f"created user {user.id}: {user.email} ({user.role.value})")


@click.command()
@click.option("--activities", "count", default=80, show_default=True)
def demo(count: int) -> None:
    """Create the demo account with a year of activities (running it again changes nothing)."""
    seed_frameworks()
    seed_crosswalks()
    seed_schemes()
    user = auth_services.find_by_email(DEMO_EMAIL)
    if user is None:
        user = auth_services.register_user(DEMO_EMAIL, "Demo Practitioner", DEMO_PASSWORD)
        # Its address receives no mail: counted as confirmed, so the demo shows no banner.
        user.verified_at = datetime.now(UTC)
    existing = db.session.scalar(select(func.count(Activity.id)).where(Activity.user_id == user.id))
    added = 0
    if not existing:
        added = generate_activities(user.id, count, years=1, tags_per_activity=2)
        demo_reflections_and_schemes(user, date.today())
    if demo_team(user, DEMO_PASSWORD, date.today()):
        click.echo(f"demo team: {TEAM_NAME}, led by {DEMO_EMAIL}, four colleagues (same password)")
    db.session.commit()
    click.echo(f"demo account: {DEMO_EMAIL} / {DEMO_PASSWORD} ({existing + added} activities)")


@click.command()
def sweep() -> None:
    """Remove expired export jobs and their files, stray export files and expired import batches
    (run it from cron or a systemd timer; each app process also does it now and then)."""
    results = housekeeping.sweep()
    for name, count in results.items():
        click.echo(f"{name}: {'FAILED (see the log)' if count is None else count}")
    if None in results.values():
        raise SystemExit(1)
