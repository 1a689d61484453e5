"""Forms of the team library: copying a framework the lead sees into the team."""

from wtforms import SelectField, SubmitField

from cpd_log.forms import Form


class CopyFrameworkForm(Form):
    source = SelectField("Framework to copy", coerce=int, validate_choice=True)
    submit = SubmitField("Copy into the team")
