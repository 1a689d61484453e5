from wtforms import SelectChoice, SelectField, SubmitField

from cpd_log.forms import Form
from cpd_log.models.reminder import Frequency

CHOICES = [
    SelectChoice(Frequency.OFF.value, "Off"),
    SelectChoice(Frequency.WEEKLY.value, "Weekly"),
    SelectChoice(Frequency.MONTHLY.value, "Monthly"),
]


class ReminderForm(Form):
    frequency = SelectField("Email me what to do next", choices=CHOICES, default="off")
    submit = SubmitField("Save")
