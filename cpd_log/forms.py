"""The base form every feature's forms inherit, and the POST-only button form."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField


def _drop_nul(value):
    """NUL characters are never meaningful in text, and PostgreSQL refuses them in TEXT columns."""
    return value.replace("\x00", "") if isinstance(value, str) else value


class Form(FlaskForm):
    """FlaskForm whose text fields drop NUL characters before validation."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, StringField):
                filters = [*unbound_field.kwargs.get("filters", ()), _drop_nul]
                return unbound_field.bind(form=form, filters=filters, **options)
            return unbound_field.bind(form=form, **options)


class EmptyForm(Form):
    """A POST-only button (log out, delete) that still carries the CSRF token."""

    submit = SubmitField("Submit")


class HoursField(StringField):
    """Hours typed as text ("1.5", "1,5", "1:30"); phones open their number pad for it."""

    def __init__(self, *args, **kwargs):
        kwargs["render_kw"] = {"inputmode": "decimal", **(kwargs.get("render_kw") or {})}
        super().__init__(*args, **kwargs)


class VersionField(HiddenField):
    """The version of the row an edit form was loaded with (optimistic concurrency).

    Missing or not a number reads as None, which never matches a stored version: such a save is
    treated as one from an older form (shown the saved values), never trusted, and never a
    validation error on a field the user cannot see."""

    def process_formdata(self, valuelist) -> None:
        try:
            self.data = int(valuelist[0]) if valuelist else None
        except ValueError:
            self.data = None

    def show(self, version: int) -> None:
        """Carry `version` in the re-rendered form, whatever was submitted."""
        self.data = version
        self.raw_data = [str(version)]
