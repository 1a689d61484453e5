"""Account forms."""

from flask_login import current_user
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from cpd_log.auth.passwords import guessable_words, password_problem
from cpd_log.forms import Form


def _check_password(field, email: str | None, display_name: str | None) -> None:
    problem = password_problem(field.data or "", guessable_words(email, display_name))
    if problem:
        raise ValidationError(problem)


class RegisterForm(Form):
    email = EmailField(
        "Email",
        validators=[DataRequired(), Length(max=254), Email(message="Enter a valid email address.")],
    )
    display_name = StringField("Display name", validators=[DataRequired(), Length(max=100)])
    password = PasswordField("Password", validators=[DataRequired()])
    confirm = PasswordField(
        "Confirm password",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
    )
    submit = SubmitField("Create account")

    def validate_password(self, field) -> None:
        _check_password(field, self.email.data, self.display_name.data)


class LoginForm(Form):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me logged in on this device")
    submit = SubmitField("Log in")


class ChangePasswordForm(Form):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    password = PasswordField("New password", validators=[DataRequired()])
    confirm = PasswordField(
        "Confirm new password",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
    )
    submit = SubmitField("Change password")

    def validate_password(self, field) -> None:
        _check_password(field, current_user.email, current_user.display_name)


class DeleteAccountForm(Form):
    password = PasswordField("Your password", validators=[DataRequired()])
    submit = SubmitField("Delete my account and all my data")


class ForgotPasswordForm(Form):
    email = EmailField(
        "Email",
        validators=[DataRequired(), Length(max=254), Email(message="Enter a valid email address.")],
    )
    submit = SubmitField("Send me a reset link")


class ResetPasswordForm(Form):
    """The new password, checked against the account's own email and name (`account`)."""

    password = PasswordField("New password", validators=[DataRequired()])
    confirm = PasswordField(
        "Confirm new password",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
    )
    submit = SubmitField("Set new password")

    def __init__(self, account, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account

    def validate_password(self, field) -> None:
        _check_password(field, self.account.email, self.account.display_name)


class ChangeEmailForm(Form):
    email = EmailField(
        "New email",
        validators=[DataRequired(), Length(max=254), Email(message="Enter a valid email address.")],
    )
    password = PasswordField("Your password", validators=[DataRequired(), Length(max=200)])
    submit = SubmitField("Change email")

    def validate_email(self, field) -> None:
        if field.data and field.data.strip().lower() == current_user.email:
            raise ValidationError("That is already your email address.")


class TwoFactorCodeForm(Form):
    """A code from the authenticator app (or, where the page says so, a recovery code)."""

    code = StringField(
        "Code",
        validators=[DataRequired(message="Enter the code."), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True},
    )
    submit = SubmitField("Continue")


class DisableTwoFactorForm(Form):
    password = PasswordField("Your password", validators=[DataRequired(), Length(max=200)])
    code = StringField(
        "Code from your authenticator app, or a recovery code",
        validators=[DataRequired(message="Enter the code."), Length(max=40)],
        render_kw={"autocomplete": "one-time-code"},
    )
    submit = SubmitField("Turn off two-factor")
