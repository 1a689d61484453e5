"""xAPI forms: a file of statements, or a pull from an LRS (key and secret never stored)."""

from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from cpd_log.common.web_urls import is_web_url
from cpd_log.forms import Form, HoursField
from cpd_log.imports.values import parse_minutes

DEFAULT_HOURS = "1"


class _DefaultHours:
    """The hours a statement without result.duration counts for (1 unless the user says)."""

    hours = HoursField(
        "Hours when a statement gives no duration",
        default=DEFAULT_HOURS,
        validators=[DataRequired(message="Enter the hours, e.g. 1.")],
        description="Used only for statements without result.duration; e.g. 1, 1.5 or 1:30.",
    )

    def validate_hours(self, field) -> None:
        try:
            self.minutes = parse_minutes(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class XapiUploadForm(_DefaultHours, Form):
    statements = FileField(
        "xAPI statements (.json)",
        validators=[FileRequired("Choose a .json file of xAPI statements.")],
        description="A list of statements, or an LRS answer with “statements”.",
    )
    submit = SubmitField("Preview statements")


class LrsPullForm(_DefaultHours, Form):
    endpoint = StringField(
        "LRS endpoint",
        validators=[DataRequired(message="Enter the LRS endpoint."), Length(max=500)],
        description="The address that ends before /statements, e.g. https://lrs.example.org/xapi.",
    )
    key = StringField(
        "Key (user name)",
        validators=[DataRequired(message="Enter the LRS key."), Length(max=200)],
        render_kw={"autocomplete": "off"},
    )
    secret = PasswordField(
        "Secret",
        validators=[DataRequired(message="Enter the LRS secret."), Length(max=200)],
        description="Used for this pull only; never stored.",
        render_kw={"autocomplete": "off"},
    )
    since = DateField(
        "Statements since", validators=[DataRequired(message="Enter a day, e.g. 2025-01-01.")]
    )
    submit = SubmitField("Fetch statements")

    def validate_endpoint(self, field) -> None:
        if not is_web_url(field.data.strip()):
            raise ValidationError("Enter a web address starting with https:// or http://.")
