"""The queue every background job goes through, and the heartbeat that tells a live job from one
whose worker died.

QUEUE_URL chooses the storage: a `redis://` (or `rediss://`, `unix://`) URL for several hosts,
a `sqlite:///path` file for one host (the default: a file beside the SQLite database, or in the
instance folder), or `immediate` (tests): each job runs at once in the process that starts it.

A job is a function `run(app, job_id)` registered by name (`init_app(app, jobs)`); the queue
carries only the name and the row id, so the job's state, progress and file stay where every host
sees them (the database and UPLOAD_DIR). While a job runs, its worker writes a heartbeat into the
queue's own storage every QUEUE_STALE_SECONDS / 4 seconds — never into the database, whose write
lock a SQLite import holds for its whole transaction. A job that says it is running but whose
heartbeat is older than QUEUE_STALE_SECONDS lost its worker (killed, out of memory, host gone):
`worker_lost` says so and the job's page marks it failed. Nothing is retried: a half-rendered
file or a half-checked archive is thrown away and the user starts again.

The huey instance is made on the queue's first use, not when the app starts: huey imports the
Redis client, which a process that never enqueues, beats or consumes need not load.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, current_app

if TYPE_CHECKING:
    from huey import Huey

EXTENSION = "cpd_log.background"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
IMMEDIATE = "immediate"
# Redis: BRPOP waits 1 s for a job, so reads may take a little longer than that.
REDIS_CONNECT_TIMEOUT, REDIS_READ_TIMEOUT = 5, 10
log = logging.getLogger("cpd_log.background")

Job = Callable[[Flask, int], None]


def queue_url(config) -> str:
    """QUEUE_URL, or the SQLite file beside a SQLite database (else in the instance folder)."""
    if url := config.get("QUEUE_URL"):
        return url
    database = config["SQLALCHEMY_DATABASE_URI"]
    if database.startswith("sqlite:///") and len(database) > len("sqlite:///"):
        path = Path(database.removeprefix("sqlite:///").split("?")[0])
        return f"sqlite:///{path.with_name(path.stem + '-queue.sqlite')}"
    return f"sqlite:///{Path(config['INSTANCE_PATH']) / 'queue.sqlite'}"


def check_url(url: str) -> None:
    """RuntimeError, at start-up, for a QUEUE_URL make_huey would not know."""
    if url != IMMEDIATE and not url.startswith((*REDIS_SCHEMES, "sqlite:///")):
        raise RuntimeError(f"QUEUE_URL {url!r}: use redis://…, sqlite:///path or {IMMEDIATE}.")


def make_huey(url: str) -> Huey:
    """huey's Redis, SQLite or in-memory (immediate) storage for this URL."""
    import redis
    from huey import MemoryHuey, RedisHuey, SqliteHuey

    if url == IMMEDIATE:
        return MemoryHuey("cpd_log", immediate=True, results=False)
    if url.startswith(REDIS_SCHEMES):
        pool = redis.ConnectionPool.from_url(
            url, socket_connect_timeout=REDIS_CONNECT_TIMEOUT, socket_timeout=REDIS_READ_TIMEOUT
        )
        return RedisHuey("cpd_log", connection_pool=pool, results=False)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey("cpd_log", filename=str(path), results=False)
    raise RuntimeError(f"QUEUE_URL {url!r}: use redis://…, sqlite:///path or {IMMEDIATE}.")


class Queue:
    """One app's huey instance and its registered jobs."""

    def __init__(self, app: Flask, jobs: dict[str, Job]):
        self.app, self.jobs = app, jobs
        self.url = queue_url({**app.config, "INSTANCE_PATH": app.instance_path})
        check_url(self.url)
        self.stale = float(app.config["QUEUE_STALE_SECONDS"])
        self._made: tuple[Huey, dict] | None = None
        self._making = threading.Lock()

    @property
    def huey(self) -> Huey:
        return self._make()[0]

    @property
    def tasks(self) -> dict:
        """The registered jobs by name, each enqueued by calling it with a row id."""
        return self._make()[1]

    def _make(self) -> tuple[Huey, dict]:
        """The huey instance with every job registered, made once (by the first thread)."""
        with self._making:
            if self._made is None:
                huey = make_huey(self.url)
                tasks = {name: self._register(huey, name, job) for name, job in self.jobs.items()}
                self._made = (huey, tasks)
        return self._made

    def _register(self, huey: Huey, name: str, job: Job):
        def run(job_id: int) -> None:
            with self.beating(name, job_id):
                job(self.app, job_id)

        run.__name__ = name
        return huey.task(name=name)(run)

    def beating(self, name: str, job_id: int):
        return _Heartbeat(self.huey, beat_key(name, job_id), max(self.stale / 4, 0.2))

    def last_beat(self, name: str, job_id: int) -> float | None:
        return self.huey.get(beat_key(name, job_id), peek=True)

    def reachable(self) -> bool:
        try:
            self.huey.pending_count()
        except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
            log.warning("health: the queue did not answer: %s", error)
            return False
        return True


def beat_key(name: str, job_id: int) -> str:
    return f"beat:{name}:{job_id}"


class _Heartbeat:
    """Writes the time into the queue's storage now and every `every` seconds until the job
    returns, then removes it. A failed write is logged and retried at the next beat."""

    def __init__(self, huey: Huey, key: str, every: float):
        self.huey, self.key, self.every = huey, key, every
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"heartbeat-{key}", daemon=True)

    def __enter__(self):
        self.huey.put(self.key, time.time())
        self.thread.start()

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()
        self.huey.delete(self.key)

    def _beat(self) -> None:
        while not self.stop.wait(self.every):
            try:
                self.huey.put(self.key, time.time())
            except Exception as error:  # noqa: BLE001 - the next beat tries again
                log.warning("heartbeat %s not written: %s", self.key, error)


def init_app(app: Flask, jobs: dict[str, Job]) -> None:
    queue = Queue(app, jobs)
    app.extensions[EXTENSION] = queue
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    shared = not database.startswith("sqlite")
    if queue.url.startswith("sqlite") and shared and not (app.debug or app.testing):
        app.logger.warning(
            "QUEUE_URL is a SQLite file: only a worker on this host runs background jobs. "
            "Use redis://… when several hosts serve the app."
        )


def of(app: Flask | None = None) -> Queue:
    return (app or current_app).extensions[EXTENSION]


def enqueue(name: str, job_id: int) -> None:
    """Put the job on the queue (in `immediate` mode: run it now, in this thread)."""
    of().tasks[name](job_id)


def worker_lost(name: str, job_id: int, started: datetime) -> bool:
    """Whether a job that says it is running has had no heartbeat for QUEUE_STALE_SECONDS (or
    none at all since `started`, its row's last write)."""
    queue = of()
    last = queue.last_beat(name, job_id)
    if last is None:
        last = (started if started.tzinfo else started.replace(tzinfo=UTC)).timestamp()
    return time.time() - last > queue.stale
