"""`flask --app cpd_log send-reminders`: run it daily (or hourly) from cron or a systemd timer;
each user gets at most one digest per week or month (cpd_log/reminders/sending.py)."""

import click
from flask import current_app

from cpd_log.reminders.sending import Report, send_due


@click.command("send-reminders")
def send_reminders() -> None:
    """Mail the due digests, at most one per user and period; safe to run again or after a
    kill. Exits 1 when the mail server failed (the rest is sent on the next run)."""
    base = current_app.config.get("PUBLIC_URL") or "http://localhost:5000"
    report = Report()
    failed = False
    with current_app.test_request_context(base_url=base):
        try:
            send_due(report)
        except Exception as error:  # noqa: BLE001 - reported, and the exit status says so
            click.echo(f"stopped: {error!r}", err=True)
            failed = True
    click.echo(report.line())
    if report.uncertain:
        ids = ", ".join(str(number) for number in report.uncertain)
        click.echo(f"not retried (the mail server may have them): digests {ids}", err=True)
    if failed:
        raise SystemExit(1)
