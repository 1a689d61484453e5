"""The reviewer's form: a comment, a sign-off, or both."""

from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from cpd_log.forms import Form


class ReviewForm(Form):
    reviewer_name = StringField("Your name", validators=[DataRequired(), Length(max=100)])
    reviewer_role = StringField("Your role", validators=[Optional(), Length(max=100)])
    comment = TextAreaField("Comment", validators=[Optional(), Length(max=5000)])
    signed_off = BooleanField("I have reviewed this portfolio (sign-off)")
    submit = SubmitField("Send")

    def validate(self, extra_validators=None) -> bool:
        """A review says something: a comment, a sign-off, or both."""
        valid = super().validate(extra_validators)
        if not (self.comment.data or "").strip() and not self.signed_off.data:
            self.comment.errors.append("Write a comment or tick the sign-off.")
            return False
        return valid
