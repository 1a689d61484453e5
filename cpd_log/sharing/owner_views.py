"""The owner's side of sharing: create a share link for a portfolio, revoke one.

The links are listed on the portfolio's preview (templates/sharing/_share_links.html); the
reviewer's pages behind a link are in views.py.
"""

from flask import Blueprint, abort, current_app, flash, redirect, url_for
from flask_login import current_user, login_required

from cpd_log.access import get_owned_or_404
from cpd_log.extensions import db
from cpd_log.forms import EmptyForm
from cpd_log.models import Portfolio, ShareLink
from cpd_log.portfolio import services
from cpd_log.portfolio.views import detail_page
from cpd_log.security_log import record_event
from cpd_log.sharing import services as sharing

bp = Blueprint("share_links", __name__, url_prefix="/portfolios")


@bp.before_request
@login_required
def _require_login():
    """Only the portfolio's owner makes or revokes its links."""


@bp.app_context_processor
def _share_state():
    return {"share_state": sharing.state}


@bp.post("/<int:portfolio_id>/share")
def share(portfolio_id: int):
    """A new share link, shown once on this response's own page: never in a redirect's flash
    message, which would carry the token in the (signed, not encrypted) session cookie. Only a
    hash of the token is kept."""
    portfolio = get_owned_or_404(Portfolio, portfolio_id, current_user)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    link, token = sharing.create_link(portfolio, current_app.config["SHARE_LINK_DAYS"])
    db.session.commit()
    record_event(
        "share_link.created",
        user_id=current_user.id,
        portfolio_id=portfolio.id,
        share_link_id=link.id,
    )
    address = url_for("sharing.view", token=token, _external=True)
    page = detail_page(services.gather(portfolio), form=form, new_link=address)
    return page, 200, {"Cache-Control": "private, no-store"}


@bp.post("/<int:portfolio_id>/links/<int:link_id>/revoke")
def revoke(portfolio_id: int, link_id: int):
    portfolio = get_owned_or_404(Portfolio, portfolio_id, current_user)
    link = get_owned_or_404(ShareLink, link_id, current_user)
    if link.portfolio_id != portfolio.id or not EmptyForm().validate_on_submit():
        abort(404)
    sharing.revoke(link)
    db.session.commit()
    record_event(
        "share_link.revoked",
        user_id=current_user.id,
        portfolio_id=portfolio.id,
        share_link_id=link.id,
    )
    flash("Share link revoked: it no longer opens the portfolio.", "info")
    return redirect(url_for("portfolio.detail", portfolio_id=portfolio.id))
