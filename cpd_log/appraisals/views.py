"""Appraisal pages: the member's (submit a portfolio, follow its history, withdraw, resubmit) and
the appraiser's (read the submission, comment, sign off or return).

The member reaches their own appraisals through `get_owned_or_404`; the appraiser reaches one
through `services.for_appraiser`, which checks the team roles afresh: anyone else gets 404.
"""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from cpd_log.access import get_owned_or_404
from cpd_log.appraisals import mail, services
from cpd_log.appraisals.forms import CommentForm, DecisionForm, SubmitForm
from cpd_log.appraisals.services import AppraisalError, ReasonRequired
from cpd_log.extensions import db
from cpd_log.forms import EmptyForm
from cpd_log.models import Portfolio
from cpd_log.models.appraisal import Appraisal

bp = Blueprint("appraisals", __name__, url_prefix="/appraisals")
bp.add_app_template_global(services.comment_groups, "comment_groups")


@bp.before_request
@login_required
def _require_login():
    """Every appraisal page is for a signed-in member or appraiser."""


@bp.get("/")
def index():
    return render_template(
        "appraisals/index.html",
        mine=services.submitted_by(current_user),
        to_review=services.to_review(current_user),
    )


@bp.route("/submit/<int:portfolio_id>", methods=["GET", "POST"])
def submit(portfolio_id: int):
    portfolio = get_owned_or_404(Portfolio, portfolio_id, current_user)
    form = SubmitForm()
    form.appraiser.choices = services.appraiser_choices(current_user)
    if form.validate_on_submit():
        try:
            appraisal = services.submit(current_user, portfolio, *form.pair())
        except AppraisalError as error:
            form.appraiser.errors.append(str(error))
        else:
            db.session.commit()
            mail.send_submitted(appraisal)
            flash(f"Submitted to {appraisal.appraiser_name} ({appraisal.team_name}).", "success")
            return redirect(url_for("appraisals.detail", appraisal_id=appraisal.id))
    pending = services.open_appraisal_of(portfolio.id)
    return render_template(
        "appraisals/submit.html", form=form, portfolio=portfolio, pending=pending
    )


@bp.get("/<int:appraisal_id>")
def detail(appraisal_id: int):
    """The member's view: what was submitted, the history and the appraiser's comments."""
    appraisal = get_owned_or_404(Appraisal, appraisal_id, current_user)
    return render_template(
        "appraisals/detail.html", appraisal=appraisal, form=EmptyForm(), as_appraiser=False
    )


def _member_step(appraisal_id: int, step, done: str, after=None):
    """Load the member's own appraisal, take `step`, commit; a refused step flashes why."""
    appraisal = get_owned_or_404(Appraisal, appraisal_id, current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        step(appraisal)
    except AppraisalError as error:
        db.session.rollback()
        flash(str(error), "warning")
    else:
        db.session.commit()
        if after:
            after(appraisal)
        flash(done, "success")
    return redirect(url_for("appraisals.detail", appraisal_id=appraisal_id))


@bp.post("/<int:appraisal_id>/withdraw")
def withdraw(appraisal_id: int):
    return _member_step(
        appraisal_id,
        lambda appraisal: services.withdraw(current_user, appraisal),
        "Withdrawn: the appraiser no longer sees its content.",
    )


@bp.post("/<int:appraisal_id>/resubmit")
def resubmit(appraisal_id: int):
    def step(appraisal):
        portfolio = db.session.get(Portfolio, appraisal.portfolio_id or 0)
        services.resubmit(current_user, appraisal, portfolio)

    return _member_step(appraisal_id, step, "Resubmitted.", after=mail.send_submitted)


def _reviewed(review_id: int) -> Appraisal:
    appraisal = services.for_appraiser(current_user, review_id)
    if appraisal is None:
        abort(404)
    return appraisal


def review_page(appraisal: Appraisal, comment_form=None, decision=None, status=200):
    """The appraiser's page; a form that failed validation comes back with its errors."""
    comment_form = comment_form or CommentForm(formdata=None)
    decision = decision or DecisionForm(formdata=None)
    page = render_template(
        "appraisals/review.html",
        appraisal=appraisal,
        comment_form_obj=comment_form,
        decision=decision,
        as_appraiser=True,
    )
    return page, status


@bp.get("/review/<int:review_id>")
def review(review_id: int):
    return review_page(_reviewed(review_id))


@bp.post("/review/<int:review_id>/comment")
def comment(review_id: int):
    appraisal = _reviewed(review_id)
    form = CommentForm()
    if not form.validate_on_submit():
        return review_page(appraisal, comment_form=form, status=422)
    if form.names_activity() and form.activity() is None:
        abort(404)
    try:
        services.add_comment(
            current_user, appraisal, form.round.data, form.activity(), form.body.data
        )
    except AppraisalError as error:
        db.session.rollback()
        flash(str(error), "warning")
    else:
        db.session.commit()
        flash("Comment added.", "success")
    return redirect(url_for("appraisals.review", review_id=review_id))


@bp.post("/review/<int:review_id>/decide")
def decide(review_id: int):
    appraisal = _reviewed(review_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return review_page(appraisal, decision=form, status=422)
    try:
        services.decide(
            current_user, appraisal, form.round.data, bool(form.sign_off.data), form.reason.data
        )
    except ReasonRequired as error:
        db.session.rollback()
        form.reason.errors.append(str(error))
        return review_page(appraisal, decision=form, status=422)
    except AppraisalError as error:
        db.session.rollback()
        flash(str(error), "warning")
    else:
        db.session.commit()
        mail.send_decided(appraisal)
        flash(f"{appraisal.state.label}: the member is told by mail.", "success")
    return redirect(url_for("appraisals.review", review_id=review_id))
