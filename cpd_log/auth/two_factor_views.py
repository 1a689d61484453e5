"""Two-factor sign-in: the code step of a login, and setting it up, renewing recovery codes and
turning it off from the account menu. Pages that show recovery codes are not cached."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from cpd_log.auth import account_mail, login_state, two_factor
from cpd_log.auth.forms import DisableTwoFactorForm, TwoFactorCodeForm
from cpd_log.extensions import db, limiter
from cpd_log.security_log import record_event

bp = Blueprint("two_factor", __name__, url_prefix="/account")

WRONG_CODE = "That code is not right, or was used already. Try the next one."


def _code_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _refusal(check: two_factor.CodeCheck) -> str:
    if check.locked_seconds:
        minutes = -(-check.locked_seconds // 60)
        return f"Too many wrong codes. Try again in {minutes} minute{'s' * (minutes > 1)}."
    return WRONG_CODE


def _codes_page(codes: list[str]):
    """Recovery codes, shown this once: never stored by the browser or a proxy."""
    response = current_app.make_response(render_template("auth/recovery_codes.html", codes=codes))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_code_limit, methods=["POST"])
def login_code():
    """The second step of a login: nothing is logged in until the code is right."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    waiting = login_state.pending()
    if waiting is None or not two_factor.enabled_for(waiting[0]):  # turned off meanwhile
        login_state.forget_pending()
        flash("Log in with your password first (a login waits a few minutes for its code).", "info")
        return redirect(url_for("auth.login"))
    user, remember, next_url = waiting
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        check = two_factor.check_code(user, form.code.data)
        db.session.commit()
        if check.ok:
            record_event("two_factor.succeeded", user_id=user.id)
            login_state.log_in(user, remember)
            if check.recovery_code:
                left = two_factor.recovery_codes_left(user)
                flash(f"You used a recovery code; {left} left. Make new ones here.", "warning")
                return redirect(url_for("two_factor.index"))
            return redirect(next_url or url_for("dashboard.index"))
        form.code.errors.append(_refusal(check))
    return render_template("auth/login_code.html", form=form)


@bp.get("/two-factor")
@login_required
def index():
    """Whether two-factor is on, and what can be done about it."""
    row = two_factor.enabled_for(current_user)
    left = two_factor.recovery_codes_left(current_user) if row else 0
    return render_template("auth/two_factor.html", row=row, left=left, form=TwoFactorCodeForm())


@bp.route("/two-factor/setup", methods=["GET", "POST"])
@login_required
@limiter.limit(_code_limit, methods=["POST"])
def setup():
    """Show a new secret (QR code and text); a code from it turns two-factor on."""
    user = current_user._get_current_object()
    if two_factor.enabled_for(user):
        return redirect(url_for("two_factor.index"))
    row = two_factor.pending_setup(user)
    db.session.commit()
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        check = two_factor.check_code(user, form.code.data, row=row)
        if check.ok:
            codes = two_factor.enable(user, row)
            db.session.commit()
            account_mail.send_two_factor_changed(user, turned_on=True)
            flash("Two-factor sign-in is on.", "success")
            return _codes_page(codes)
        db.session.commit()
        form.code.errors.append(_refusal(check))
    uri = two_factor.provisioning_uri(user, row.secret)
    response = current_app.make_response(
        render_template(
            "auth/two_factor_setup.html", form=form, qr=two_factor.qr_svg(uri), secret=row.secret
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/two-factor/recovery-codes")
@login_required
@limiter.limit(_code_limit)
def renew_recovery_codes():
    """Ten new recovery codes (a code asked); the old ones stop working."""
    user = current_user._get_current_object()
    if not two_factor.enabled_for(user):
        return redirect(url_for("two_factor.index"))
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        check = two_factor.check_code(user, form.code.data)
        if check.ok:
            codes = two_factor.new_recovery_codes(user)
            record_event("two_factor.recovery_codes_renewed", user_id=user.id)
            db.session.commit()
            return _codes_page(codes)
        db.session.commit()
        form.code.errors.append(_refusal(check))
    left = two_factor.recovery_codes_left(user)
    row = two_factor.enabled_for(user)
    return render_template("auth/two_factor.html", row=row, left=left, form=form), 400


@bp.route("/two-factor/disable", methods=["GET", "POST"])
@login_required
@limiter.limit(_code_limit, methods=["POST"])
def disable():
    """Turn two-factor off: the password and a code (or a recovery code) are asked."""
    user = current_user._get_current_object()
    if not two_factor.enabled_for(user):
        return redirect(url_for("two_factor.index"))
    form = DisableTwoFactorForm()
    if form.validate_on_submit():
        if not user.check_password(form.password.data):
            form.password.errors.append("That is not your password.")
        else:
            check = two_factor.check_code(user, form.code.data)
            if check.ok:
                two_factor.disable(user)
                db.session.commit()
                account_mail.send_two_factor_changed(user, turned_on=False)
                flash("Two-factor sign-in is off.", "info")
                return redirect(url_for("two_factor.index"))
            db.session.commit()
            form.code.errors.append(_refusal(check))
    return render_template("auth/two_factor_disable.html", form=form)
