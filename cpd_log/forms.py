"""The base form every feature's forms inherit, and the POST-only button form."""

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import HiddenField, StringField, SubmitField
from wtforms.widgets import Select


def _drop_nul(value):
    """NUL characters are never meaningful in text, and PostgreSQL refuses them in TEXT columns."""
    return value.replace("\x00", "") if isinstance(value, str) else value


class FastSelect(Select):
    """WTForms' Select, writing each plain option with one f-string instead of `html_params`: the
    same HTML (tests/test_forms.py compares them), about a third of the time. A competency picker
    has 100+ options and the activity list shows two, so this was 40 % of the list's first view."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if choice.render_kw or kwargs:  # attributes of its own: WTForms writes them
            return Select.render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        selected = " selected" if choice.selected else ""
        label = escape(choice.label or choice.value)
        # Both interpolated values are escaped here (Markup.format would escape them, 3x slower).
        return Markup(f'<option{selected} value="{escape(value)}">{label}</option>')  # noqa: S704


class Form(FlaskForm):
    """FlaskForm whose text fields drop NUL characters before validation, and whose select
    fields render with FastSelect."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class, kwargs = unbound_field.field_class, dict(options)
            if issubclass(field_class, StringField):
                kwargs["filters"] = [*unbound_field.kwargs.get("filters", ()), _drop_nul]
            widget = unbound_field.kwargs.get("widget") or getattr(field_class, "widget", None)
            if type(widget) is Select:
                kwargs["widget"] = FastSelect(multiple=widget.multiple)
            return unbound_field.bind(form=form, **kwargs)


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
