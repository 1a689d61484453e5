"""The activities CSV: UTF-8 with BOM, every field, formulas neutralised, only the owner's rows."""

import csv
import io
from datetime import date

import pytest

from cpd_log.account.activity_csv import plain_hours
from cpd_log.common.spreadsheet_safety import neutralise
from cpd_log.imports.columns import FIELDS
from tests import factories


def _rows(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_csv_has_a_header_and_every_field(logged_in, user, framework):
    leaf = factories.leaves(framework)[0]
    factories.make_activity(
        user,
        title="Café ☕ 中文",
        provider="APM",
        minutes=75,
        start_date=date(2026, 1, 2),
        end_date=date(2026, 1, 3),
        url="https://example.org",
        description="Line 1\nLine 2",
        competencies=[leaf],
    )
    response = logged_in.get("/export/activities.csv")
    assert response.headers["Content-Disposition"] == "attachment; filename=activities.csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # said once
    header, row = _rows(response)
    record = dict(zip(header, row, strict=True))
    assert record["title"] == "Café ☕ 中文"
    assert record["hours"] == "1.25"
    assert record["start_date"] == "2026-01-02" and record["end_date"] == "2026-01-03"
    assert record["description"] == "Line 1\nLine 2"
    assert record["competencies"] == "A1.1 Competency 1.1"
    assert header == list(FIELDS)


def test_csv_has_the_learning_objective_beside_the_description(logged_in, user):
    factories.make_activity(user, title="Aimed", objective="Learn =SUM traps", description="Did")
    factories.make_activity(user, title="Unaimed", start_date=date(2026, 1, 1))
    header, *rows = _rows(logged_in.get("/export/activities.csv"))
    assert header[8:10] == ["objective", "description"]
    records = {r["title"]: r for r in (dict(zip(header, row, strict=True)) for row in rows)}
    assert records["Aimed"]["objective"] == "Learn =SUM traps"
    assert records["Unaimed"]["objective"] == ""


@pytest.mark.parametrize("value", ["=SUM(A1:A2)", "+1", "-2+3", "@cmd", "\t=x", "\r=x"])
def test_formula_cells_are_neutralised(logged_in, user, value):
    factories.make_activity(user, title=value, provider=value)
    header, row = _rows(logged_in.get("/export/activities.csv"))
    record = dict(zip(header, row, strict=True))
    assert record["title"] == "'" + value
    assert record["provider"] == "'" + value


def test_hours_have_no_thousands_separator():
    assert plain_hours(60_015) == "1000.25"
    assert plain_hours(90) == "1.5" and plain_hours(120) == "2"


def test_harmless_cells_are_left_alone():
    assert neutralise("Risk = reward") == "Risk = reward"
    assert neutralise("") == ""


def test_csv_holds_only_the_owners_activities(logged_in, user, other_user):
    factories.make_activity(user, title="Mine")
    factories.make_activity(other_user, title="Bob's")
    rows = _rows(logged_in.get("/export/activities.csv"))
    assert [r[0] for r in rows[1:]] == ["Mine"]


def test_csv_query_count_does_not_grow(logged_in, user, framework, count_queries):
    leaf = factories.leaves(framework)[0]
    factories.make_activity(user, competencies=[leaf])
    with count_queries() as few:
        logged_in.get("/export/activities.csv")
    for _ in range(15):
        factories.make_activity(user, competencies=[leaf])
    with count_queries() as many:
        logged_in.get("/export/activities.csv")
    assert len(many) == len(few)
