"""The base form every feature's forms inherit, and the POST-only button form."""

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField


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
