"""The base form: FastSelect writes the same HTML as WTForms' Select, and every select field of
a cpd_log form renders with it."""

import pytest
from wtforms import Form as PlainForm
from wtforms import RadioField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import Select

from cpd_log.activities.forms import ActivityFilterForm, CompetencyField
from cpd_log.forms import FastSelect, Form

HOSTILE = "Risk <b>&</b> \"quoted\" 'single'"
CHOICES = {
    "plain": [SelectChoice("1", "One"), SelectChoice("2", "Two")],
    "groups": [
        SelectChoice("1", "PMO.1 Governance", optgroup="PMO — Governance"),
        SelectChoice("2", "PMO.2 Assurance", optgroup="PMO — Governance"),
        SelectChoice("3", HOSTILE, optgroup=HOSTILE),
        SelectChoice("4", "Ungrouped"),
    ],
    "hostile values": [SelectChoice('a"b<c>', HOSTILE), SelectChoice("&amp;", "")],
    "own attributes": [
        SelectChoice("1", "One", render_kw={"data-code": "PMO.1", "disabled": True}),
        SelectChoice("2", "Two"),
    ],
}

YES_NO = [SelectChoice(True, "Yes"), SelectChoice(False, "No")]
ONE = [SelectChoice("a", "A")]


@pytest.mark.parametrize("name", CHOICES)
@pytest.mark.parametrize("multiple", [False, True])
@pytest.mark.parametrize("chosen", [None, "1", "3", 'a"b<c>'])
def test_fast_select_writes_what_wtforms_writes(app, name, multiple, chosen):
    field_class = SelectMultipleField if multiple else SelectField
    data = ([chosen] if chosen else []) if multiple else chosen

    class Both(PlainForm):
        slow = field_class(choices=CHOICES[name], widget=Select(multiple=multiple))
        fast = field_class(choices=CHOICES[name], widget=FastSelect(multiple=multiple))

    form = Both(data={"slow": data, "fast": data})
    slow = str(form.slow(class_="form-select")).replace("slow", "NAME")
    fast = str(form.fast(class_="form-select")).replace("fast", "NAME")
    assert fast == slow
    if chosen == "1" and name != "hostile values":
        assert "selected" in fast


def test_boolean_values_are_written_as_wtforms_writes_them(app):
    class Both(PlainForm):
        slow = SelectField(choices=YES_NO, coerce=bool, widget=Select())
        fast = SelectField(choices=YES_NO, coerce=bool, widget=FastSelect())

    form = Both(data={"slow": True, "fast": True})
    assert str(form.fast()).replace("fast", "x") == str(form.slow()).replace("slow", "x")


def test_every_select_of_a_cpd_log_form_renders_with_fast_select(app):
    class Sample(Form):
        one = SelectField(choices=ONE)
        many = SelectMultipleField(choices=ONE)
        picked = CompetencyField(choices=[])
        own = SelectField(choices=ONE, widget=Select(multiple=True))
        radio = RadioField(choices=ONE)

    with app.test_request_context():
        form = Sample(meta={"csrf": False})
        filters = ActivityFilterForm(meta={"csrf": False})
    assert type(form.one.widget) is FastSelect and not form.one.widget.multiple
    assert type(form.many.widget) is FastSelect and form.many.widget.multiple
    assert type(form.picked.widget) is FastSelect and form.picked.widget.multiple
    assert type(form.own.widget) is FastSelect and form.own.widget.multiple  # kept multiple
    assert type(form.radio.widget) is not FastSelect  # not a select: left alone
    assert type(filters.competency.widget) is FastSelect
    assert form.one.filters == ()  # only text fields get the NUL filter
