"""Activity forms: the log entry and the list filters."""

from wtforms import (
    BooleanField,
    DateField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from cpd_log.common.validators import http_url, in_range
from cpd_log.forms import Form, VersionField
from cpd_log.imports.values import parse_minutes
from cpd_log.models import ActivityKind, ActivityStatus, Delivery

MAX_TEXT = 50_000


def enum_choices(enum_cls) -> list[SelectChoice]:
    return [SelectChoice(member.value, member.label) for member in enum_cls]


def competency_choices(options, value=int) -> list[SelectChoice]:
    """Competency options grouped by "Framework — Area" (one <optgroup> each)."""
    return [SelectChoice(value(o.id), f"{o.code} {o.name}", optgroup=o.group) for o in options]


class CompetencyField(SelectMultipleField):
    """Multi-select of competency ids that names the problem when an id is not one on offer."""

    def pre_validate(self, form) -> None:
        allowed = {choice.value for choice in self.iter_choices()}
        unknown = [value for value in self.data or [] if value not in allowed]
        if unknown:
            raise ValidationError("Choose competencies from the list; an unknown one was sent.")

    def process_formdata(self, valuelist) -> None:
        try:
            self.data = [int(value) for value in valuelist]
        except ValueError:
            self.data = []
            raise ValueError(
                "Choose competencies from the list; an unknown one was sent."
            ) from None


class ActivityForm(Form):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", choices=enum_choices(ActivityKind), validators=[DataRequired()])
    provider = StringField("Provider or organiser", validators=[Optional(), Length(max=200)])
    start_date = DateField(
        "Start date", validators=[InputRequired(message="Enter a date."), in_range]
    )
    end_date = DateField("End date", validators=[Optional(), in_range])
    hours = StringField(
        "Hours",
        validators=[DataRequired(message="Enter the hours, e.g. 1.5.")],
        description="In steps of 0.25 (15 minutes): 1.5 or 1:30.",
    )
    delivery = SelectField("Delivery", choices=enum_choices(Delivery))
    participatory = BooleanField("Participatory (you interacted with others)")
    description = TextAreaField(
        "Description and learning outcomes", validators=[Optional(), Length(max=MAX_TEXT)]
    )
    url = StringField("Web address", validators=[Optional(), Length(max=2000), http_url])
    status = SelectField(
        "Status", choices=enum_choices(ActivityStatus), default=ActivityStatus.COMPLETED.value
    )
    competencies = CompetencyField("Competencies", coerce=int, validate_choice=True)
    # The activity's version when the form was loaded (edit only; ignored when logging one).
    version = VersionField()
    submit = SubmitField("Save activity")

    def validate_end_date(self, field) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError("The end date is before the start date.")

    def validate_hours(self, field) -> None:
        """0.25-hour steps, more than zero, at most 24 hours for each day the activity spans."""
        try:
            minutes = parse_minutes(field.data or "")
        except ValueError as error:
            raise ValidationError(str(error)) from None
        start, end = self.start_date.data, self.end_date.data or self.start_date.data
        days = (end - start).days + 1 if start and end and end >= start else 1
        if minutes > 24 * 60 * days:
            raise ValidationError(f"At most {24 * days} hours fit in {days} day(s).")
        self.minutes = minutes

    def activity_data(self) -> dict:
        """The cleaned values, as the activities service expects them."""
        return {
            "title": self.title.data.strip(),
            "kind": ActivityKind(self.kind.data),
            "provider": (self.provider.data or "").strip(),
            "start_date": self.start_date.data,
            "end_date": self.end_date.data,
            "minutes": self.minutes,
            "delivery": Delivery(self.delivery.data),
            "participatory": bool(self.participatory.data),
            "description": self.description.data or "",
            "url": self.url.data or "",
            "status": ActivityStatus(self.status.data),
            "competency_ids": list(self.competencies.data or []),
        }


SORTS = {
    "date_desc": "Newest first",
    "date_asc": "Oldest first",
    "hours_desc": "Most hours",
    "hours_asc": "Fewest hours",
    "title": "Title A–Z",
}


class ActivityFilterForm(Form):
    """GET filters on the list; an invalid value is reported and that filter ignored."""

    class Meta:
        csrf = False

    q = StringField("Search", validators=[Optional(), Length(max=200)])
    date_from = DateField("From", validators=[Optional(), in_range])
    date_to = DateField("To", validators=[Optional(), in_range])
    # default="": no filter is a valid choice, so an empty form shows no errors.
    kind = SelectField(
        "Kind", choices=[SelectChoice("", "Any kind"), *enum_choices(ActivityKind)], default=""
    )
    status = SelectField(
        "Status",
        choices=[SelectChoice("", "Any status"), *enum_choices(ActivityStatus)],
        default="",
    )
    competency = SelectField("Competency", coerce=str, validate_choice=True, default="")
    sort = SelectField(
        "Sort", choices=[SelectChoice(k, v) for k, v in SORTS.items()], default="date_desc"
    )

    def criteria(self) -> dict:
        """Valid filter values only; a field with an error counts as not set."""
        self.validate()
        value = {name: None if field.errors else field.data for name, field in self._fields.items()}
        return {
            "q": (value["q"] or "").strip() or None,
            "date_from": value["date_from"],
            "date_to": value["date_to"],
            "kind": ActivityKind(value["kind"]) if value["kind"] else None,
            "status": ActivityStatus(value["status"]) if value["status"] else None,
            "competency_id": int(value["competency"]) if value["competency"] else None,
            "sort": value["sort"] or "date_desc",
        }
