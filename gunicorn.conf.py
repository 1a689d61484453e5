"""gunicorn's settings for CPD Log (`make serve`; gunicorn also reads this file by itself when
started in this folder). Every value can be set from the environment (README, Deployment).

- BIND: where to listen, default 127.0.0.1:8000 (0.0.0.0:8000 behind a load balancer).
- WEB_CONCURRENCY: worker processes; default 2 × CPUs + 1, at most MAX_DEFAULT_WORKERS.
- GUNICORN_TIMEOUT: seconds a request may take before its worker is killed and replaced.
  The slowest page that runs inside a request is a direct portfolio PDF or ZIP (at most
  PORTFOLIO_BACKGROUND_AT activities, with attached PDF certificates and the one-off bold font,
  a few seconds on 2 cores); larger ones run as background jobs and the page only polls. 60 s
  leaves that page ten times its time while a stuck worker is still replaced within a minute.
- The access log: one JSON object a line on stdout (JsonAccessLogger below); the error log
  (start, stop, worker boots, tracebacks) on stderr.
"""

import json
import os
from datetime import UTC, datetime

from gunicorn import glogging

# 2 × CPUs + 1 stops paying beyond a few cores for an app whose requests wait on one database;
# more workers only add memory (each keeps its own page cache). WEB_CONCURRENCY overrides it.
MAX_DEFAULT_WORKERS = 9


def cpu_count() -> int:
    """CPUs this process may run on (a container's or taskset's limit, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_workers(cpus: int) -> int:
    return max(1, min(2 * cpus + 1, MAX_DEFAULT_WORKERS))


def workers_from(environ) -> int:
    value = environ.get("WEB_CONCURRENCY", "").strip()
    if not value:
        return default_workers(cpu_count())
    workers = int(value)
    if workers < 1:
        raise ValueError(f"WEB_CONCURRENCY is {value}; it must be a whole number of at least 1.")
    return workers


class JsonAccessLogger(glogging.Logger):
    """One JSON object per request. The path is logged without its query string: share links'
    and reset links' tokens are in paths only as the route's own secret, but a query string
    may carry anything a client put there."""

    def access(self, resp, req, environ, request_time):
        if not self.cfg.accesslog:
            return
        record = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "method": environ.get("REQUEST_METHOD", "-"),
            "path": environ.get("PATH_INFO", "-"),
            "status": resp.status_code,
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "remote_addr": environ.get("REMOTE_ADDR", "-"),
        }
        try:
            self.access_log.info(json.dumps(record))
        except Exception:  # noqa: BLE001 - a log line must never fail a request
            self.exception("Failed to write an access log line")


wsgi_app = "cpd_log:create_app()"
bind = [os.environ.get("BIND", "127.0.0.1:8000")]
workers = workers_from(os.environ)
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# A worker told to stop (a deploy, HUP) finishes its requests for this long.
graceful_timeout = 30
# No max_requests: recycling a worker would kill the export jobs running in its threads.
accesslog = "-"
errorlog = "-"
logger_class = JsonAccessLogger
