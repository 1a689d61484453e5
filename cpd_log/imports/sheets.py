"""Reading an uploaded spreadsheet (CSV or XLSX) into a header row and text cells. Pure.

The type is decided by the bytes, not the file name: an XLSX is a ZIP; an OLE file is a legacy
.xls or a password-protected .xlsx (its directory says which), both refused with a message;
anything else must be UTF-8 text.
"""

import csv
import io
from datetime import date, datetime, time

from cpd_log.bounded_text import MAX_LINE, bounded_lines
from cpd_log.imports.budget import time_budget
from cpd_log.imports.xlsx_budget import (
    WorkbookTooBig,
    check_archive,
    ole_entry_names,
    scan_sheet,
)

# Budget (issue 10, defect 6), applied while the file streams; the upload itself is at most
# forms.MAX_IMPORT_BYTES. XLSX: the unpacked sizes in xlsx_budget.py, then rows and columns
# counted cell by cell before openpyxl reads a row. CSV: lines of at most bounded_text.MAX_LINE
# characters reach csv.reader, so no row is built past it; rows and columns counted as read.
MAX_ROWS = 20_000
MAX_COLUMNS = 60
MAX_CELL = 50_000
PARSE_SECONDS = 25  # under gunicorn's 30 s; measured 3–15 s (idle–loaded machine) for
# MAX_ROWS × 8 columns of XLSX
PEAK_MB = 200  # the rows as text, plus openpyxl's shared strings; measured in the same test
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class SheetError(ValueError):
    """The file cannot be read as a spreadsheet; the message tells the user what to do."""


def read_sheet(data: bytes) -> tuple[list[str], list[list[str]]]:
    """(headers, rows) with every cell as text; blank rows dropped."""
    too_slow = SheetError(f"Reading this file took longer than {PARSE_SECONDS} seconds.")
    with time_budget(PARSE_SECONDS, too_slow):
        return _read_sheet(data)


def _read_sheet(data: bytes) -> tuple[list[str], list[list[str]]]:
    if not data.strip():
        raise SheetError("The file is empty.")
    if data.startswith(_OLE):
        if "EncryptedPackage" in ole_entry_names(data):
            raise SheetError(
                "This workbook is encrypted (password-protected). Save it without a password "
                "(in Excel: File › Info › Protect Workbook › Encrypt with Password, clear the "
                "password), then upload it again."
            )
        raise SheetError(
            "This is an old Excel (.xls) file. Save it as .xlsx or CSV and upload that."
        )
    rows = _read_xlsx(data) if data.startswith(_ZIP) else _read_csv(data)
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise SheetError("The file has no rows.")
    headers = [cell.strip() for cell in rows[0]]
    if not any(headers):
        raise SheetError("The first row must hold the column names.")
    body = rows[1:]
    if not body:
        raise SheetError("The file has column names but no rows of activities.")
    width = len(headers)
    return headers, [(row + [""] * width)[:width] for row in body]


def _read_csv(data: bytes) -> list[list[str]]:
    if b"\x00" in data[:4096]:
        raise SheetError("This is not a CSV or XLSX file (it holds binary data).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SheetError(
            "This CSV is not in UTF-8 (it looks like an older encoding such as Latin-1). "
            "In Excel choose “Save as… CSV UTF-8”, then upload it again."
        ) from None
    try:  # Excel writes ";" where the decimal mark is a comma; take only the delimiter
        delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    rows = []
    lines = bounded_lines(text, _line_too_long)
    try:
        for row in csv.reader(lines, csv.excel, delimiter=delimiter):
            _check_shape(row, len(rows))
            rows.append(row)
    except csv.Error as error:
        raise SheetError(f"The CSV could not be read near row {len(rows) + 1}: {error}.") from None
    return rows


def _line_too_long(number: int) -> SheetError:
    return SheetError(
        f"Line {number} is longer than {MAX_LINE:,} characters; "
        "this does not look like a list of activities."
    )


def _read_xlsx(data: bytes) -> list[list[str]]:
    import openpyxl  # loads with the first workbook, not at start-up

    try:
        check_archive(data)
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except WorkbookTooBig as error:
        raise SheetError(str(error)) from None
    except Exception:  # a damaged or foreign ZIP fails in zipfile, lxml or openpyxl alike
        raise SheetError("This file could not be opened as an Excel workbook (.xlsx).") from None
    try:
        sheet = workbook.worksheets[0]
        # The real extent, measured cell by cell: openpyxl would trust <dimension> and build
        # each row whole before we could count it (openpyxl's own part reader, hence _get_source).
        with sheet._get_source() as source:
            shape = scan_sheet(source, MAX_ROWS, MAX_COLUMNS)
        if not shape.rows:
            return []
        rows = []
        extent = {"max_row": shape.rows, "max_col": shape.columns}
        for values in sheet.iter_rows(**extent, values_only=True):
            row = [_cell_text(value) for value in values]
            _check_shape(row, len(rows))
            rows.append(row)
        return rows
    except SheetError:
        raise
    except WorkbookTooBig as error:
        raise SheetError(str(error)) from None
    except Exception:
        raise SheetError("The workbook's first sheet could not be read.") from None
    finally:
        workbook.close()


def _check_shape(row: list[str], count: int) -> None:
    if count > MAX_ROWS:
        raise SheetError(f"The file has more than {MAX_ROWS:,} rows; split it into smaller files.")
    if len(row) > MAX_COLUMNS:
        raise SheetError(f"Row {count + 1} has more than {MAX_COLUMNS} columns.")
    if row and max(map(len, row)) > MAX_CELL:
        raise SheetError(f"Row {count + 1} has a cell longer than {MAX_CELL:,} characters.")


def _cell_text(value) -> str:
    """A cell as the text a person sees: dates as ISO, 1.5 as '1.5', a time 1:30 as '1:30'.

    Formula cells arrive as their formula text ('=SUM(...)'); the row checks refuse them.
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return f"{value.hour}:{value.minute:02d}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
