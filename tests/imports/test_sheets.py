"""Spreadsheet import: CSV and XLSX, column mapping, per-row errors, duplicates, all-or-nothing."""

import io
from datetime import date, datetime, time

import openpyxl
import pytest
from sqlalchemy import func, select

from cpd_log.extensions import db
from cpd_log.imports.columns import FIELDS, suggest_mapping
from cpd_log.imports.sheets import SheetError, read_sheet
from cpd_log.imports.values import parse_date, parse_minutes
from cpd_log.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Delivery,
    ImportBatch,
    ImportRow,
)
from cpd_log.models.activity import ActivitySource
from tests import factories

EXPORT_HEADER = ",".join(FIELDS)


def csv_bytes(*lines: str, bom: bool = True) -> bytes:
    text = "\r\n".join(lines) + "\r\n"
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, data: bytes, name: str = "log.csv"):
    return client.post(
        "/imports/spreadsheet",
        data={"sheet": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def mapping_form(page_mapping: dict, **extra) -> dict:
    data = {f"col_{k}": "" if v is None else str(v) for k, v in page_mapping.items()}
    data.update({"default_kind": "other", "default_delivery": "online"})
    data.update(extra)
    return data


def count(model=Activity) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("1.5", 90), ("1,5", 90), ("1:30", 90), ("0:15", 15), ("2", 120), (" 7.25 ", 435)],
)
def test_hours_as_people_write_them(text, minutes):
    assert parse_minutes(text) == minutes


@pytest.mark.parametrize("text", ["", "0", "-1", "1.3", "abc", "1:75", "nan", "inf"])
def test_bad_hours(text):
    with pytest.raises(ValueError):
        parse_minutes(text)


@pytest.mark.parametrize(
    "text", ["2026-03-14", "14/03/2026", "14.03.2026", "14 Mar 2026", "March 14, 2026", "14/03/26"]
)
def test_common_date_formats(text):
    assert parse_date(text) == date(2026, 3, 14)


def test_pmi_style_and_export_headers_are_suggested():
    pmi = ["Provider", "Course Title", "Date Started", "Date Completed", "PDUs Claimed", "Notes"]
    mapping = suggest_mapping(pmi)
    assert mapping["title"] == 1
    assert mapping["provider"] == 0
    assert (mapping["start_date"], mapping["end_date"]) == (2, 3)
    assert mapping["hours"] == 4
    assert mapping["description"] == 5
    assert mapping["kind"] is None
    assert suggest_mapping(list(FIELDS)) == {name: i for i, name in enumerate(FIELDS)}
    labels = ["Title", "Kind", "Provider or organiser", "Start date", "End date", "Hours"]
    assert suggest_mapping(labels)["provider"] == 2


def test_our_own_export_round_trips(logged_in, user, framework):
    a1, a2, *_ = factories.leaves(framework)
    data = csv_bytes(
        EXPORT_HEADER,
        "PMO Flashmob: benefits,Community event (e.g. PMO Flashmob),PMO Flashmob,2026-03-10,,1.5,"
        "Online,yes,'-Read a benefit map,"
        f'"Benefit maps, line one\nline two",https://example.org/f,Completed,'
        f'"{a1.code} {a1.name}; {a2.code} {a2.name}"',
        "'=Not a formula,course,,2026-04-01,2026-04-02,12,in_person,no,,,,planned,",
    )
    location = upload(logged_in, data).headers["Location"]
    page = logged_in.get(location).data.decode()
    assert "2 row(s):" in page
    assert "<strong>0 with errors</strong>" in page
    response = logged_in.post(
        location, data=mapping_form(suggest_mapping(list(FIELDS)), commit="1")
    )
    assert response.headers["Location"] == "/activities/"
    first, second = db.session.scalars(select(Activity).order_by(Activity.start_date)).all()
    assert first.title == "PMO Flashmob: benefits"
    assert first.kind is ActivityKind.COMMUNITY_EVENT
    assert (first.minutes, first.delivery, first.participatory) == (90, Delivery.ONLINE, True)
    assert first.description == "Benefit maps, line one\nline two"
    assert (first.objective, second.objective) == ("-Read a benefit map", None)
    assert first.source is ActivitySource.CSV
    assert {c.id for c in first.competencies} == {a1.id, a2.id}
    assert second.title == "=Not a formula"  # our export's neutralising apostrophe is undone
    assert (second.end_date, second.status) == (date(2026, 4, 2), ActivityStatus.PLANNED)
    assert second.user_id == user.id
    assert count(ImportBatch) == 0


@pytest.mark.parametrize("header", ["Objective", "Learning objective", "LEARNING OBJECTIVE"])
def test_the_learning_objective_column_is_found_by_its_names(header):
    assert suggest_mapping(["Title", "Notes", header, "Date", "Hours"])["objective"] == 2


@pytest.mark.parametrize(
    ("header", "name"), [("Objective", "log.csv"), ("Learning objective", "log.xlsx")]
)
def test_the_learning_objective_imports_from_csv_and_xlsx(logged_in, header, name):
    headers = ["Title", "Date", "Hours", header, "Notes"]
    rows = [
        ["Estimating clinic", "2026-05-04", "2", "Size work with reference classes", "Went well"],
        ["Quiet reading", "2026-05-05", "1", "", ""],
    ]
    if name.endswith(".csv"):
        data = csv_bytes(*(",".join(row) for row in [headers, *rows]))
    else:
        data = xlsx_bytes([headers, *rows])
    location = upload(logged_in, data, name).headers["Location"]
    logged_in.post(location, data=mapping_form(suggest_mapping(headers), commit="1"))
    imported = db.session.execute(
        select(Activity.title, Activity.objective, Activity.description).order_by(Activity.title)
    ).all()
    assert imported == [
        ("Estimating clinic", "Size work with reference classes", "Went well"),
        ("Quiet reading", None, ""),
    ]


def test_pmi_claim_sheet_with_semicolons_and_day_first_dates(logged_in):
    data = csv_bytes(
        "Provider;Course Title;Date Started;Date Completed;PDUs Claimed",
        "PMI;Agile estimation;03/02/2026;04/02/2026;1,5",
        "PMI;Power skills;10/02/2026;;1:30",
        bom=False,
    )
    location = upload(logged_in, data).headers["Location"]
    mapping = suggest_mapping(
        ["Provider", "Course Title", "Date Started", "Date Completed", "PDUs Claimed"]
    )
    logged_in.post(location, data=mapping_form(mapping, default_kind="course", commit="1"))
    rows = db.session.execute(
        select(Activity.title, Activity.start_date, Activity.minutes, Activity.kind).order_by(
            Activity.start_date
        )
    ).all()
    assert rows == [
        ("Agile estimation", date(2026, 2, 3), 90, ActivityKind.COURSE),
        ("Power skills", date(2026, 2, 10), 90, ActivityKind.COURSE),
    ]


def test_one_bad_row_means_nothing_is_imported(logged_in):
    data = csv_bytes(
        "title,start_date,hours,url",
        "Good row,2026-01-05,1,",
        "Bad hours,2026-01-06,1.3,",
        "Bad date,31/02/2026,1,",
        "Bad link,2026-01-07,1,javascript:alert(1)",
        ",2026-01-08,1,",
    )
    location = upload(logged_in, data).headers["Location"]
    mapping = suggest_mapping(["title", "start_date", "hours", "url"])
    page = logged_in.get(location).data.decode()
    assert "<strong>4 with errors</strong>" in page
    assert "Use steps of 0.25 hours" in page
    assert "is not a date we can read" in page
    assert "a web address starts with http" in page
    assert "a title is needed" in page
    response = logged_in.post(location, data=mapping_form(mapping, commit="1"))
    assert response.status_code == 200
    assert "Nothing was imported: 4 row(s) have errors." in response.data.decode()
    assert count() == 0


def test_duplicates_are_flagged_and_skipped_unless_asked(logged_in, user):
    factories.make_activity(user, title="Risk workshop", start_date=date(2026, 1, 5), minutes=60)
    data = csv_bytes(
        "title,start_date,hours",
        "Risk workshop,2026-01-05,1",
        "New course,2026-01-06,2",
        "New course,2026-01-06,2",
    )
    location = upload(logged_in, data).headers["Location"]
    mapping = suggest_mapping(["title", "start_date", "hours"])
    page = logged_in.get(location).data.decode()
    assert "2 that look like duplicates" in page
    logged_in.post(location, data=mapping_form(mapping, commit="1"))
    assert count() == 2  # the existing one plus one "New course"

    location = upload(logged_in, data).headers["Location"]
    logged_in.post(location, data=mapping_form(mapping, commit="1", include_duplicates="y"))
    assert count() == 5


def test_mapping_must_name_the_required_columns(logged_in):
    data = csv_bytes("Thing,When,Time", "Reading,2026-01-05,1")
    location = upload(logged_in, data).headers["Location"]
    page = logged_in.get(location).data.decode()
    assert 'id="sheet-preview"' not in page
    response = logged_in.post(location, data=mapping_form({"title": 0}, commit="1"))
    assert "Choose the column that holds the start date." in response.data.decode()
    response = logged_in.post(
        location, data=mapping_form({"title": 0, "start_date": 1, "hours": 2}, commit="1")
    )
    assert response.status_code == 302
    assert count() == 1


def test_xlsx_with_real_dates_numbers_and_times(logged_in):
    data = xlsx_bytes(
        [
            ["Activity Title", "Date", "Hours", "Type", "Delivery"],
            ["Scheduling masterclass", datetime(2026, 5, 4), 3.5, "Course", "Classroom"],
            ["Podcast: PMO pulse", date(2026, 5, 6), time(0, 45), "podcast", "on demand"],
        ]
    )
    location = upload(logged_in, data, "log.xlsx").headers["Location"]
    mapping = suggest_mapping(["Activity Title", "Date", "Hours", "Type", "Delivery"])
    logged_in.post(location, data=mapping_form(mapping, commit="1"))
    rows = db.session.execute(
        select(
            Activity.title, Activity.start_date, Activity.minutes, Activity.kind, Activity.delivery
        ).order_by(Activity.start_date)
    ).all()
    assert rows == [
        ("Scheduling masterclass", date(2026, 5, 4), 210, ActivityKind.COURSE, Delivery.IN_PERSON),
        ("Podcast: PMO pulse", date(2026, 5, 6), 45, ActivityKind.PODCAST, Delivery.SELF_PACED),
    ]


def test_xlsx_formula_cells_are_refused(logged_in):
    data = xlsx_bytes(
        [
            ["title", "start_date", "hours"],
            ["Sum row", "2026-01-01", "=1+1"],
            ["=A2", "2026-01-02", 1],
        ]
    )
    location = upload(logged_in, data, "log.xlsx").headers["Location"]
    mapping = suggest_mapping(["title", "start_date", "hours"])
    response = logged_in.post(location, data=mapping_form(mapping, commit="1"))
    page = response.data.decode()
    assert "Hours is a formula; paste it as a value." in page
    assert "Title is a formula" in page
    assert count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            "title,start_date,hours\r\nRéunion PMO,2026-01-01,1\r\n".encode("latin-1"),
            "not in UTF-8",
        ),
        (b"", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old Excel (.xls)"),
        (b"PK\x03\x04 not really a zip", "could not be opened as an Excel workbook"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        (b"title,start_date,hours\r\n", "no rows of activities"),
    ],
    ids=["latin-1", "empty", "xls", "bad-zip", "png", "header-only"],
)
def test_unreadable_spreadsheets_get_a_message_and_create_nothing(logged_in, data, message):
    response = upload(logged_in, data)
    assert response.status_code == 200
    assert message in response.data.decode()
    assert count(ImportBatch) == 0
    assert count() == 0


def test_a_50_mb_spreadsheet_is_refused_with_a_message(logged_in):
    row = b"Padding row,2026-01-01,1," + b"x" * 1000 + b"\r\n"
    data = b"title,start_date,hours,notes\r\n" + row * (50 * 1024 * 1024 // len(row))
    # The multipart body built by hand: werkzeug's test client would spool it to a temporary
    # file that the refused request never reads, and leave it open.
    body = (
        b'--B\r\nContent-Disposition: form-data; name="sheet"; filename="big.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + data + b"\r\n--B--\r\n"
    )
    response = logged_in.post(
        "/imports/spreadsheet", data=body, content_type="multipart/form-data; boundary=B"
    )
    assert response.status_code == 413
    assert "too large to import" in response.data.decode()
    assert count(ImportBatch) == 0
    assert count() == 0


def test_read_sheet_limits_rows():
    data = csv_bytes("title,start_date,hours", *["x,2026-01-01,1"] * 20_002)
    with pytest.raises(SheetError, match="more than 20,000 rows"):
        read_sheet(data)


def test_the_stored_check_still_sees_activities_logged_since_the_upload(logged_in, user):
    data = csv_bytes("title,start_date,hours", "Risk workshop,2026-01-05,1")
    location = upload(logged_in, data).headers["Location"]
    staged = db.session.scalar(select(ImportRow))
    assert (staged.title, staged.minutes, staged.duplicate) == ("Risk workshop", 60, False)
    factories.make_activity(user, title="Risk workshop", start_date=date(2026, 1, 5), minutes=60)
    assert "1 that look like duplicates" in logged_in.get(location).data.decode()
    logged_in.post(
        location, data=mapping_form(suggest_mapping(["title", "start_date", "hours"]), commit="1")
    )
    assert count() == 1


def test_a_competency_deleted_after_the_check_is_dropped_not_a_500(logged_in, framework):
    leaf = factories.leaves(framework)[0]
    data = csv_bytes("title,start_date,hours,competencies", f"Risk,2026-01-05,1,{leaf.code}")
    location = upload(logged_in, data).headers["Location"]
    db.session.delete(leaf)
    db.session.commit()
    mapping = suggest_mapping(["title", "start_date", "hours", "competencies"])
    assert logged_in.post(location, data=mapping_form(mapping, commit="1")).status_code == 302
    assert db.session.scalar(select(Activity)).competencies == []


def test_changing_the_mapping_checks_again(logged_in):
    data = csv_bytes("title,start_date,hours,other", "Risk,2026-01-05,1,zzz")
    location = upload(logged_in, data).headers["Location"]
    mapping = {**suggest_mapping(["title", "start_date", "hours", "other"]), "kind": 3}
    response = logged_in.post(location, data=mapping_form(mapping, commit="1"))
    assert "is not a kind we know" in response.data.decode()
    assert count() == 0


def test_preview_query_count_does_not_grow_with_rows(logged_in, user, count_queries):
    def queries(rows: int) -> int:
        lines = [f"Row {n},2026-01-{n % 28 + 1:02d},1" for n in range(rows)]
        location = upload(logged_in, csv_bytes("title,start_date,hours", *lines)).headers[
            "Location"
        ]
        with count_queries() as statements:
            assert logged_in.get(location).status_code == 200
        return len(statements)

    small = queries(3)
    for n in range(30):
        factories.make_activity(user, title=f"Existing {n}")
    assert queries(600) == small
