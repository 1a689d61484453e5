"""Forgot password: ask for a link by email, then choose a new password through it."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, logout_user

from cpd_log.auth import account_mail, recovery, tokens
from cpd_log.auth.forms import ForgotPasswordForm, ResetPasswordForm
from cpd_log.extensions import db, limiter
from cpd_log.models.account_token import TokenPurpose
from cpd_log.models.user import User

bp = Blueprint("recovery", __name__, url_prefix="/account")


def _reset_limit() -> str:
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def forgot():
    """Ask for a reset link. The answer is the same page whether or not the address has an
    account (and comes as fast: the mail is sent in the background)."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        allowed = recovery.count_reset_request(form.email.data)
        db.session.commit()
        account_mail.mail_reset_link(form.email.data, allowed)
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def reset(token: str):
    """Choose a new password through a mailed link (single use, 1 hour). Every session of the
    account ends, this browser's too; the account is told by email."""
    row = tokens.find(token, TokenPurpose.RESET_PASSWORD)
    account = db.session.get(User, row.user_id) if row else None
    if account is None or account.email != row.email:
        return render_template("auth/reset_invalid.html"), 410
    form = ResetPasswordForm(account)
    if form.validate_on_submit():
        user = recovery.reset_password(token, form.password.data)
        if user is None:  # used a moment ago in another tab
            db.session.rollback()
            return render_template("auth/reset_invalid.html"), 410
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        account_mail.send_password_changed(user)
        flash(
            "Your password is changed and you are logged out everywhere. Log in with it.", "success"
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)
