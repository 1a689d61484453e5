"""Forms: enrol in a scheme, split an activity across categories, write your own scheme."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from cpd_log.common.validators import in_range
from cpd_log.forms import Form
from cpd_log.schemes.checking import SchemeError, parse_scheme_text
from cpd_log.schemes.splits import split_errors

MAX_SCHEME_TEXT = 100_000
EARLIEST_START_YEARS = 40


class EnrolForm(Form):
    scheme = SelectField("Scheme", coerce=int, validate_choice=True)
    label = StringField(
        "Name on your dashboard",
        validators=[Optional(), Length(max=100)],
        description="For example “PMP” or “PgMP” — leave empty to use the scheme's name.",
    )
    start_date = DateField(
        "Cycle start date",
        validators=[InputRequired(message="Enter a date."), in_range],
        description="The day you were certified, joined, or your appraisal year starts.",
    )
    submit = SubmitField("Enrol")

    def validate_start_date(self, field) -> None:
        """Every cycle since the start is stored: a start decades back would store hundreds."""
        if field.data and field.data < date.today() - timedelta(days=EARLIEST_START_YEARS * 365):
            raise ValidationError(
                f"Enter a start date within the last {EARLIEST_START_YEARS} years."
            )


class SchemeForm(Form):
    content = TextAreaField(
        "Scheme (JSON)",
        validators=[
            DataRequired(message="Paste or write the scheme."),
            Length(max=MAX_SCHEME_TEXT),
        ],
        description="Checked against the scheme schema; figures are in the scheme's unit.",
        render_kw={"rows": 24, "spellcheck": "false"},
    )
    submit = SubmitField("Save scheme")

    def validate_content(self, field) -> None:
        try:
            self.data_, self.scheme = parse_scheme_text(field.data)
        except SchemeError as error:
            raise ValidationError("; ".join(error.problems)) from None


def _amount(text: str, unit_minutes: int) -> int:
    """Hours/PDUs/points as typed (0, 1.5, 1,25) -> minutes; ValueError when it is not one."""
    try:
        value = Decimal((text or "0").strip().replace(",", ".") or "0")
    except InvalidOperation:
        raise ValueError from None
    if not value.is_finite() or abs(value) > 100_000:
        raise ValueError
    minutes = value * unit_minutes
    if minutes % 1:
        raise ValueError
    return int(minutes)


def split_form(scheme, activity_minutes: int, initial: dict[str, int]):
    """A form with one amount field per category an activity's minutes can go to."""
    leaves = scheme.leaves()

    class SplitForm(Form):
        submit = SubmitField("Save split")

        def validate(self, extra_validators=None) -> bool:
            if not super().validate(extra_validators):
                return False
            self.split, problems = {}, False
            for name, category in self.categories:
                try:
                    self.split[category.code] = _amount(self[name].data, scheme.unit_minutes)
                except ValueError:
                    self[name].errors.append(f"Enter a number of {scheme.unit_plural}, e.g. 1.5.")
                    problems = True
            if problems:
                return False
            errors = split_errors(scheme, activity_minutes, self.split)
            for name, category in self.categories:
                if category.code in errors:
                    self[name].errors.append(errors[category.code])
            self.form_errors = [errors[""]] if "" in errors else []
            return not errors

    SplitForm.categories = []
    for index, category in enumerate(leaves):
        parent = scheme.category(category.parent) if category.parent else None
        label = f"{parent.name} › {category.name}" if parent else category.name
        name = f"c{index}"
        setattr(SplitForm, name, StringField(label, validators=[Length(max=20)]))
        SplitForm.categories.append((name, category))
    data = {
        name: f"{initial.get(c.code, 0) / scheme.unit_minutes:g}"
        for name, c in SplitForm.categories
    }
    return SplitForm(data=data)
