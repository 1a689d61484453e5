"""Competency forms: self-assessment, goal, framework import, and editing one's own framework."""

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from cpd_log.activities.fields import MAX_TEXT
from cpd_log.common.validators import in_range
from cpd_log.competencies.importers import CODE_MAX, FORMATS, NAME_MAX
from cpd_log.forms import Form
from cpd_log.models import GoalStatus


def level_choices(levels: list[dict]) -> list[SelectChoice]:
    return [SelectChoice(level["value"], f"{level['value']} {level['name']}") for level in levels]


class SelfAssessmentForm(Form):
    level = SelectField("Your level now", coerce=int, validate_choice=True)
    assessed_on = DateField("Date", validators=[InputRequired(message="Enter a date."), in_range])
    note = TextAreaField("Note", validators=[Optional(), Length(max=MAX_TEXT)])
    submit = SubmitField("Record self-assessment")


class IdListField(SelectMultipleField):
    def pre_validate(self, form) -> None:
        allowed = {choice.value for choice in self.iter_choices()}
        if any(value not in allowed for value in self.data or []):
            raise ValidationError("Choose activities from the list; an unknown one was sent.")

    def process_formdata(self, valuelist) -> None:
        try:
            self.data = [int(value) for value in valuelist]
        except ValueError:
            self.data = []
            raise ValueError("Choose activities from the list; an unknown one was sent.") from None


class GoalForm(Form):
    target_level = SelectField("Target level", coerce=int, validate_choice=True)
    due_on = DateField("Due date", validators=[Optional(), in_range])
    status = SelectField(
        "Status",
        choices=[SelectChoice(s.value, s.label) for s in GoalStatus],
        default=GoalStatus.OPEN.value,
    )
    note = TextAreaField("How you will get there", validators=[Optional(), Length(max=MAX_TEXT)])
    activities = IdListField(
        "Linked activities",
        coerce=int,
        render_kw={"data-picker": "activities"},
        description="Hold Ctrl (⌘ on a Mac) to pick several; your 200 most recent are listed.",
    )
    submit = SubmitField("Save goal")

    def goal_data(self) -> dict:
        return {
            "target_level": self.target_level.data,
            "due_on": self.due_on.data,
            "status": GoalStatus(self.status.data),
            "note": self.note.data or "",
            "activity_ids": list(self.activities.data or []),
        }


class ImportForm(Form):
    format = SelectField(
        "Format", choices=[SelectChoice(k, v) for k, v in FORMATS.items()], default="case"
    )
    file = FileField("File", validators=[FileRequired(message="Choose a file to import.")])
    name = StringField(
        "Name",
        validators=[Length(max=NAME_MAX)],
        description="Required for CSV; for CASE and .matrix files it replaces the file's name.",
    )
    version = StringField("Version", validators=[Optional(), Length(max=32)])
    source = TextAreaField("Source", validators=[Optional(), Length(max=MAX_TEXT)])
    licence = TextAreaField("Licence", validators=[Optional(), Length(max=MAX_TEXT)])
    submit = SubmitField("Import")

    def validate_name(self, field) -> None:
        if self.format.data == "csv" and not (field.data or "").strip():
            raise ValidationError("Name the framework: a CSV file has no place for its name.")

    def overrides(self) -> dict:
        return {
            key: (self[key].data or "").strip()
            for key in ("name", "version", "source", "licence")
            if (self[key].data or "").strip()
        }


def _parse_levels(text: str) -> list[dict]:
    """Lines "0 Unaware" (value, a space, the name) → the level scale."""
    levels = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        value, _, name = line.strip().partition(" ")
        if not value.isdigit() or not name.strip():
            raise ValidationError(
                f"Line {number}: write a number, a space and a name, e.g. 3 Practitioner."
            )
        levels.append({"value": int(value), "name": name.strip()[:NAME_MAX], "description": ""})
    if not levels:
        raise ValidationError("Give at least one level.")
    if len({level["value"] for level in levels}) != len(levels):
        raise ValidationError("Each level number may appear only once.")
    return sorted(levels, key=lambda level: level["value"])


class FrameworkForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=NAME_MAX)])
    version = StringField("Version", validators=[DataRequired(), Length(max=32)], default="1.0")
    description = TextAreaField("Description", validators=[Optional(), Length(max=MAX_TEXT)])
    source = TextAreaField("Source", validators=[Optional(), Length(max=MAX_TEXT)])
    licence = TextAreaField("Licence", validators=[Optional(), Length(max=MAX_TEXT)])
    levels = TextAreaField(
        "Level scale",
        validators=[DataRequired()],
        description="One level a line, lowest first: a number, a space and a name.",
        default="0 Unaware\n1 Aware\n2 Developing\n3 Practitioner\n4 Advanced\n5 Expert",
    )
    submit = SubmitField("Save framework")

    def validate_levels(self, field) -> None:
        self.parsed_levels = _parse_levels(field.data)

    def framework_data(self) -> dict:
        return {
            "name": self.name.data.strip(),
            "version": self.version.data.strip(),
            "description": self.description.data or "",
            "source": self.source.data or "",
            "licence": self.licence.data or "",
            "levels": self.parsed_levels,
        }


class CompetencyForm(Form):
    code = StringField("Code", validators=[DataRequired(), Length(max=CODE_MAX)])
    name = StringField("Name", validators=[DataRequired(), Length(max=NAME_MAX)])
    parent = SelectField("Area", coerce=str, validate_choice=True)
    description = TextAreaField("Description", validators=[Optional(), Length(max=MAX_TEXT)])
    submit = SubmitField("Save")

    def competency_data(self) -> dict:
        return {
            "code": self.code.data.strip(),
            "name": self.name.data.strip(),
            "parent_id": int(self.parent.data) if self.parent.data else None,
            "description": self.description.data or "",
        }


def competency_form(fw, competency=None, **kwargs) -> CompetencyForm:
    """The competency form with the areas a competency may sit under (none when it has children)."""
    form = CompetencyForm(obj=competency, **kwargs)
    has_children = competency is not None and any(
        c.parent_id == competency.id for c in fw.competencies
    )
    areas = (
        []
        if has_children
        else [c for c in fw.competencies if c.parent_id is None and c is not competency]
    )
    form.parent.choices = [("", "None: this is an area"), *((str(a.id), a.label) for a in areas)]
    return form
