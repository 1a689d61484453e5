"""Activity forms: the log entry (its fields made from the field table, fields.py) and the list
filters."""

from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from cpd_log.activities.bulk import BulkAction
from cpd_log.activities.fields import ENTERED, Field, Value
from cpd_log.activities.services import RELEVANCE
from cpd_log.common.validators import http_url, in_range
from cpd_log.forms import Form, HoursField, VersionField
from cpd_log.imports.values import parse_minutes
from cpd_log.models import ActivityKind, ActivityStatus


def enum_choices(enum_cls) -> list[SelectChoice]:
    return [SelectChoice(member.value, member.label) for member in enum_cls]


def competency_choices(options, value=int) -> list[SelectChoice]:
    """Competency options grouped by "Framework — Area" (one <optgroup> each)."""
    return [SelectChoice(value(o.id), f"{o.code} {o.name}", optgroup=o.group) for o in options]


class CompetencyField(SelectMultipleField):
    """Multi-select of competency ids that names the problem when an id is not one on offer;
    the searchable picker enhances it (static/picker.js)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("render_kw", {"data-picker": "competencies"})
        super().__init__(*args, **kwargs)

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


def _text_checks(field: Field) -> list:
    return [DataRequired() if field.required else Optional(), Length(max=field.max_length)]


# How the form asks for each kind of value: a WTForms field from a row of the table.
_ASK = {
    Value.TEXT: lambda f: StringField(f.shown_label, _text_checks(f), description=f.help),
    Value.LONG_TEXT: lambda f: TextAreaField(f.shown_label, _text_checks(f), description=f.help),
    Value.WEB_ADDRESS: lambda f: StringField(
        f.shown_label, [*_text_checks(f), http_url], description=f.help
    ),
    Value.CHOICE: lambda f: SelectField(
        f.shown_label,
        choices=enum_choices(f.choices),
        validators=[DataRequired()] if f.required else [],
        default=f.default.value if f.default else None,
        description=f.help,
    ),
    Value.DATE: lambda f: DateField(
        f.shown_label,
        [InputRequired(message="Enter a date.") if f.required else Optional(), in_range],
        description=f.help,
    ),
    Value.HOURS: lambda f: HoursField(
        f.shown_label, [DataRequired(message="Enter the hours, e.g. 1.5.")], description=f.help
    ),
    Value.YES_NO: lambda f: BooleanField(f.shown_label, description=f.help),
    Value.COMPETENCIES: lambda f: CompetencyField(
        f.shown_label, coerce=int, validate_choice=True, description=f.help
    ),
}
# What the service receives of each kind of value, from what the form holds.
_CLEAN = {
    Value.TEXT: lambda f, data: (data or "").strip() or f.empty,
    Value.LONG_TEXT: lambda f, data: data or f.empty,
    Value.WEB_ADDRESS: lambda f, data: data or f.empty,
    Value.CHOICE: lambda f, data: f.choices(data),
    Value.DATE: lambda f, data: data,
    Value.HOURS: lambda f, data: parse_minutes(data),
    Value.YES_NO: lambda f, data: bool(data),
    Value.COMPETENCIES: lambda f, data: list(data or []),
}
# One form field a table row, named by its column, in the table's order (the base class is
# made before ActivityForm's own fields, so WTForms lists the table's first).
_EnteredFields = type(
    "_EnteredFields", (Form,), {field.column: _ASK[field.value](field) for field in ENTERED}
)


class ActivityForm(_EnteredFields):
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

    def activity_data(self) -> dict:
        """The cleaned values, as the activities service expects them, keyed by field name."""
        return {f.name: _CLEAN[f.value](f, self[f.column].data) for f in ENTERED}


SORTS = {
    # Best match first when searching; without a search the list is newest first.
    RELEVANCE: "Best match (else newest)",
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
        "Sort", choices=[SelectChoice(k, v) for k, v in SORTS.items()], default=RELEVANCE
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
            "sort": value["sort"] or RELEVANCE,
        }


class IdsField(SelectMultipleField):
    """The ticked activities' ids; a value that is not a whole number is named, not a 500. Which
    ids may be used is the service's to decide (the user's own only)."""

    def pre_validate(self, form) -> None:
        """Any id may be sent: bulk.chosen keeps the user's own."""

    def process_formdata(self, valuelist) -> None:
        try:
            self.data = [int(value) for value in valuelist]
        except ValueError:
            self.data = []
            raise ValueError("Choose activities from the list.") from None


class BulkForm(Form):
    """What to do with the chosen activities (prefix "bulk-", beside the list's filter fields,
    which say what "all matching" means)."""

    scope = RadioField(
        "Apply to",
        choices=[
            SelectChoice("selected", "The activities ticked below"),
            SelectChoice("all", "All matching the filter"),
        ],
        default="selected",
    )
    action = SelectField(
        "Action",
        choices=[SelectChoice("", "Choose an action…"), *enum_choices(BulkAction)],
        default="",
    )
    competency = SelectField("Competency", coerce=str, validate_choice=True, default="")
    kind = SelectField(
        "New kind", choices=[SelectChoice("", "—"), *enum_choices(ActivityKind)], default=""
    )
    status = SelectField(
        "New status", choices=[SelectChoice("", "—"), *enum_choices(ActivityStatus)], default=""
    )
    ids = IdsField("Activities", choices=[], coerce=int)
    confirm = HiddenField()

    def validate_action(self, field) -> None:
        needs = {
            "add_competency": (self.competency, "Choose the competency to add."),
            "remove_competency": (self.competency, "Choose the competency to remove."),
            "set_kind": (self.kind, "Choose the new kind."),
            "set_status": (self.status, "Choose the new status."),
        }
        if not field.data:
            raise ValidationError("Choose an action.")
        if field.data in needs and not needs[field.data][0].data:
            needed, message = needs[field.data]
            needed.errors = [*needed.errors, message]
            raise ValidationError(message)

    def validate_ids(self, field) -> None:
        if self.scope.data == "selected" and not field.data:
            raise ValidationError("Tick at least one activity, or choose “All matching”.")
