"""An XLSX held to its budget before openpyxl builds anything from it. Pure.

An XLSX is a ZIP of XML. A 79 KB upload inflated to 80 MB of `<c/>` in one row, and openpyxl's
read-only reader builds a whole row (a dict per cell) before it hands it over: 2.5 GB. It also
pads every row to the sheet's declared `<dimension>`, which the file may make up. So:

1. `check_archive`: every part's declared size is bounded before anything is inflated. zipfile
   stops inflating a part at its declared size (and then fails its CRC), so the declared size is
   a hard cap on what is read, whatever the compressed data holds.
2. `scan_sheet`: the first sheet's XML goes once through expat with no tree (constant memory),
   counting rows and cells; it stops at the first cell holding a value past MAX_COLUMNS, the first
   row past MAX_ROWS, or a row of more cells than Excel allows. It returns the real last column and
   row, which the reader passes to openpyxl instead of the declared dimension. No DTD: a
   worksheet never has one, and entity expansion is how XML bombs work (openpyxl itself parses
   through defusedxml, which is installed for that reason).
"""

import io
import pyexpat
import zipfile
from dataclasses import dataclass

MAX_PARTS = 200
MAX_SHEET_XML = 48 * 1024 * 1024  # 20,000 rows × 60 cells of inline text fit
MAX_PART_XML = 8 * 1024 * 1024  # shared strings, styles, the workbook: each
MAX_TOTAL_XML = 64 * 1024 * 1024
MAX_CELL_ELEMENTS = 16_384  # Excel's widest row (column XFD)
_CHUNK = 64 * 1024
_VALUE_TAGS = {"v", "is", "f"}


class WorkbookTooBig(ValueError):
    """The workbook is over its budget; the message is for the user."""


@dataclass
class SheetShape:
    rows: int = 0  # the last row holding a value
    columns: int = 0  # the last column holding a value


def check_archive(data: bytes) -> None:
    """Refuse a workbook whose parts would inflate past the budget (declared sizes)."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise WorkbookTooBig(
            "This file could not be opened as an Excel workbook (.xlsx)."
        ) from None
    if len(infos) > MAX_PARTS:
        raise WorkbookTooBig(f"The workbook has more than {MAX_PARTS} parts inside.")
    total = 0
    for info in infos:
        limit = MAX_SHEET_XML if info.filename.startswith("xl/worksheets/") else MAX_PART_XML
        total += info.file_size
        if info.file_size > limit or total > MAX_TOTAL_XML:
            raise WorkbookTooBig(
                f"The workbook unpacks to more than {limit // (1024 * 1024)} MB "
                f"({info.filename[:60]}); save only the sheet with your activities."
            )


def scan_sheet(stream, max_rows: int, max_columns: int) -> SheetShape:
    """One pass over a worksheet part: its real extent, or WorkbookTooBig at the first excess."""
    scan = _Scan(max_rows, max_columns)
    parser = pyexpat.ParserCreate()
    parser.StartElementHandler = scan.start
    parser.StartDoctypeDeclHandler = _no_dtd
    parser.EntityDeclHandler = _no_dtd
    read = 0
    try:
        while chunk := stream.read(_CHUNK):
            read += len(chunk)
            if read > MAX_SHEET_XML:  # belt and braces: zipfile already stops at the declared size
                raise WorkbookTooBig("The sheet unpacks to more than the size allowed.")
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except pyexpat.ExpatError:
        raise WorkbookTooBig("The workbook's first sheet could not be read.") from None
    return scan.shape


def _no_dtd(*_args):
    raise WorkbookTooBig("The workbook's first sheet declares a DTD, which no spreadsheet does.")


class _Scan:
    def __init__(self, max_rows: int, max_columns: int):
        # openpyxl's own reading of "AB"; it loads with the first workbook, not at start-up.
        from openpyxl.utils.cell import column_index_from_string

        self.column_index = column_index_from_string
        self.max_rows, self.max_columns = max_rows, max_columns
        self.shape = SheetShape()
        self.row = self.column = self.cells = 0

    def start(self, name: str, attributes: dict) -> None:
        tag = name.rpartition(":")[2]
        if tag == "row":
            self.row = _number(attributes.get("r")) or self.row + 1
            self.column = self.cells = 0
        elif tag == "c":
            self._cell(attributes.get("r"))
        elif tag in _VALUE_TAGS and self.column:
            self._value()

    def _cell(self, reference: str | None) -> None:
        self.cells += 1
        if self.cells > MAX_CELL_ELEMENTS:
            raise WorkbookTooBig(f"Row {self.row} has more than {self.max_columns} columns.")
        letters = (reference or "").rstrip("0123456789")
        try:
            self.column = self.column_index(letters) if letters else self.column + 1
        except ValueError:
            raise WorkbookTooBig(f"Row {self.row} has a cell at “{reference[:20]}”.") from None

    def _value(self) -> None:
        if self.column > self.max_columns:
            raise WorkbookTooBig(f"Row {self.row} has more than {self.max_columns} columns.")
        if self.row > self.max_rows + 1:  # the header row and MAX_ROWS below it
            raise WorkbookTooBig(
                f"The file has more than {self.max_rows:,} rows; split it into smaller files."
            )
        self.shape.rows = max(self.shape.rows, self.row)
        self.shape.columns = max(self.shape.columns, self.column)


def _number(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0


# An OLE2 compound file (MS-CFB) is either an old .xls or, since Office 2007, an encrypted
# OOXML document: Excel wraps a password-protected .xlsx in one holding an "EncryptedPackage"
# stream beside "EncryptionInfo" (MS-OFFCRYPTO 2.3.4). Only the directory's names are read:
# at most MAX_DIRECTORY_SECTORS sectors, found through the FAT sectors the header lists.
MAX_DIRECTORY_SECTORS = 64  # 256 entries in 512-byte sectors; an encrypted .xlsx has about 10
_LAST_SECTOR = 0xFFFFFFFA  # numbers from here on mark free sectors and chain ends


def ole_entry_names(data: bytes) -> set[str]:
    """The storage and stream names in an OLE2 file's directory; empty when it is unreadable."""
    if len(data) < 512:
        return set()
    shift = int.from_bytes(data[30:32], "little")
    if shift not in (9, 12):  # 512- or 4096-byte sectors, the only ones MS-CFB allows
        return set()
    size = 1 << shift
    fat = [
        number
        for offset in range(76, 512, 4)  # the header's 109 DIFAT entries
        if (number := int.from_bytes(data[offset : offset + 4], "little")) < _LAST_SECTOR
    ]
    names: set[str] = set()
    sector, seen = int.from_bytes(data[48:52], "little"), set()
    while sector < _LAST_SECTOR and sector not in seen and len(seen) < MAX_DIRECTORY_SECTORS:
        seen.add(sector)
        block = data[(sector + 1) * size : (sector + 2) * size]
        for entry in range(0, len(block) - 127, 128):
            length = int.from_bytes(block[entry + 64 : entry + 66], "little")
            if 2 <= length <= 64:
                names.add(block[entry : entry + length - 2].decode("utf-16-le", "replace"))
        sector = _next_sector(data, size, fat, sector)
    return names


def _next_sector(data: bytes, size: int, fat: list[int], sector: int) -> int:
    index, slot = divmod(sector, size // 4)
    if index >= len(fat):
        return _LAST_SECTOR
    start = (fat[index] + 1) * size + slot * 4
    entry = data[start : start + 4]
    return int.from_bytes(entry, "little") if len(entry) == 4 else _LAST_SECTOR
