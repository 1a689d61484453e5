"""The competencies blueprint, apart so the two view modules need not import each other."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("competencies", __name__, url_prefix="/competencies")


@bp.before_request
@login_required
def _require_login():
    """Every competency page is for a logged-in user."""
