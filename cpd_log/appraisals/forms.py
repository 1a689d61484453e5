"""The member's submission form and the appraiser's comment and decision forms."""

from wtforms import HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from cpd_log.forms import Form, VersionField
from cpd_log.models.appraisal import COMMENT_MAX


class SubmitForm(Form):
    """`appraiser.choices` is set by the view: "team id:appraiser id" of the member's teams."""

    appraiser = SelectField(
        "Appraiser",
        validators=[DataRequired(message="Choose an appraiser.")],
        description="An appraiser of one of your teams. They see only what you submit here.",
    )
    submit = SubmitField("Submit for appraisal")

    def pair(self) -> tuple[int, int]:
        team_id, appraiser_id = self.appraiser.data.split(":")
        return int(team_id), int(appraiser_id)


class CommentForm(Form):
    # The round the appraiser read; a comment on an older round changes nothing.
    round = VersionField()
    # A submitted activity's id in the snapshot, or empty for the whole submission.
    activity_id = HiddenField()
    body = TextAreaField(
        "Comment",
        validators=[DataRequired(message="Write a comment."), Length(max=COMMENT_MAX)],
    )
    submit = SubmitField("Add comment")

    def activity(self) -> int | None:
        value = (self.activity_id.data or "").strip()
        return int(value) if value.isdigit() and len(value) < 12 else None

    def names_activity(self) -> bool:
        return bool((self.activity_id.data or "").strip())


class DecisionForm(Form):
    round = VersionField()
    reason = TextAreaField(
        "Reason (needed to return it)",
        validators=[Optional(), Length(max=COMMENT_MAX)],
        description="The member reads this with your comments.",
    )
    sign_off = SubmitField("Sign off")
    return_it = SubmitField("Return to the member")

    def validate(self, extra_validators=None) -> bool:
        """A decision is one of the two buttons: a post with neither decides nothing."""
        valid = super().validate(extra_validators)
        if not self.sign_off.data and not self.return_it.data:
            self.reason.errors.append("Choose Sign off or Return to the member.")
            return False
        return valid
