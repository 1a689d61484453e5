"""Team forms."""

from wtforms import BooleanField, EmailField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from cpd_log.forms import Form
from cpd_log.models.team import TEAM_NAME_MAX


class TeamForm(Form):
    name = StringField(
        "Team name",
        validators=[
            DataRequired(message="Give the team a name."),
            Length(max=TEAM_NAME_MAX, message=f"At most {TEAM_NAME_MAX} characters."),
        ],
    )


class InviteForm(Form):
    email = EmailField(
        "Email (optional)",
        description="Leave empty for a link you pass on yourself; with an address, we mail the "
        "link and only that person's account can use it.",
        validators=[Optional(), Length(max=254), Email(message="Enter a valid email address.")],
    )
    lead = BooleanField("Lead: sees the team dashboard and manages the team")
    appraiser = BooleanField("Appraiser: receives members' portfolios for appraisal")


class RolesForm(Form):
    lead = BooleanField("Lead")
    appraiser = BooleanField("Appraiser")


class ConsentForm(Form):
    progress = BooleanField(
        "My hours and scheme progress",
        description="Each active cycle: met, on pace or at risk, days left, hours counted.",
    )
    competencies = BooleanField(
        "My competency coverage",
        description="Hours per competency of the team's framework over the last two years.",
    )
    portfolios = SelectMultipleField(
        "Portfolios the team's leads may open", coerce=int, validate_choice=True
    )


class FrameworkForm(Form):
    framework = SelectField("Team framework", coerce=int)
