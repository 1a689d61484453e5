"""GET /healthz: 200 when every part answers, 503 naming the part that did not. Public, never
rate-limited, never cached, and it leaves the session alone (no cookie is set)."""

from flask import Blueprint, current_app, jsonify

from cpd_log.extensions import limiter
from cpd_log.health import checks

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@limiter.exempt
def healthz():
    parts = checks.report(current_app)
    healthy = all(state == "ok" for state in parts.values())
    response = jsonify({"status": "ok" if healthy else "failed", **parts})
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
