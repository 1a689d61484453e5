"""The evidence form: a file or a web address, with an optional title."""

from flask_wtf.file import FileField
from wtforms import StringField, SubmitField
from wtforms.validators import Length, Optional

from cpd_log.common.validators import http_url
from cpd_log.forms import Form


class EvidenceForm(Form):
    title = StringField("Title (optional)", validators=[Optional(), Length(max=200)])
    file = FileField(
        "File",
        description="PDF, PNG, JPEG, GIF, WebP, plain text or Word (.docx). The type is checked "
        "from the content, not the name.",
    )
    url = StringField("…or a web address", validators=[Optional(), Length(max=2000), http_url])
    submit = SubmitField("Attach")

    def validate(self, extra_validators=None) -> bool:
        """Exactly one of a file and a web address (checked after the fields' own rules)."""
        valid = super().validate(extra_validators)
        has_file = bool(self.file.data and getattr(self.file.data, "filename", ""))
        if has_file and self.url.data:
            self.url.errors.append("Attach a file or a web address, not both.")
            return False
        if not has_file and not self.url.data:
            self.file.errors.append("Choose a file or enter a web address.")
            return False
        return valid
