from wtforms import SelectField, SubmitField

from cpd_log.forms import Form
from cpd_log.models.reminder import Frequency

CHOICES = [
    (Frequency.OFF.value, "Off"),
    (Frequency.WEEKLY.value, "Weekly"),
    (Frequency.MONTHLY.value, "Monthly"),
]


class ReminderForm(Form):
    frequency = SelectField("Email me what to do next", choices=CHOICES, default="off")
    submit = SubmitField("Save")
