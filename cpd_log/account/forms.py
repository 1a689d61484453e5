"""The account's export page: the backup (password again) and the import upload."""

from flask_wtf.file import FileField, FileRequired
from wtforms import PasswordField, SubmitField
from wtforms.validators import DataRequired

from cpd_log.forms import Form


class ImportForm(Form):
    """Rendered only: the upload is read from the request stream (import_jobs.accept_upload)."""

    file = FileField(
        "Account backup (.zip, or a .json export from an older release)",
        validators=[FileRequired(message="Choose the file to import.")],
    )
    submit = SubmitField("Import")


class BackupForm(Form):
    """The whole account leaves only after the password is entered again."""

    password = PasswordField("Your password", validators=[DataRequired()])
    submit = SubmitField("Download backup")
