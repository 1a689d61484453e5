"""The parts a request needs, each asked the cheapest question it answers: the database
`SELECT 1` on a pooled connection (no ORM, no session), Redis PING when the app uses Redis, and
the job queue (cpd_log/background/): PING when it is on Redis, the count of waiting jobs when it
is a SQLite file.

Redis is configured when RATELIMIT_STORAGE_URI is a redis URL (redis://, rediss://,
redis+unix://); the client is kept per process with short timeouts, so a load balancer's probe
neither opens a connection each time nor hangs on a host that drops packets.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from flask import Flask
from sqlalchemy import text

from cpd_log.background import queue
from cpd_log.extensions import db

if TYPE_CHECKING:
    import redis

EXTENSION = "cpd_log.health"
REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://", "unix://")
TIMEOUT_SECONDS = 2.0
log = logging.getLogger("cpd_log.health")


def redis_url(app: Flask) -> str | None:
    url = app.config.get("RATELIMIT_STORAGE_URI") or ""
    return url if url.startswith(REDIS_SCHEMES) else None


def _redis_client(app: Flask, url: str) -> redis.Redis:
    import redis  # loads with the first probe, not at start-up

    clients = app.extensions.setdefault(EXTENSION, {"lock": threading.Lock()})
    with clients["lock"]:
        if url not in clients:
            clients[url] = redis.Redis.from_url(
                url.replace("redis+unix://", "unix://"),
                socket_connect_timeout=TIMEOUT_SECONDS,
                socket_timeout=TIMEOUT_SECONDS,
            )
        return clients[url]


def database_ok() -> bool:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1")).scalar_one()
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        log.warning("health: the database did not answer: %s", error)
        return False
    return True


def redis_ok(app: Flask, url: str) -> bool:
    try:
        return bool(_redis_client(app, url).ping())
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        log.warning("health: Redis did not answer: %s", error)
        return False


def queue_ok(app: Flask) -> bool:
    jobs = queue.of(app)
    if jobs.url.startswith(REDIS_SCHEMES):
        return redis_ok(app, jobs.url)
    return jobs.reachable()


def report(app: Flask) -> dict[str, str]:
    """{"database": "ok" | "failed", "redis": "ok" | "failed" (only when the rate limits use
    Redis), "queue": "ok" | "failed"}."""
    parts = {"database": "ok" if database_ok() else "failed"}
    if url := redis_url(app):
        parts["redis"] = "ok" if redis_ok(app, url) else "failed"
    parts["queue"] = "ok" if queue_ok(app) else "failed"
    return parts
