"""Spreadsheets from the real world (issue 16, "Wrong today" 4–7): competencies named by area or
name, dates in either order, learning-platform lists without hours, encrypted workbooks.

The files are in tests/imports/data/ (each one's source is in its test or its maker script)."""

import json
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from cpd_log.competencies.services import DATA_DIR, load_framework
from cpd_log.extensions import db
from cpd_log.imports.columns import suggest_mapping
from cpd_log.imports.rows import Defaults, check_rows, parse_competencies
from cpd_log.imports.services import competency_lookup
from cpd_log.imports.sheets import SheetError, read_sheet
from cpd_log.imports.xlsx_budget import ole_entry_names
from cpd_log.models import Activity, ActivityKind, Competency, Delivery, Framework
from tests import factories
from tests.imports.test_sheets import mapping_form, upload

DATA = Path(__file__).parent / "data"
DEFAULTS = Defaults(ActivityKind.OTHER, Delivery.ONLINE)


def data(name: str) -> bytes:
    return (DATA / name).read_bytes()


def talent_triangle() -> Framework:
    """The shipped PMI Talent Triangle, as `flask seed` loads it."""
    framework, _ = load_framework(json.loads((DATA_DIR / "pmi-talent-triangle.json").read_text()))
    db.session.commit()
    return framework


def preview(client, name: str, **form):
    """Upload a fixture, post its suggested mapping with `form`; the mapping page's HTML."""
    location = upload(client, data(name), name).headers["Location"]
    headers, _ = read_sheet(data(name))
    page = client.post(location, data=mapping_form(suggest_mapping(headers), **form))
    return location, headers, page.data.decode()


def commit(client, location, headers, **form):
    response = client.post(
        location, data=mapping_form(suggest_mapping(headers), commit="1", **form)
    )
    assert response.status_code == 302, response.data.decode()[-3000:]
    return {a.title: a for a in db.session.scalars(select(Activity))}


# 4. Competencies by code, "code name", name or area name, across frameworks ------------------


def test_a_talent_triangle_column_of_area_names_tags_the_area_competencies(logged_in):
    talent_triangle()
    location, headers, page = preview(logged_in, "pmi_claims.csv")
    assert "<strong>0 with errors</strong>" in page
    activities = commit(logged_in, location, headers)
    codes = {title: sorted(c.code for c in a.competencies) for title, a in activities.items()}
    assert codes == {
        "Agile retrospectives that work": ["TT.WOW"],  # the area's name
        "Negotiation for project leads": ["TT.PS"],
        "Benefits realisation": ["TT.BA"],  # any letter case
        "Stakeholder storytelling": ["TT.PS"],  # the code
        "Portfolio value": ["TT.BA"],  # "code name"
        "Hybrid delivery": ["TT.PS", "TT.WOW"],
    }


def test_a_name_in_two_frameworks_is_refused_with_both_candidates(logged_in, user):
    talent_triangle()
    own = Framework(slug="mine", name="My skills", owner_id=user.id, levels=[])
    area = Competency(framework=own, code="SOFT", name="Soft skills", sort=1)
    db.session.add_all(
        [own, area, Competency(framework=own, parent=area, code="S1", name="Power skills")]
    )
    db.session.commit()
    _, _, page = preview(logged_in, "pmi_claims.csv")
    assert "<strong>2 with errors</strong>" in page  # "Power Skills" twice; TT.PS still works
    assert (
        "“Power Skills” could be S1 Power skills (My skills); TT.PS Power Skills (PMI Talent "
        "Triangle). Write the code of the one you mean."
    ) in page


def test_an_area_of_several_competencies_offers_them(app, user, framework):
    lookup = competency_lookup(user)
    with pytest.raises(ValueError, match=r"could be A1\.1 Competency 1\.1 \(Test Framework\); A1"):
        parse_competencies("area 1", lookup)
    area_one = factories.leaves(framework)[0]
    assert parse_competencies("competency 1.1|A1.1", lookup) == [area_one.id]
    other = factories.make_framework(owner=user)
    with pytest.raises(ValueError, match="could be"):  # the same code in two frameworks
        parse_competencies("A1.1", competency_lookup(user))
    assert other.id != framework.id


# 5. Dates: the order decided per column, asked when the file proves both ----------------------


def test_month_first_dates_are_read_month_first_when_one_proves_it(app):
    headers, rows = read_sheet(data("dates_month_first.csv"))
    results = check_rows(rows, suggest_mapping(headers), DEFAULTS, {}, set())
    assert [r.errors for r in results] == [[], [], []]
    assert [r.data["start_date"] for r in results] == [
        date(2025, 1, 3),
        date(2025, 12, 26),
        date(2025, 2, 4),
    ]


def test_dates_that_prove_both_orders_ask_for_the_order(logged_in):
    location, headers, page = preview(logged_in, "dates_mixed.csv")
    assert 'data-testid="date-order-start_date"' in page
    assert "dates written day first (like 26/12/2025) and month first" in page
    assert "<strong>1 with errors</strong>" in page  # only 3/4/2025 reads both ways
    assert "“3/4/2025” could be either day or month first" in page
    page = logged_in.post(location, data=mapping_form(suggest_mapping(headers), date_order="dmy"))
    assert "<strong>1 with errors</strong>" in page.data.decode()  # now 12/26/2025 is wrong
    assert "“12/26/2025” is not a date we can read" in page.data.decode()


def test_dates_that_read_both_ways_are_day_first_and_the_preview_says_so(logged_in):
    csv = b"Title,Date,Hours\r\nClinic,3/4/2025,1\r\n"
    location = upload(logged_in, csv).headers["Location"]
    page = logged_in.get(location).data.decode()
    assert "1 date(s) such as 03/04/2025 were read day first" in page
    activities = commit(logged_in, location, ["Title", "Date", "Hours"], date_order="mdy")
    assert activities["Clinic"].start_date == date(2025, 3, 4)  # the user chose month first


def test_date_times_and_iso_with_a_zone_are_read_as_their_date(app):
    headers, rows = read_sheet(data("datetimes.csv"))
    results = check_rows(rows, suggest_mapping(headers), DEFAULTS, {}, set())
    assert [r.errors for r in results] == [[]] * 4
    assert [r.data["start_date"] for r in results] == [
        date(2017, 8, 23),
        date(2017, 8, 23),
        date(2023, 1, 26),
        date(2025, 3, 14),
    ]


# 6. Learning-platform lists: their column names, and a default duration ---------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # LinkedIn Learning, "Download your data" › Learning.csv
        ("linkedin_learning.csv", {"Agile Foundations": (date(2025, 1, 15), None)}),
        # Udemy Business, user course activity report (Reporting API field names as headers)
        (
            "udemy_business.csv",
            {"Risk Management for Projects": (date(2025, 3, 1), date(2025, 3, 20))},
        ),
        # Coursera for Business, membership/usage report (dates "2017-08-23 23:48:01")
        (
            "coursera_usage.csv",
            {"Foundations of Project Management": (date(2017, 8, 23), date(2017, 9, 30))},
        ),
    ],
)
def test_learning_platform_lists_import_with_a_default_duration(logged_in, name, expected):
    location = upload(logged_in, data(name), name).headers["Location"]
    page = logged_in.get(location).data.decode()
    assert "sheet-summary" not in page  # no hours column: no preview until a duration is given
    headers, rows = read_sheet(data(name))
    page = logged_in.post(location, data=mapping_form(suggest_mapping(headers))).data.decode()
    assert "Choose the column that holds the hours above, or enter hours for rows without." in page
    _, _, page = preview(logged_in, name, default_hours="1.5")
    assert "<strong>0 with errors</strong>" in page
    activities = commit(logged_in, location, headers, default_hours="1.5")
    assert len(activities) == len(rows)
    assert {a.minutes for a in activities.values()} == {90}
    for title, (start, end) in expected.items():
        assert (activities[title].start_date, activities[title].end_date) == (start, end)
    assert all(a.kind is not ActivityKind.OTHER for a in activities.values()) == (
        name == "linkedin_learning.csv"  # its Content Type column: Course, Learning Path
    )


def test_the_default_duration_fills_only_rows_without_hours(logged_in):
    csv = b"Title,Date,Hours\r\nWith hours,2025-01-02,3\r\nWithout,2025-01-03,\r\n"
    location = upload(logged_in, csv).headers["Location"]
    activities = commit(logged_in, location, ["Title", "Date", "Hours"], default_hours="0:45")
    assert (activities["With hours"].minutes, activities["Without"].minutes) == (180, 45)


def test_a_bad_default_duration_is_told_at_its_field(logged_in):
    location = upload(logged_in, data("udemy_business.csv"), "u.csv").headers["Location"]
    headers, _ = read_sheet(data("udemy_business.csv"))
    form = mapping_form(suggest_mapping(headers), default_hours="1.3")
    page = logged_in.post(location, data=form).data.decode()
    assert "Use steps of 0.25 hours" in page
    assert db.session.scalars(select(Activity)).first() is None


# 7. A password-protected .xlsx is said to be encrypted, not an old .xls ----------------------


def test_an_encrypted_workbook_is_called_encrypted():
    # Made by msoffcrypto-tool as Excel's "Encrypt with Password" does (data/make_encrypted_xlsx.py)
    encrypted = data("encrypted_claims.xlsx")
    assert "EncryptedPackage" in ole_entry_names(encrypted)
    with pytest.raises(SheetError, match=r"encrypted \(password-protected\)"):
        read_sheet(encrypted)


def test_an_encrypted_workbook_upload_says_so_at_the_field(logged_in):
    page = upload(logged_in, data("encrypted_claims.xlsx"), "claims.xlsx").data.decode()
    assert "This workbook is encrypted (password-protected). Save it without a password" in page


def test_an_ole_file_without_an_encrypted_package_is_still_an_old_xls():
    # The same container with its stream renamed "Workbook" (the stream an .xls keeps)
    name = "EncryptedPackage".encode("utf-16-le")
    entry = data("encrypted_claims.xlsx").index(name)
    renamed = bytearray(data("encrypted_claims.xlsx"))
    renamed[entry : entry + 64] = "Workbook".encode("utf-16-le").ljust(64, b"\0")
    renamed[entry + 64 : entry + 66] = (len("Workbook") * 2 + 2).to_bytes(2, "little")
    assert "Workbook" in ole_entry_names(bytes(renamed))
    with pytest.raises(SheetError, match=r"old Excel \(\.xls\)"):
        read_sheet(bytes(renamed))
    with pytest.raises(SheetError, match=r"old Excel \(\.xls\)"):  # a header and nothing else
        read_sheet(bytes(renamed[:600]))


@pytest.mark.serial  # asserts a wall-time bound
def test_reading_an_ole_directory_stays_cheap_on_a_hostile_file():
    """A directory chain that loops, in an 8 MB file (the upload limit): a few sectors read."""
    header = bytearray(data("encrypted_claims.xlsx")[:512])
    header[48:52] = (0).to_bytes(4, "little")  # the directory starts at sector 0 …
    header[76:80] = (0).to_bytes(4, "little")  # … and the FAT (sector 0 too) says it loops
    hostile = bytes(header) + b"\0" * (8 * 1024 * 1024)
    started = time.perf_counter()
    assert ole_entry_names(hostile) == set()
    assert time.perf_counter() - started < 0.05
