"""Account forms."""

from flask import current_app
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from cpd_log.forms import Form


def _strong_enough(form, field) -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(field.data or "") < minimum:
        raise ValidationError(f"Use at least {minimum} characters.")
    if len(field.data) > 200:
        raise ValidationError("Use at most 200 characters.")


class RegisterForm(Form):
    email = EmailField(
        "Email",
        validators=[DataRequired(), Length(max=254), Email(message="Enter a valid email address.")],
    )
    display_name = StringField("Display name", validators=[DataRequired(), Length(max=100)])
    password = PasswordField("Password", validators=[DataRequired(), _strong_enough])
    confirm = PasswordField(
        "Confirm password",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
    )
    submit = SubmitField("Create account")


class LoginForm(Form):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me logged in on this device")
    submit = SubmitField("Log in")


class ChangePasswordForm(Form):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    password = PasswordField("New password", validators=[DataRequired(), _strong_enough])
    confirm = PasswordField(
        "Confirm new password",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
    )
    submit = SubmitField("Change password")


class DeleteAccountForm(Form):
    password = PasswordField("Your password", validators=[DataRequired()])
    submit = SubmitField("Delete my account and all my data")
