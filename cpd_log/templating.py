"""Jinja filters and globals used across templates."""

from datetime import date

from flask import Flask
from flask_wtf import FlaskForm
from jinja2 import pass_context
from jinja2.runtime import Context

from cpd_log.common.dates import time_ago
from cpd_log.common.web_urls import web_url_or_blank


def hours(minutes: int | None) -> str:
    """Minutes as hours for people: 90 -> '1.5', 75 -> '1.25', 120 -> '2'."""
    value = (minutes or 0) / 60
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text or "0"


def long_date(value: date | str | None) -> str:
    """ "22 Sep 2026", everywhere a date is shown; also for an ISO date kept as text (a stored
    calendar upload's events)."""
    if isinstance(value, str):
        value = date.fromisoformat(value) if value else None
    return value.strftime("%-d %b %Y") if value else ""


@pass_context
def failed_forms(context: Context) -> list[FlaskForm]:
    """The forms the page was given that failed to save, whatever the view named them (`form`,
    `calendar_form`, `assess`, …): base.html puts "Error: " in the title and the error summary
    at the top for them (issue 14, defect 6)."""
    forms = {id(v): v for v in context.get_all().values() if isinstance(v, FlaskForm)}
    return [form for form in forms.values() if form.errors]


def register(app: Flask) -> None:
    app.add_template_filter(hours, "hours")
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(time_ago, "time_ago")
    # Only http(s) addresses become links: the `link` macro in _macros.html uses this.
    app.add_template_filter(web_url_or_blank, "web_url")
    app.add_template_global(failed_forms, "failed_forms")
