"""Crosswalk forms: a crosswalk's description, one mapping (or override), and a file import."""

from flask_wtf.file import FileField, FileRequired
from wtforms import SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from cpd_log.crosswalks.editing import NOT_COUNTED
from cpd_log.crosswalks.formats import FORMATS
from cpd_log.crosswalks.table import REASON_MAX
from cpd_log.forms import Form
from cpd_log.models.crosswalk import RELATIONS

NAME_MAX = 200
RELATION_LABELS = {
    "exact": "exact: the same competency",
    "narrower": "narrower: a part of it",
    "broader": "broader: it includes it",
    "related": "related: they overlap (counts only where a scheme says)",
}


class CrosswalkForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=NAME_MAX)])
    from_framework = SelectField("From (one of your frameworks)", validate_choice=True)
    to_framework = SelectField("To", validate_choice=True)
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    source = StringField(
        "Source", default="My own judgement", validators=[DataRequired(), Length(max=500)]
    )
    licence = StringField("Licence", default="Mine", validators=[DataRequired(), Length(max=500)])
    submit = SubmitField("Save")

    def validate_to_framework(self, field) -> None:
        if field.data == self.from_framework.data:
            raise ValidationError("Choose another framework than the one mapped from.")

    def crosswalk_data(self) -> dict:
        keys = ("name", "from_framework", "to_framework", "description", "source", "licence")
        return {key: (getattr(self, key).data or "").strip() for key in keys}


def crosswalk_form(own, every, **kwargs) -> CrosswalkForm:
    """The form with the frameworks to choose from: (slug, name) pairs."""
    form = CrosswalkForm(**kwargs)
    form.from_framework.choices = [SelectChoice(slug, name) for slug, name in own]
    form.to_framework.choices = [SelectChoice(slug, name) for slug, name in every]
    return form


class MappingForm(Form):
    from_code = SelectField("From", validate_choice=True)
    to_code = SelectField("To", validate_choice=True)
    relation = SelectField("Relation", validate_choice=True)
    reason = StringField("Reason (one line)", validators=[Optional(), Length(max=REASON_MAX)])
    submit = SubmitField("Save mapping")

    def validate_reason(self, field) -> None:
        if self.relation.data != NOT_COUNTED and not (field.data or "").strip():
            raise ValidationError("Say in one line why they correspond.")
        if "\n" in (field.data or "") or "\r" in (field.data or ""):
            raise ValidationError("One line, please.")

    def mapping_data(self) -> dict:
        relation = None if self.relation.data == NOT_COUNTED else self.relation.data
        return {
            "from_code": self.from_code.data,
            "to_code": self.to_code.data,
            "relation": relation,
            "reason": (self.reason.data or "").strip(),
        }


def mapping_form(names: dict[str, dict[str, str]], shipped: bool, **kwargs) -> MappingForm:
    """`names`: {"from": {code: name}, "to": {code: name}}; a shipped crosswalk's form is an
    override, which may also say the pair does not count."""
    form = MappingForm(**kwargs)
    for field, side in ((form.from_code, "from"), (form.to_code, "to")):
        field.choices = [SelectChoice(code, f"{code} {name}") for code, name in names[side].items()]
    form.relation.choices = [SelectChoice(r, RELATION_LABELS[r]) for r in RELATIONS]
    if shipped:
        form.relation.choices.append(SelectChoice(NOT_COUNTED, "does not count for me"))
        form.submit.label.text = "Save my override"
    return form


class ImportForm(Form):
    format = SelectField(
        "Format", choices=[SelectChoice(k, v) for k, v in FORMATS.items()], validate_choice=True
    )
    file = FileField("File", validators=[FileRequired(message="Choose a file.")])
    name = StringField(
        "Name", description="Leave empty to use the file's.", validators=[Length(max=NAME_MAX)]
    )
    source = StringField("Source", validators=[Length(max=500)])
    licence = StringField("Licence", validators=[Length(max=500)])
    submit = SubmitField("Import")

    def meta_data(self) -> dict:
        """What the form says about the crosswalk; the file's own values fill what is empty."""
        return {
            key: (getattr(self, key).data or "").strip() for key in ("name", "source", "licence")
        }
