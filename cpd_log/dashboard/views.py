"""The home page: hours at a glance, and what to do first when there is nothing yet."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from cpd_log.capture.services import pending_captures
from cpd_log.dashboard import services

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def home():
    """Logged-in users land on their dashboard; everyone else on the login page."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    return redirect(url_for("auth.login"))


@bp.get("/dashboard")
@login_required
def index():
    today = services.today_for(current_user)
    return render_template(
        "dashboard/index.html",
        totals=services.completed_minutes(current_user, today),
        by_kind=services.minutes_by_kind(current_user),
        by_area=services.minutes_by_area(current_user),
        recent=services.recent_activities(current_user),
        today=today,
        capture_prompts=pending_captures(current_user),
    )
