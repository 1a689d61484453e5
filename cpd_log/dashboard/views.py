"""The home page: hours at a glance, and what to do first when there is nothing yet."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from cpd_log.capture.services import pending_captures
from cpd_log.common.dates import today_for
from cpd_log.dashboard import services
from cpd_log.extensions import db
from cpd_log.next_best.services import suggestions
from cpd_log.page_cache import page_cache
from cpd_log.reflections.apply_queue import apply_queue
from cpd_log.schemes.progress import dashboard_cycles
from cpd_log.trends.services import dashboard_trends

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
    """Totals, and hours by kind and area over a period (?period=12m|year|all, default 12m).

    The body is kept by the page cache until the user's data changes or the day turns.
    """
    today = today_for(current_user)
    period = request.args.get("period", "12m")
    period = period if period in services.PERIODS else "12m"
    body = page_cache().body(
        current_user, today, ("dashboard", period), lambda **kw: _body(today, period, **kw)
    )
    return render_template("dashboard/index.html", body=body)


def _body(today, period: str, **template_context) -> str:
    since = services.period_start(period, today)
    with_trends = current_app.config["DASHBOARD_TRENDS"]
    cycles = dashboard_cycles(current_user, today, by_month=with_trends)
    db.session.commit()  # cycles that began since the last visit are stored
    apply_prompts, apply_total = apply_queue(current_user, today)
    completed = services.completed_rows(current_user, today)  # every period's, one is shown
    return render_template(
        "dashboard/_body.html",
        totals=services.completed_minutes(current_user, today, completed),
        by_kind=services.kinds_of(completed[period]),
        by_area=services.minutes_by_area(current_user, since, today),
        recent=services.recent_activities(current_user),
        today=today,
        period=period,
        periods=services.PERIODS,
        cycles=cycles,
        next_best=suggestions(current_user, cycles),
        apply_prompts=apply_prompts,
        apply_total=apply_total,
        capture_prompts=pending_captures(current_user),
        trends=dashboard_trends(current_user, today, cycles) if with_trends else None,
        **template_context,
    )
