"""Portfolio forms: the selection (period, cycle, competencies) and the kept activities."""

from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    widgets,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from cpd_log.activities.forms import CompetencyField, enum_choices
from cpd_log.common.validators import in_range
from cpd_log.forms import Form
from cpd_log.models import Audience


def _cycle_id(value) -> int:
    """Digits or nothing: anything else is "no cycle" rather than a 500."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else 0


class PortfolioForm(Form):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    audience = SelectField("Audience", choices=enum_choices(Audience))
    # The user's own cycles (set by the view); an id that is not theirs answers 404 there.
    cycle = SelectField(
        "Scheme cycle", coerce=_cycle_id, validate_choice=False, default=0,
        description="Choose a cycle to use its dates as the period and report its rules.",
    )  # fmt: skip
    date_from = DateField("From", validators=[Optional(), in_range])
    date_to = DateField("To", validators=[Optional(), in_range])
    competencies = CompetencyField(
        "Only activities tagged with (optional)", coerce=int, validate_choice=True
    )
    include_evidence = BooleanField("Include evidence files", default=True)
    submit = SubmitField("Save portfolio")

    def validate_date_to(self, field) -> None:
        if self.cycle.data:
            return  # the cycle's own dates are the period
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end of the period is before its start.")

    def portfolio_data(self) -> dict:
        return {
            "title": self.title.data.strip(),
            "audience": Audience(self.audience.data),
            "date_from": self.date_from.data,
            "date_to": self.date_to.data,
            "cycle_id": self.cycle.data or None,
            "competency_ids": list(self.competencies.data or []),
            "include_evidence": bool(self.include_evidence.data),
        }


class ChosenField(SelectMultipleField):
    """Checkboxes of activity ids; an id not on offer is ignored rather than trusted."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def process_formdata(self, valuelist) -> None:
        self.data = [int(v) for v in valuelist if v.isdigit()]

    def pre_validate(self, form) -> None:
        allowed = {int(choice.value) for choice in self.iter_choices()}
        self.data = [value for value in self.data or [] if value in allowed]


class PortfolioEditForm(PortfolioForm):
    activities = ChosenField("Activities in this portfolio", coerce=int)
    reflections = ChosenField("Reflections in this portfolio", coerce=int)
