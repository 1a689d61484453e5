"""Account-wide exports: every activity as CSV (and the whole account as JSON, see transfer.py)."""

from flask import Blueprint, Response, render_template
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from cpd_log.access import owned
from cpd_log.extensions import db
from cpd_log.models import Activity, Competency
from cpd_log.portfolio import exports

bp = Blueprint("exports", __name__, url_prefix="/export")


@bp.before_request
@login_required
def _require_login():
    """Exports are the owner's own data."""


@bp.get("/")
def index():
    return render_template("portfolio/exports.html")


@bp.get("/activities.csv")
def activities_csv():
    activities = db.session.scalars(
        owned(Activity, current_user)
        .options(selectinload(Activity.competencies).selectinload(Competency.parent))
        .order_by(Activity.start_date, Activity.id)
    )
    return Response(
        exports.activities_csv(activities),
        mimetype="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": "attachment; filename=activities.csv",
            "Cache-Control": "private, no-store",
        },
    )
