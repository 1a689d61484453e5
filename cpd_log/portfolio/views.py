"""Portfolio pages for the owner: list, build, preview, edit, delete.

The PDF and ZIP downloads are in documents/views.py; share links in sharing/owner_views.py.
"""

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from cpd_log.access import get_owned_or_404, owned
from cpd_log.activities.forms import competency_choices
from cpd_log.competencies.services import competency_options
from cpd_log.documents import jobs
from cpd_log.extensions import db
from cpd_log.forms import EmptyForm
from cpd_log.models import Portfolio
from cpd_log.models.scheme import Cycle
from cpd_log.portfolio import cycle_report, reflection_selection, services
from cpd_log.portfolio.forms import PortfolioEditForm, PortfolioForm

bp = Blueprint("portfolio", __name__, url_prefix="/portfolios")
bp.add_app_template_global(cycle_report.in_units, "portfolio_units")
bp.add_app_template_global(reflection_selection.model_name, "reflection_model_name")


@bp.before_request
@login_required
def _require_login():
    """Portfolios are built by their owner; reviewers use share links (sharing/views.py)."""


def _with_competencies(form):
    form.competencies.choices = competency_choices(competency_options(current_user))
    form.cycle.choices = [(0, "No cycle: use the dates below")] + [
        (c.id, cycle_report.cycle_label(c)) for c in cycle_report.user_cycles(current_user)
    ]
    return form


def _data(form) -> dict:
    """The form's data with the chosen cycle row: only the user's own (404 for anyone else's)."""
    data = form.portfolio_data()
    cycle_id = data.pop("cycle_id")
    data["cycle"] = get_owned_or_404(Cycle, cycle_id, current_user) if cycle_id else None
    return data


@bp.get("/")
def index():
    portfolios = db.session.scalars(owned(Portfolio, current_user).order_by(Portfolio.id.desc()))
    return render_template("portfolio/index.html", portfolios=list(portfolios))


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = _with_competencies(PortfolioForm())
    if form.validate_on_submit():
        portfolio = services.create_portfolio(current_user, _data(form))
        db.session.commit()
        flash(f"Saved “{portfolio.title}”.", "success")
        return redirect(url_for("portfolio.detail", portfolio_id=portfolio.id))
    return render_template(
        "portfolio/form.html", form=form, portfolio=None, matching=[], reflections=[]
    )


@bp.get("/<int:portfolio_id>")
def detail(portfolio_id: int):
    """The HTML preview: exactly what the PDF and the reviewer will see."""
    portfolio = get_owned_or_404(Portfolio, portfolio_id, current_user)
    return detail_page(services.gather(portfolio), form=EmptyForm())


def detail_page(content, **page) -> str:
    """The preview page; `page` adds to it (the share-link form, a link just created)."""
    return render_template(
        "portfolio/detail.html", content=content, background=jobs.in_background(content), **page
    )


@bp.route("/<int:portfolio_id>/edit", methods=["GET", "POST"])
def edit(portfolio_id: int):
    portfolio = get_owned_or_404(Portfolio, portfolio_id, current_user)
    form = _with_competencies(PortfolioEditForm(obj=portfolio))
    matching, reflections = _offered(form, portfolio)
    if form.validate_on_submit():
        services.update_portfolio(
            current_user, portfolio, _data(form), form.activities.data, form.reflections.data
        )
        db.session.commit()
        flash("Portfolio saved.", "success")
        return redirect(url_for("portfolio.detail", portfolio_id=portfolio.id))
    return render_template(
        "portfolio/form.html",
        form=form,
        portfolio=portfolio,
        matching=matching,
        reflections=reflections,
    )


def _offered(form, portfolio: Portfolio) -> tuple[list, list]:
    """The activities and reflections matching the saved criteria, ticked unless taken out."""
    criteria = services.criteria_of(portfolio)
    matching = services.matching_activities(current_user, criteria)
    reflections = reflection_selection.matching_reflections(current_user, criteria)
    form.activities.choices = [(a.id, a.title) for a in matching]
    form.reflections.choices = [(r.id, r.title) for r in reflections]
    if request.method == "GET":
        form.competencies.data = list(portfolio.competency_ids or [])
        form.cycle.data = portfolio.cycle_id or 0
        excluded = set(portfolio.excluded_activity_ids or [])
        form.activities.data = [a.id for a in matching if a.id not in excluded]
        excluded = set(portfolio.excluded_reflection_ids or [])
        form.reflections.data = [r.id for r in reflections if r.id not in excluded]
    return matching, reflections


@bp.route("/<int:portfolio_id>/delete", methods=["GET", "POST"])
def delete(portfolio_id: int):
    portfolio = get_owned_or_404(Portfolio, portfolio_id, current_user)
    form = EmptyForm()
    if form.validate_on_submit():
        services.delete_portfolio(portfolio)
        db.session.commit()
        flash(f"Deleted “{portfolio.title}”.", "info")
        return redirect(url_for("portfolio.index"))
    return render_template(
        "_confirm_delete.html",
        form=form,
        title="Delete portfolio",
        name=portfolio.title,
        consequences="The portfolio, its share links and the reviews left on it are removed. "
        "Your activities and evidence stay.",
        cancel_url=url_for("portfolio.detail", portfolio_id=portfolio.id),
    )
