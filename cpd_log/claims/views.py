"""Claim list pages: each counted activity of a cycle in the body's words, ready to copy into the
body's form, and where its claim stands."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from cpd_log.access import get_owned_or_404
from cpd_log.claims import preaudit_loading, services
from cpd_log.claims.forms import claim_form
from cpd_log.common.dates import today_for
from cpd_log.extensions import db
from cpd_log.models import Activity
from cpd_log.pagination import Page
from cpd_log.schemes import services as scheme_services

bp = Blueprint("claims", __name__, url_prefix="/claims")


@bp.before_request
@login_required
def _require_login():
    """Every claim page is for a logged-in owner."""


def _claim_list(cycle_id: int):
    """(cycle, claim list) of the user's cycle; 404 when the cycle is not theirs."""
    today = today_for(current_user)
    cycle, changed = scheme_services.owned_cycle(current_user, cycle_id, today)
    if changed:
        db.session.commit()  # store the newer scheme version before the page reads the cycle
    return cycle, services.claim_list(current_user, cycle, today), today


@bp.get("/cycles/<int:cycle_id>")
def cycle(cycle_id: int):
    """The claim list: a card per counted activity, the body's fields in the body's order, a page
    of cards at a time (the totals and the pre-audit check are the whole cycle's)."""
    found, claims, _today = _claim_list(cycle_id)
    findings = preaudit_loading.findings(current_user, found, claims.view)
    per_page = current_app.config["ITEMS_PER_PAGE"]
    pages = max(1, -(-len(claims.cards) // per_page))
    number = min(max(request.args.get("page", 1, type=int), 1), pages)
    start = (number - 1) * per_page
    cards = Page(claims.cards[start : start + per_page], number, per_page, len(claims.cards))
    return render_template("claims/cycle.html", claims=claims, cards=cards, findings=findings)


@bp.route("/cycles/<int:cycle_id>/activities/<int:activity_id>", methods=["GET", "POST"])
def status(cycle_id: int, activity_id: int):
    """Record where one activity's claim stands (404 when the cycle or the activity is not the
    user's, or the activity does not count in the cycle)."""
    found, claims, today = _claim_list(cycle_id)
    card = next((c for c in claims.cards if c.activity.id == activity_id), None)
    if card is None:
        get_owned_or_404(Activity, activity_id, current_user)
        abort(404)
    form = claim_form(claims.vocabulary, card, today)
    if form.validate_on_submit():
        services.save_status(current_user, found, activity_id, form.status())
        db.session.commit()
        flash(f"Saved the claim status of “{card.activity.title}”.", "success")
        # Back to the card, on the page of the list that shows it.
        number = claims.cards.index(card) // current_app.config["ITEMS_PER_PAGE"] + 1
        page = {"page": number} if number > 1 else {}
        anchor = f"claim-{activity_id}"
        return redirect(url_for("claims.cycle", cycle_id=found.id, _anchor=anchor, **page))
    return render_template("claims/status.html", claims=claims, card=card, form=form)
