"""The coverage heat-map: hours per area and competency of one framework, by quarter or by the
framework each hour was tagged in."""

from flask import render_template, request
from flask_login import current_user

from cpd_log.common.dates import today_for
from cpd_log.competencies import coverage_loading, heatmap
from cpd_log.competencies.blueprint import bp
from cpd_log.competencies.services import get_visible_framework_or_404
from cpd_log.templating import hours


@bp.get("/frameworks/<int:framework_id>/coverage")
def coverage_view(framework_id: int):
    """?view=quarters (the default) or frameworks. Another user's framework answers 404."""
    fw = get_visible_framework_or_404(framework_id, current_user)
    view = request.args.get("view", "quarters")
    view = view if view in coverage_loading.VIEWS else "quarters"
    page = coverage_loading.coverage_page(current_user, fw, today_for(current_user), view)
    return render_template(
        "competencies/coverage.html",
        framework=fw,
        page=page,
        view=view,
        chart=heatmap.chart(page.coverage, hours, split=view == "quarters"),
    )
