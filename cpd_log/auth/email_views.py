"""Confirming the account's email address, sending the link again, and changing the address."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from cpd_log.auth import account_mail, recovery
from cpd_log.auth.forms import ChangeEmailForm
from cpd_log.auth.services import EmailTaken
from cpd_log.extensions import db, limiter
from cpd_log.forms import EmptyForm

bp = Blueprint("email", __name__, url_prefix="/account")

# The same refusal as registration's: an address with an account is never named as such.
NOT_USABLE = "This email address cannot be used for your account. Choose another one."


def _resend_limit() -> str:
    return current_app.config["VERIFY_RESEND_RATE_LIMIT"]


def mail_confirmation(user) -> None:
    """A new confirmation link for the user's address (the caller has committed)."""
    token = recovery.start_verification(user)
    db.session.commit()
    account_mail.send_confirmation_link(user, token)


@bp.get("/verify/<token>")
def verify(token: str):
    """Open a confirmation link (logged in or not, in any browser): the address is confirmed."""
    user = recovery.confirm_email(token)
    if user is None:
        db.session.rollback()
        return render_template("auth/verify_invalid.html"), 410
    db.session.commit()
    return render_template("auth/verified.html", email=user.email)


@bp.post("/verify/resend")
@login_required
@limiter.limit(_resend_limit)
def resend():
    """Mail the confirmation link again (the banner's "Resend")."""
    if EmptyForm().validate_on_submit() and current_user.verified_at is None:
        mail_confirmation(current_user._get_current_object())
        flash(f"We sent a new confirmation link to {current_user.email}.", "info")
    return redirect(url_for("dashboard.index"))


@bp.route("/email", methods=["GET", "POST"])
@login_required
def change():
    """Change the address (password asked): the new one gets a confirmation link, the old one
    is told."""
    form = ChangeEmailForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not user.check_password(form.password.data):
            form.password.errors.append("That is not your password.")
            return render_template("auth/change_email.html", form=form)
        try:
            old_email = recovery.change_email(user, form.email.data)
        except EmailTaken:
            form.email.errors.append(NOT_USABLE)
            return render_template("auth/change_email.html", form=form)
        mail_confirmation(user)
        account_mail.send_email_changed(user, old_email)
        flash(f"Your email is now {user.email}. We sent a link there to confirm it.", "success")
        return redirect(url_for("dashboard.index"))
    return render_template("auth/change_email.html", form=form)
