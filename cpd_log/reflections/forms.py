"""Reflection forms: the reflection with a text field per stage of every model, and the filters."""

from wtforms import DateField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from cpd_log.activities.fields import MAX_TEXT
from cpd_log.activities.forms import CompetencyField
from cpd_log.common.validators import in_range
from cpd_log.forms import Form, VersionField
from cpd_log.reflections.reflective_models import ALL_STAGES, REFLECTIVE_MODELS, clean_stages
from cpd_log.reflections.services import TITLE_MAX

MODEL_CHOICES = [SelectChoice(m.key, m.name) for m in REFLECTIVE_MODELS.values()]


def optional_int(value) -> int | None:
    return int(value) if value not in ("", None) else None


class ActivityChoiceField(SelectField):
    """The activity a reflection is about ("" = none), as an int id or None."""

    def process_formdata(self, valuelist) -> None:
        value = valuelist[0] if valuelist else ""
        try:
            self.data = int(value) if value else None
        except ValueError:
            self.data = None
            raise ValueError("Choose an activity from the list.") from None

    def pre_validate(self, form) -> None:
        if self.data is not None and self.data not in {c.value for c in self.iter_choices()}:
            raise ValidationError("Choose an activity from the list.")


class _StageFields(Form):
    pass


# One TextAreaField per stage key of every model: the template shows the chosen model's stages
# and any text kept from a previous model; a stage never shown posts nothing and keeps nothing.
for _key, (_model, _stage) in ALL_STAGES.items():
    setattr(
        _StageFields,
        f"stage_{_key}",
        TextAreaField(_stage.label, validators=[Optional(), Length(max=MAX_TEXT)]),
    )


class ReflectionForm(_StageFields):
    title = StringField("Title", validators=[DataRequired(), Length(max=TITLE_MAX)])
    reflected_on = DateField("Date", validators=[InputRequired(message="Enter a date."), in_range])
    model = SelectField("Reflective model", choices=MODEL_CHOICES, default="free")
    activity = ActivityChoiceField("About the activity", coerce=optional_int, validate_choice=False)
    competencies = CompetencyField("Competencies", coerce=int, validate_choice=True)
    # The reflection's version when the form was loaded (edit only; ignored when writing one).
    version = VersionField()
    save = SubmitField("Save reflection")
    save_draft = SubmitField("Save as draft")

    def stage_field(self, key: str):
        return self[f"stage_{key}"]

    def submitted_stages(self) -> dict[str, str]:
        return clean_stages({key: self.stage_field(key).data or "" for key in ALL_STAGES})

    def validate_model(self, field) -> None:
        if not self.save_draft.data and not self.submitted_stages():
            raise ValidationError("Write something in at least one stage, or save as a draft.")

    def reflection_data(self) -> dict:
        return {
            "title": self.title.data.strip(),
            "reflected_on": self.reflected_on.data,
            "model": self.model.data,
            "activity_id": self.activity.data,
            "competency_ids": list(self.competencies.data or []),
            "stages": self.submitted_stages(),
            "is_draft": bool(self.save_draft.data),
        }


class ReflectionFilterForm(Form):
    """GET filters on the list; an invalid value is reported and that filter ignored."""

    class Meta:
        csrf = False

    q = StringField("Search", validators=[Optional(), Length(max=200)])
    # default="": a visit with no filter chooses "Any …", not an invalid None.
    model = SelectField(
        "Model", choices=[SelectChoice("", "Any model"), *MODEL_CHOICES], default=""
    )
    date_from = DateField("From", validators=[Optional(), in_range])
    date_to = DateField("To", validators=[Optional(), in_range])
    competency = SelectField("Competency", coerce=str, validate_choice=True, default="")
    activity = SelectField("Activity", coerce=str, validate_choice=True, default="")
    drafts = SelectField(
        "Show",
        choices=[SelectChoice("", "Reflections"), SelectChoice("1", "Drafts")],
        default="",
    )

    def criteria(self) -> dict:
        self.validate()
        value = {name: None if field.errors else field.data for name, field in self._fields.items()}
        return {
            "q": (value["q"] or "").strip() or None,
            "model": value["model"] or None,
            "date_from": value["date_from"],
            "date_to": value["date_to"],
            "competency_id": int(value["competency"]) if value["competency"] else None,
            "activity_id": int(value["activity"]) if value["activity"] else None,
            "drafts": value["drafts"] == "1",
        }


class ApplyForm(Form):
    """The answer to "How did you apply it?"."""

    applied_text = TextAreaField(
        "How did you apply it?", validators=[DataRequired(), Length(max=MAX_TEXT)]
    )
    submit = SubmitField("Save")
