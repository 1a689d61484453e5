"""The "Log it now" form: four fields, nothing that needs a keyboard for long."""

from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from cpd_log.activities.forms import enum_choices
from cpd_log.forms import Form, HoursField
from cpd_log.imports.values import parse_minutes
from cpd_log.models import ActivityKind


class QuickCaptureForm(Form):
    title = StringField(
        "What did you do?", validators=[DataRequired(message="Give it a title."), Length(max=200)]
    )
    kind = SelectField("Kind", choices=enum_choices(ActivityKind), validators=[DataRequired()])
    hours = HoursField(
        "Hours",
        validators=[DataRequired(message="Enter the hours, e.g. 1.5.")],
        description="e.g. 1.5, 1,5 or 1:30",
    )
    what_stuck = StringField("One thing that stuck", validators=[Optional(), Length(max=500)])
    submit = SubmitField("Save")

    def validate_hours(self, field) -> None:
        try:
            minutes = parse_minutes(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None
        if minutes > 24 * 60:
            raise ValidationError("At most 24 hours fit in one day; use the full form for more.")
        self.minutes = minutes

    def capture_data(self) -> dict:
        return {
            "title": self.title.data.strip(),
            "kind": ActivityKind(self.kind.data),
            "minutes": self.minutes,
            "what_stuck": (self.what_stuck.data or "").strip(),
        }
