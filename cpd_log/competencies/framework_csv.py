"""A framework as CSV: code, name, parent code, description.

A first row is a header when its cells name our columns, in any order and under the names other
tools give them ("Short name", "Title", "Parent", "Notes"…); then the columns are read by name.
Without one the columns are read by position. A header that names no code or name column, or a
headerless file whose rows fail and whose first row reads as column names, is another tool's
layout: we say so and name the columns found (issue 16, class 9), rather than report its first
long cell as "code too long".

Budget: lines ≤ bounded_text.MAX_LINE characters as read (csv never builds a longer row), cells
checked row by row, at most importers.MAX_ITEMS rows, before the tree is built.
"""

import csv
import re

from cpd_log.bounded_text import MAX_LINE, bounded_lines
from cpd_log.common.spreadsheet_safety import unneutralise
from cpd_log.competencies.importers import (
    CODE_MAX,
    NAME_MAX,
    FrameworkFileError,
    build_tree,
    check_count,
    decoded_text,
    tree_row,
)

COLUMNS = ("code", "name", "parent code", "description")
# Header names other tools write for our columns, compared lower-case with punctuation as spaces.
ALIASES = {
    "code": {"code", "id", "identifier", "short name", "shortname", "ref", "reference",
             "human coding scheme", "humancodingscheme", "element id", "elementid",
             "competency code", "competency id", "skill code", "number"},
    "name": {"name", "title", "competency", "competency name", "skill", "skill name",
             "full statement", "fullstatement", "abbreviated statement", "statement", "label"},
    "parent code": {"parent code", "parent", "parent id", "parentid", "parent identifier",
                    "parent shortname", "parent element id", "parentelementid", "is child of",
                    "ischildof", "area code", "parent ref"},
    "description": {"description", "notes", "definition", "details", "guidance",
                    "long description", "summary"},
}  # fmt: skip
LAYOUT = "These columns are not code, name, parent code, description"


def parse_csv(data: bytes, meta: dict) -> dict:
    """CSV rows of code, name, parent code, description; a header row is optional."""
    reader = csv.reader(bounded_lines(decoded_text(data), _line_too_long))
    rows, columns, first, first_where = [], None, None, "line 1"
    try:
        for record in reader:
            where = f"line {reader.line_num}"
            if not any(cell.strip() for cell in record):
                continue
            if first is None:
                first, first_where = record, where
                columns = header_columns(record, where)
                if columns is not None:
                    continue
            try:
                rows.append(_row(record, columns, where))
            except FrameworkFileError as error:
                raise _layout_error(first, columns, first_where) or error from None
            check_count(len(rows), where)
    except csv.Error as error:
        raise FrameworkFileError(
            f"Not readable as CSV: {error}.", f"line {reader.line_num}"
        ) from None
    try:
        return build_tree(rows, meta)
    except FrameworkFileError as error:
        raise _layout_error(first, columns, first_where) or error from None


def header_columns(record: list[str], where: str = "line 1") -> dict[str, int] | None:
    """Our column → its index, when the row is a header: two of its cells name our columns (one
    could be a name such as "Competency" in a headerless file), or its first cell is "code" (the
    others then in our order, whatever their language)."""
    found = _named_columns(record)
    if _label(record[0]) == "code" and len(found) < 2:
        return {column: index for index, column in enumerate(COLUMNS)}
    if len(found) < 2:
        return None
    if "code" not in found or "name" not in found:
        raise FrameworkFileError(f"{LAYOUT}: the file has {_listed(record)}.", where)
    return found


def _named_columns(record: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(record):
        label = _label(cell)
        for column, names in ALIASES.items():
            if label in names and column not in found:
                found[column] = index
    return found


def _label(cell: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", cell.lower()).split())


def _listed(record: list[str]) -> str:
    return ", ".join(f"“{cell.strip()}”" for cell in record if cell.strip())


def _layout_error(first: list[str] | None, columns, where: str) -> FrameworkFileError | None:
    """For a headerless file that failed: another tool's layout, when its first row reads as
    column names (no digit in its first cell; more columns than ours, or one of ours named)."""
    if columns is not None or first is None or re.search(r"\d", first[0]):
        return None
    if len(first) <= len(COLUMNS) and not _named_columns(first):
        return None
    return FrameworkFileError(
        f"{LAYOUT}: the file has {_listed(first)}. Give it a header row naming code, name, "
        "parent code and description, or put its columns in that order.",
        where,
    )


def _row(record: list[str], columns: dict[str, int] | None, where: str) -> dict:
    if columns is None and len(record) < 2:
        raise FrameworkFileError("Expected code, name, parent code, description.", where)
    if columns is None:
        cells = (record + ["", ""])[:4]
    else:
        cells = [record[i] if i < len(record) else "" for i in _indexes(columns)]
    code, name, parent, description = (unneutralise(cell.strip()) for cell in cells)
    _limit_cells(code, name, where)
    return tree_row(code, name, description, parent, where)


def _indexes(columns: dict[str, int]) -> list[int]:
    return [columns.get(column, 1_000_000) for column in COLUMNS]


def _line_too_long(number: int) -> FrameworkFileError:
    return FrameworkFileError(f"The line is longer than {MAX_LINE:,} characters.", f"line {number}")


def _limit_cells(code: str, name: str, where: str) -> None:
    if not code:
        raise FrameworkFileError("The code is missing.", f"{where}, code")
    if not name:
        raise FrameworkFileError("The name is missing.", f"{where}, name")
    if len(code) > CODE_MAX:
        raise FrameworkFileError(
            f"The code is longer than {CODE_MAX} characters.", f"{where}, code"
        )
    if len(name) > NAME_MAX:
        raise FrameworkFileError(
            f"The name is longer than {NAME_MAX} characters.", f"{where}, name"
        )
