"""Register, log in and out, change password, delete the account."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from cpd_log.auth import services
from cpd_log.auth.forms import (
    ChangePasswordForm,
    DeleteAccountForm,
    LoginForm,
    RegisterForm,
)
from cpd_log.extensions import db, limiter
from cpd_log.forms import EmptyForm

bp = Blueprint("auth", __name__, url_prefix="/account")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/register", methods=["GET", "POST"])
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
            form.email.errors.append("An account with this email already exists. Log in instead.")
        else:
            db.session.commit()
            login_user(user)
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
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append("The email or password is not right.")
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(
                services.safe_next(request.args.get("next")) or url_for("dashboard.index")
            )
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    if EmptyForm().validate_on_submit():
        logout_user()
        flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password; other sessions of this user are logged out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append("That is not your current password.")
        else:
            services.change_password(current_user, form.password.data)
            db.session.commit()
            login_user(current_user._get_current_object())  # re-issue with the new version
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
