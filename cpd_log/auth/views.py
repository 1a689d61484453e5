"""Register, log in and out, change password, delete the account."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user

from cpd_log.auth import account_mail, recovery, services, sessions, two_factor
from cpd_log.auth.forms import (
    ChangePasswordForm,
    DeleteAccountForm,
    LoginForm,
    RegisterForm,
)
from cpd_log.auth.login_state import await_second_factor, log_in
from cpd_log.extensions import db, limiter
from cpd_log.forms import EmptyForm
from cpd_log.security_log import record_event

bp = Blueprint("auth", __name__, url_prefix="/account")

# Registration cannot say "this email has an account" to whoever typed it, so the refusal
# suggests logging in (or "Forgot password?").
NOT_CREATED = (
    "We could not create an account with these details. If you already have an account, log in."
)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _register_limit() -> str:
    return current_app.config["REGISTER_RATE_LIMIT"]


@bp.before_app_request
def _keep_login_session_alive():
    """Load the user once per request (not for static files) and note the session's use."""
    if request.endpoint != "static" and current_user.is_authenticated and sessions.keep_alive():
        db.session.commit()


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def register():
    """Create an account and log it in."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register_user(
                form.email.data, form.display_name.data, form.password.data
            )
        except services.EmailTaken:
            form.email.errors.append(NOT_CREATED)
        else:
            record_event("account.registered", user_id=user.id)
            token = recovery.start_verification(user)
            log_in(user, remember=False)
            account_mail.send_confirmation_link(user, token)
            flash("Welcome to CPD Log. Start by logging something you learned.", "success")
            return redirect(url_for("dashboard.index"))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Log in; `next` is followed only when it is a path on this site."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        attempt = services.attempt_login(form.email.data, form.password.data)
        db.session.commit()
        if attempt.locked_seconds:
            minutes = -(-attempt.locked_seconds // 60)
            form.password.errors.append(
                "Too many failed attempts for this account. "
                f"Try again in {minutes} minute{'s' if minutes > 1 else ''}."
            )
        elif attempt.user is None:
            form.password.errors.append("The email or password is not right.")
        else:
            next_url = services.safe_next(request.args.get("next"))
            if two_factor.enabled_for(attempt.user):
                await_second_factor(attempt.user, form.remember.data, next_url)
                return redirect(url_for("two_factor.login_code"))
            log_in(attempt.user, remember=form.remember.data)
            return redirect(next_url or url_for("dashboard.index"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """Log out here; the session's row goes, so its cookies open nothing, even if kept."""
    if EmptyForm().validate_on_submit():
        record_event("logout", user_id=current_user.id)
        sessions.end_session(current_user.get_id())
        db.session.commit()
        logout_user()
        flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password; every other session of this user is logged out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append("That is not your current password.")
        else:
            user = current_user._get_current_object()
            remember = sessions.current().remember
            services.change_password(user, form.password.data)
            log_in(user, remember=remember)  # this browser carries on, under a new token
            flash("Your password is changed.", "success")
            return redirect(url_for("dashboard.index"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    """Delete the account and everything in it, after asking for the password."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.password.data):
            form.password.errors.append("That is not your password. Nothing was deleted.")
        else:
            user = current_user._get_current_object()
            logout_user()
            services.delete_account(user)
            db.session.commit()
            flash("Your account and all its data are deleted.", "info")
            return redirect(url_for("auth.login"))
    return render_template("auth/delete_account.html", form=form)
