"""The activity's fields, each declared once. Every list of activity fields derives from FIELDS
by name: the form and its cleaned data (activities/forms.py), what an edit writes (EDITABLE), the
list's columns and the search, the spreadsheet import's columns, header spellings and staged
values (imports/), the CSV export (account/activity_csv.py), the account backup's keys and types
(account/transfer.py), the detail page's long texts and the PDF's register and details.

A field's `value` says what kind of value it holds, and each of those places knows how to ask
for, read, write and show that kind once; so a field of a known kind is a row here plus its
column on Activity (and on ImportRow, which stages spreadsheet rows), a migration and its place
on the form page (templates/activities/form.html), which is laid out by hand.

Plain Python, no Flask or SQLAlchemy (tests/activities/test_fields.py imports it without them).
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from cpd_log.activities.choices import ActivityKind, ActivitySource, ActivityStatus, Delivery

MAX_TEXT = 50_000  # characters in a long text (description, objective, a reflection's stage)


class Value(StrEnum):
    """What kind of value a field holds."""

    TEXT = "text"  # one line
    LONG_TEXT = "long_text"  # paragraphs, shown under their own heading
    WEB_ADDRESS = "web_address"
    CHOICE = "choice"  # a member of the field's `choices` enum
    DATE = "date"
    HOURS = "hours"  # kept as minutes; entered, exported and shown as hours
    YES_NO = "yes_no"
    COMPETENCIES = "competencies"  # tags (the activity_competency table), not a column
    MOMENT = "moment"  # a time the app records


TEXTS = (Value.TEXT, Value.LONG_TEXT, Value.WEB_ADDRESS)
_TYPES = {
    Value.TEXT: str,
    Value.LONG_TEXT: str,
    Value.WEB_ADDRESS: str,
    Value.DATE: date,
    Value.HOURS: int,
    Value.YES_NO: bool,
    Value.COMPETENCIES: list,
    Value.MOMENT: datetime,
}


@dataclass(frozen=True)
class Field:
    name: str  # the Activity attribute; the key in the form's and the import's cleaned data
    label: str  # its name for people: the import's column choice and its error messages
    value: Value
    choices: type[StrEnum] | None = None  # Value.CHOICE: the enum
    # The name it is entered under: the form field, the spreadsheet import's field and the CSV
    # export's header. None: the app sets it (not on the form, not in the CSV).
    column: str | None = None
    form_label: str | None = None  # on the form and the detail page, when longer than `label`
    help: str = ""  # the form's hint under the field
    aliases: tuple[str, ...] = ()  # other headers a spreadsheet gives it (compared normalised)
    required: bool = False  # the form insists on a value
    nullable: bool = False  # left empty, it is stored as NULL (not "")
    max_length: int | None = None
    default: StrEnum | None = None  # the form's preset choice
    listed: bool = False  # a column of the activity list's query
    searchable: bool = False  # the list's search looks in it
    pdf: str | None = None  # its label in the PDF's activity details (a long text's paragraph)
    register: str | None = None  # the PDF register column it is shown in
    # In the account backup every field but the competencies travels under its name; the
    # format version that added it (account/transfer.py): an older file reads it as empty.
    backup_since: int = 1

    @property
    def type(self) -> type:
        """The Python type of its value (the enum for a choice)."""
        return self.choices if self.value is Value.CHOICE else _TYPES[self.value]

    @property
    def shown_label(self) -> str:
        return self.form_label or self.label

    def of(self, activity):
        """Its value on `activity` (an ORM row): the competencies as Competency rows."""
        if self.value is Value.COMPETENCIES:
            return activity.competencies
        return getattr(activity, self.name)

    @property
    def empty(self):
        """What an empty entry stores: "" for optional text, False for yes/no, else None."""
        if self.value in TEXTS and not (self.required or self.nullable):
            return ""
        return False if self.value is Value.YES_NO else None


FIELDS = (
    Field(
        "title",
        "Title",
        Value.TEXT,
        column="title",
        required=True,
        max_length=200,
        listed=True,
        searchable=True,
        register="Title",
        aliases=(
            "activity title",
            "course title",
            "activity name",
            "activity",
            "name",
            "event",
            "course",
            "subject",
            "summary",
        ),
    ),
    Field(
        "kind",
        "Kind",
        Value.CHOICE,
        choices=ActivityKind,
        column="kind",
        required=True,
        listed=True,
        register="Type",
        aliases=("type", "activity type", "kind of activity", "learning type"),
    ),
    Field(
        "provider",
        "Provider or organiser",
        Value.TEXT,
        column="provider",
        max_length=200,
        listed=True,
        searchable=True,
        register="Provider",
        aliases=(
            "provider name",
            "organiser",
            "organizer",
            "education provider",
            "organisation",
            "organization",
            "host",
            "training provider",
        ),
    ),
    Field(
        "start_date",
        "Start date",
        Value.DATE,
        column="start_date",
        required=True,
        listed=True,
        aliases=(
            "date",
            "date started",
            "start",
            "activity date",
            "date attended",
            "from",
            "start date",
        ),
    ),
    Field(
        "end_date",
        "End date",
        Value.DATE,
        column="end_date",
        nullable=True,
        listed=True,
        aliases=("date completed", "completion date", "end", "to", "finish date", "end date"),
    ),
    Field(
        "minutes",
        "Hours",
        Value.HOURS,
        column="hours",
        required=True,
        help="In steps of 0.25 (15 minutes): 1.5 or 1:30.",
        listed=True,
        register="Hours",
        aliases=(
            "pdus",
            "pdus claimed",
            "pdu",
            "number of pdus",
            "cpd hours",
            "duration",
            "duration hours",
            "hours claimed",
            "time spent",
            "points",
            "credits",
        ),
    ),
    Field(
        "delivery",
        "Delivery",
        Value.CHOICE,
        choices=Delivery,
        column="delivery",
        aliases=("delivery mode", "mode", "format", "delivery method"),
    ),
    Field(
        "participatory",
        "Participatory",
        Value.YES_NO,
        column="participatory",
        form_label="Participatory (you interacted with others)",
        aliases=("interactive", "participative"),
    ),
    Field(
        "objective",
        "Learning objective",
        Value.LONG_TEXT,
        column="objective",
        help="What you set out to learn.",
        nullable=True,
        max_length=MAX_TEXT,
        searchable=True,
        pdf="Learning objective",
        register="Title",
        backup_since=3,
        aliases=("learning objectives", "objectives", "learning aim", "learning goal"),
    ),
    Field(
        "description",
        "Description",
        Value.LONG_TEXT,
        column="description",
        form_label="Description and learning outcomes",
        max_length=MAX_TEXT,
        searchable=True,
        pdf="Learning outcomes",
        aliases=(
            "notes",
            "learning outcomes",
            "what i learned",
            "comments",
            "reflection",
            "activity description",
        ),
    ),
    Field(
        "url",
        "Web address",
        Value.WEB_ADDRESS,
        column="url",
        max_length=2000,
        aliases=("link", "web address", "website", "web link"),
    ),
    Field(
        "status",
        "Status",
        Value.CHOICE,
        choices=ActivityStatus,
        column="status",
        default=ActivityStatus.COMPLETED,
        listed=True,
        aliases=("state", "completed"),
    ),
    Field(
        "competency_ids",
        "Competencies",
        Value.COMPETENCIES,
        column="competencies",
        aliases=("competency", "tags", "skills", "talent triangle"),
    ),
    Field("source", "Source", Value.CHOICE, choices=ActivitySource, listed=True),
    Field("external_uid", "External id", Value.TEXT, nullable=True, max_length=255),
    Field("created_at", "Created", Value.MOMENT),
    Field("updated_at", "Updated", Value.MOMENT),
)

BY_NAME = {field.name: field for field in FIELDS}
# Entered by a person, on the form or in a spreadsheet, in the CSV export's column order.
ENTERED = tuple(field for field in FIELDS if field.column)
COLUMNS = tuple(field.column for field in ENTERED)
# What an edit or an import writes to the activity row (the competencies go to their table).
EDITABLE = tuple(field.name for field in ENTERED if field.value is not Value.COMPETENCIES)
CHOICES = tuple(field for field in FIELDS if field.value is Value.CHOICE)
LISTED = tuple(field.name for field in FIELDS if field.listed)
SEARCHED = tuple(field.name for field in FIELDS if field.searchable)
BACKED_UP = tuple(field for field in FIELDS if field.value is not Value.COMPETENCIES)
# Long texts, shown under their own heading on the detail page and as paragraphs in the PDF.
LONG_TEXTS = tuple(field for field in FIELDS if field.value is Value.LONG_TEXT)
