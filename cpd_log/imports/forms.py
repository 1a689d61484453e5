"""Import forms: the three uploads, the calendar choice and the spreadsheet column mapping."""

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, ValidationError

from cpd_log.activities.forms import CompetencyField, enum_choices
from cpd_log.forms import Form, HoursField
from cpd_log.imports.columns import FIELD_LABELS, FIELDS
from cpd_log.imports.rows import AUTO, REQUIRED, Defaults, parse_competencies
from cpd_log.imports.values import DAY_FIRST, MONTH_FIRST, parse_minutes
from cpd_log.models import ActivityKind, Delivery

MAX_IMPORT_BYTES = 8 * 1024 * 1024
EVENT_COMPETENCIES_MAX = 2000  # characters of one event's own codes (≈ 200 codes)
DATE_ORDERS = [
    SelectChoice(AUTO, "Decide from the file"),
    SelectChoice(DAY_FIRST, "Day first (31/12/2025)"),
    SelectChoice(MONTH_FIRST, "Month first (12/31/2025)"),
]


def read_upload(field, limit: int = MAX_IMPORT_BYTES) -> bytes:
    """The uploaded bytes, or a ValidationError naming the size limit."""
    data = field.data.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(f"The file is larger than {limit // (1024 * 1024)} MB.")
    return data


class CalendarUploadForm(Form):
    calendar = FileField(
        "Calendar file (.ics)",
        validators=[FileRequired("Choose a .ics file.")],
        description="Exported from Outlook, Google Calendar, Eventbrite or Meetup.",
    )
    submit = SubmitField("Preview events")


class SheetUploadForm(Form):
    sheet = FileField(
        "Spreadsheet (.csv or .xlsx)",
        validators=[FileRequired("Choose a .csv or .xlsx file.")],
        description="The first row holds the column names. Our own CSV export fits as it is.",
    )
    submit = SubmitField("Preview rows")


class CalendarChoiceForm(Form):
    events = SelectMultipleField("Events", coerce=str)
    kind = SelectField("Kind for the chosen events", choices=enum_choices(ActivityKind))
    competencies = CompetencyField("Competencies for the chosen events", coerce=int)
    submit = SubmitField("Import chosen events")
    # Codes and "code name" labels → competency id (services.competency_lookup); set by the view.
    lookup: dict[str, int | None] = {}

    def validate_events(self, field) -> None:
        if not field.data:
            raise ValidationError("Tick the events you want to log.")

    def event_kind_field(self, index: int):
        return self[f"kind_{index}"]

    def event_kind(self, index: int) -> ActivityKind:
        """The event's own kind, or the one chosen for all when it has none."""
        return ActivityKind(self.event_kind_field(index).data or self.kind.data)

    def event_competencies_field(self, index: int):
        return self[f"competencies_{index}"]

    def event_competencies(self, index: int) -> list[int]:
        """The event's own competencies, or the ones chosen for all when it has none."""
        own = parse_competencies(self.event_competencies_field(index).data, self.lookup)
        return own or list(self.competencies.data or [])

    def validate(self, extra_validators=None) -> bool:
        """Also each chosen event's own competencies: every code one of the user's."""
        ok = super().validate(extra_validators)
        for index in self.chosen():
            field = self.event_competencies_field(index)
            try:
                parse_competencies(field.data, self.lookup)
            except ValueError as error:
                field.errors.append(str(error))
                ok = False
        return ok

    def chosen(self) -> list[int]:
        """The indexes of the ticked events that this form knows."""
        known = {choice.value for choice in self.events.iter_choices()}
        return [int(value) for value in self.events.data or [] if value in known]


def calendar_choice_form(event_count: int) -> CalendarChoiceForm:
    """The choice form with a kind and competencies of its own for each event ("" = those
    chosen for all)."""
    choices = [SelectChoice("", "Kind chosen for all"), *enum_choices(ActivityKind)]
    per_event = {}
    for index in range(event_count):
        per_event[f"kind_{index}"] = SelectField(
            f"Kind of event {index + 1}", choices=choices, default=""
        )
        per_event[f"competencies_{index}"] = StringField(
            f"Competencies of event {index + 1}",
            filters=[lambda value: (value or "").strip()],
            validators=[Length(max=EVENT_COMPETENCIES_MAX)],
        )
    return type("CalendarChoiceForm", (CalendarChoiceForm,), per_event)()


def _column_choices(headers: list[str]) -> list[SelectChoice]:
    return [
        SelectChoice("", "— not in the file —"),
        *(SelectChoice(str(i), h or f"Column {i + 1}") for i, h in enumerate(headers)),
    ]


class MappingForm(Form):
    """Which column holds which field; filled from the suggestion on the first view."""

    default_kind = SelectField(
        "Kind when the file has none", choices=enum_choices(ActivityKind), default="other"
    )
    default_delivery = SelectField(
        "Delivery when the file has none", choices=enum_choices(Delivery), default="online"
    )
    default_hours = HoursField(
        "Hours when a row has none",
        description="A default duration for rows without hours, e.g. 1.5: lists from learning "
        "platforms (Udemy, LinkedIn Learning, Coursera) have no hours column.",
    )
    date_order = SelectField("Date order", choices=DATE_ORDERS, default=AUTO)
    include_duplicates = BooleanField("Import rows that look like duplicates too")
    preview = SubmitField("Update preview")
    commit = SubmitField("Import")

    @classmethod
    def for_headers(cls, headers: list[str], suggestion: dict, **kwargs) -> "MappingForm":
        class Bound(cls):
            pass

        for name in FIELDS:
            index = suggestion.get(name)
            setattr(
                Bound,
                f"col_{name}",
                SelectField(
                    FIELD_LABELS[name],
                    choices=_column_choices(headers),
                    default="" if index is None else str(index),
                ),
            )
        return Bound(**kwargs)

    def column_fields(self):
        return [getattr(self, f"col_{name}") for name in FIELDS]

    def mapping(self) -> dict[str, int | None]:
        return {
            name: int(value) if (value := getattr(self, f"col_{name}").data) else None
            for name in FIELDS
        }

    def default_minutes(self) -> int | None:
        """The default duration in minutes; None when none (or no valid one) is given."""
        try:
            return parse_minutes(self.default_hours.data) if self.default_hours.data else None
        except ValueError:
            return None

    def defaults(self) -> Defaults:
        return Defaults(
            ActivityKind(self.default_kind.data),
            Delivery(self.default_delivery.data),
            self.default_minutes(),
            self.date_order.data,
        )

    def validate_default_hours(self, field) -> None:
        if field.data:
            try:
                parse_minutes(field.data)
            except ValueError as error:
                raise ValidationError(str(error)) from None

    def validate_required(self) -> bool:
        """Whether the columns every activity needs are chosen (the preview needs them), and
        the hours: a column, or a default duration."""
        columns = all(getattr(self, f"col_{name}").data for name in REQUIRED)
        return columns and bool(self.col_hours.data or self.default_minutes())

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for name in REQUIRED:
            field = getattr(self, f"col_{name}")
            if not field.data:
                field.errors.append(f"Choose the column that holds the {name.replace('_', ' ')}.")
                ok = False
        if not self.col_hours.data and not self.default_hours.data:
            self.default_hours.errors.append(
                "Choose the column that holds the hours above, or enter hours for rows without."
            )
            ok = False
        return ok


class BadgeUploadForm(Form):
    badge = FileField(
        "Open Badge (.json, signed .jwt, or baked .png or .svg)",
        validators=[FileRequired("Choose a badge file.")],
        description=(
            "An Open Badges 2.0 assertion or 3.0 credential, or the badge image that carries one."
        ),
    )
    kind = SelectField("Kind", choices=enum_choices(ActivityKind), default="course")
    hours = HoursField(
        "Hours of learning",
        validators=[DataRequired(message="Enter the hours the badge took, e.g. 6.")],
        description="A badge does not say how long it took; e.g. 6, 6.5 or 6:30.",
    )

    def validate_hours(self, field) -> None:
        try:
            self.minutes = parse_minutes(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    submit = SubmitField("Import badge")
