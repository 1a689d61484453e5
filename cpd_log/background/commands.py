"""`flask --app cpd_log worker`: the process that runs background jobs (README, Deployment)."""

import logging

import click
from flask import current_app

from cpd_log.background import queue

# An idle SQLite queue is polled with a growing pause; a second at most keeps a new job's wait
# short (Redis needs no polling: the worker blocks on the list until a job arrives).
MAX_POLL_SECONDS = 1.0


@click.command()
@click.option("--workers", type=int, default=None, help="Jobs run at once (QUEUE_WORKERS).")
def worker(workers: int | None) -> None:
    """Run background jobs (PDF/ZIP exports, account restores, large spreadsheet imports) until
    stopped (SIGTERM, Ctrl-C)."""
    app = current_app._get_current_object()
    jobs = queue.of(app)
    if jobs.huey.immediate:
        raise click.ClickException("QUEUE_URL is 'immediate': jobs run where they start.")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    count = workers or app.config["QUEUE_WORKERS"]
    click.echo(f"worker: {count} at once from {_safe(jobs.url)}", err=True)
    consumer = jobs.huey.create_consumer(
        workers=count, worker_type="thread", periodic=False, max_delay=MAX_POLL_SECONDS
    )
    consumer.run()


def _safe(url: str) -> str:
    """The URL without a password."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"
