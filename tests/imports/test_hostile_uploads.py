"""Hostile files through the upload pages: a message at the upload field, nothing saved, no 500.

The parsers' budgets are measured in test_budgets.py; this checks the pages around them, in the
request (so the time budget's timer runs as it does under gunicorn's sync workers).
"""

import io

import pytest
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from cpd_log.extensions import db
from cpd_log.imports import ics
from cpd_log.models import Activity, Competency, Framework, ImportBatch
from tests.imports import hostile_files


def post_file(client, path: str, field: str, data: bytes, filename: str, **form):
    """POST a multipart upload. A large body is spooled to a temporary file the test client never
    closes, so the environ is built here and closed after the request."""
    builder = EnvironBuilder(
        path=path, method="POST", data={field: (io.BytesIO(data), filename), **form}
    )
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def upload_sheet(client, data, name):
    return post_file(client, "/imports/spreadsheet", "sheet", data, name)


def upload_calendar(client, name, data):
    return post_file(client, "/imports/calendar", "calendar", data, name)


def upload_badge(client, data, name):
    return post_file(client, "/imports/badge", "badge", data, name, kind="course", hours="12")


def upload_framework(client, data, fmt):
    path = "/competencies/frameworks/import"
    return post_file(client, path, "file", data, "f.json", format=fmt, name="Hostile")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def refused_at(response, field: str, message: str) -> None:
    page = response.data.decode()
    assert response.status_code == 200
    assert f'id="{field}-errors"' in page
    assert message in page
    assert count(Activity) == count(ImportBatch) == count(Framework) == count(Competency) == 0


@pytest.mark.parametrize(
    ("builder", "name", "message"),
    [
        ("wide_row_xlsx", "wide.xlsx", "unpacks to more than 48 MB"),
        ("wide_row_small_xlsx", "wide.xlsx", "Row 2 has more than 60 columns."),
        ("lying_size_xlsx", "lying.xlsx", "could not be opened as an Excel workbook"),
        ("wide_csv", "wide.csv", "Line 2 is longer than 131,072 characters"),
    ],
)
def test_spreadsheets(logged_in, builder, name, message):
    data = getattr(hostile_files, builder)()
    refused_at(upload_sheet(logged_in, data, name), "sheet", message)


@pytest.mark.parametrize(
    ("builder", "message"),
    [
        ("minutely_ics", "repeats minutely"),
        ("many_events_ics", "more than 5,000 events"),
        ("never_matching_rules_ics", "longer than 1 seconds"),
    ],
)
def test_calendars(logged_in, monkeypatch, builder, message):
    # The page's refusal of a calendar that reads too long, at a 1-second budget instead of the
    # real 5 (4 s of CPU less, twice: SQLite and PostgreSQL); test_budgets.py holds the real one.
    monkeypatch.setattr(ics, "PARSE_SECONDS", 1)
    data = getattr(hostile_files, builder)()
    refused_at(upload_calendar(logged_in, "hostile.ics", data), "calendar", message)


@pytest.mark.parametrize(
    ("builder", "name", "message"),
    [
        ("nested_badge", "badge.json", "nests more than 64 levels"),
        ("png_bomb", "badge.png", "carries no Open Badge"),
        ("png_big_text", "badge.png", "far larger than a badge"),
    ],
)
def test_badges(logged_in, builder, name, message):
    data = getattr(hostile_files, builder)()
    refused_at(upload_badge(logged_in, data, name), "badge", message)


@pytest.mark.parametrize(
    ("builder", "fmt", "message"),
    [
        ("nested_json", "case", "nests more than 64 levels"),
        ("nested_json_below_recursion_limit", "case", "nests more than 64 levels"),
        ("nested_json", "matrix", "nests more than 64 levels"),
        ("big_framework_csv", "csv", "more than 5,000 areas and competencies"),
    ],
)
def test_frameworks(logged_in, builder, fmt, message):
    data = getattr(hostile_files, builder)()
    refused_at(upload_framework(logged_in, data, fmt), "file", message)
