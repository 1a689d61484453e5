"""The crosswalks blueprint, apart so the two view modules need not import each other."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("crosswalks", __name__, url_prefix="/crosswalks")


@bp.before_request
@login_required
def _require_login():
    """Every crosswalk page is for a logged-in user."""
