"""The form that records where one activity's claim stands, and the body's type it is claimed
as."""

from datetime import date

from wtforms import DateField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from cpd_log.claims.cards import Card, Status
from cpd_log.claims.choices import ClaimState
from cpd_log.claims.vocabulary import Vocabulary
from cpd_log.common.validators import in_range
from cpd_log.forms import Form
from cpd_log.models.claim import MAX_REASON, MAX_REFERENCE


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ClaimForm(Form):
    state = SelectField(
        "Status",
        choices=[SelectChoice(state.value, state.label) for state in ClaimState],
        validators=[InputRequired()],
    )
    claimed_on = DateField(
        "Claimed on", validators=[Optional(), in_range], description="Needed when claimed."
    )
    reference = StringField(
        "The body's reference",
        validators=[Optional(), Length(max=MAX_REFERENCE)],
        filters=[_strip],
        description="The claim or confirmation number the body gave, if any.",
    )
    reason = TextAreaField(
        "Why it was rejected",
        validators=[Optional(), Length(max=MAX_REASON)],
        filters=[_strip],
        render_kw={"rows": 3},
    )
    body_type = SelectField("Activity type", validate_choice=True)
    submit = SubmitField("Save")
    counted: int | None = None  # the card's counted minutes (claim_form sets them)

    def validate(self, extra_validators=None) -> bool:
        """What the status needs: a date when claimed (not in the future), a reason when
        rejected. Checked here, not in validate_<field>: Optional() ends an empty field's chain."""
        valid = super().validate(extra_validators)
        state = self.state.data
        day = self.claimed_on
        needs = []
        if state == ClaimState.CLAIMED and day.data is None and not day.errors:
            needs.append((day, "Enter the day you claimed it."))
        if day.data and day.data > self.today:
            needs.append((day, "Enter a day that is not in the future."))
        if state == ClaimState.REJECTED and not self.reason.data:
            needs.append((self.reason, "Say why the body rejected it."))
        for field, message in needs:
            field.errors = [*field.errors, message]
        return valid and not needs

    def status(self) -> Status:
        """The validated input as a Status: a date only when claimed, a reason only when
        rejected; the scheme's own type is stored as no choice."""
        state = ClaimState(self.state.data)
        return Status(
            state,
            self.claimed_on.data if state is ClaimState.CLAIMED else None,
            self.reference.data or "" if state is not ClaimState.TO_CLAIM else "",
            self.reason.data or "" if state is ClaimState.REJECTED else "",
            self.body_type.data or None,
            # what the card counts now: saving a claimed status again confirms today's figure
            self.counted if state is ClaimState.CLAIMED else None,
        )


def claim_form(vocabulary: Vocabulary, card: Card, today: date) -> ClaimForm:
    """The form for one card, filled from its status on GET; the type choices are the body's."""
    status = card.status
    form = ClaimForm(
        data={
            "state": status.state.value,
            "claimed_on": status.claimed_on
            or (today if status.state is ClaimState.TO_CLAIM else None),
            "reference": status.reference,
            "reason": status.reason,
            "body_type": status.body_type if card.type_overridden else "",
        }
    )
    default = vocabulary.body_type(card.activity.kind, card.activity.delivery)
    form.body_type.choices = [SelectChoice("", f"{default} (the scheme's choice)")] + [
        SelectChoice(name, name) for name in vocabulary.choices
    ]
    form.today = today
    form.counted = card.minutes
    return form
