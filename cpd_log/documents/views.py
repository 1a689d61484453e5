"""The owner's PDF and ZIP downloads of a portfolio (a large one goes through job_views.py).

The reviewer's downloads are in sharing/views.py; both send documents/responses.py.
"""

from flask import Blueprint
from flask_login import current_user, login_required

from cpd_log.access import get_owned_or_404
from cpd_log.documents.responses import pdf_response, zip_response
from cpd_log.models import Portfolio

bp = Blueprint("documents", __name__, url_prefix="/portfolios")


@bp.before_request
@login_required
def _require_login():
    """The owner's own portfolios; reviewers download through their share link."""


@bp.get("/<int:portfolio_id>/portfolio.pdf")
def download_pdf(portfolio_id: int):
    portfolio = get_owned_or_404(Portfolio, portfolio_id, current_user)
    return pdf_response(portfolio)


@bp.get("/<int:portfolio_id>/portfolio.zip")
def download_zip(portfolio_id: int):
    portfolio = get_owned_or_404(Portfolio, portfolio_id, current_user)
    return zip_response(portfolio)
