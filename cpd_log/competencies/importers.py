"""Framework files → a validated framework dict, in the shape of cpd_log/data/frameworks/*.json.

Pure functions, no Flask and no database: each parser takes the file's bytes and returns
{"name", "version", "source", "licence", "description", "levels", "areas": [{"code", "name",
"description", "competencies": [...]}]} or raises FrameworkFileError naming the line or field.
Formats: 1EdTech CASE JSON, Mahara SmartEvidence `.matrix` JSON, and CSV (code, name, parent
code, description). The size check comes first, so a huge file is never decoded.
"""

import csv
import json

from cpd_log import bounded_json
from cpd_log.bounded_text import MAX_LINE, bounded_lines
from cpd_log.common.spreadsheet_safety import unneutralise

# Budget (issue 10, defect 6): MAX_BYTES read at most (checked before decoding), JSON nesting
# bounded_json.MAX_DEPTH levels, CSV lines ≤ bounded_text.MAX_LINE characters as read, cells
# checked row by row, at most MAX_ITEMS rows. Measured in tests/imports/test_budgets.py: a 5 MB
# file is refused in 0.1 s, 22 MB.
MAX_BYTES = 5 * 1024 * 1024
MAX_ITEMS = 5_000  # areas and competencies in one file (SFIA has ~120, APM 29)
CODE_MAX, NAME_MAX = 32, 200
DEFAULT_LEVELS = [
    {"value": 0, "name": "Unaware", "description": ""},
    {"value": 1, "name": "Aware", "description": ""},
    {"value": 2, "name": "Developing", "description": ""},
    {"value": 3, "name": "Practitioner", "description": ""},
    {"value": 4, "name": "Advanced", "description": ""},
    {"value": 5, "name": "Expert", "description": ""},
]
FORMATS = {"case": "1EdTech CASE JSON", "matrix": "Mahara SmartEvidence (.matrix)", "csv": "CSV"}


class FrameworkFileError(ValueError):
    """Why a file cannot be imported, and where: `where` is e.g. "line 7" or "CFItems[2].title"."""

    def __init__(self, message: str, where: str | None = None):
        self.message, self.where = message, where
        super().__init__(f"{where}: {message}" if where else message)


def decoded_text(data: bytes) -> str:
    """The text of a user's file, checked for size (before decoding), emptiness, UTF-8 and NUL."""
    if len(data) > MAX_BYTES:
        raise FrameworkFileError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    if not data.strip():
        raise FrameworkFileError("The file is empty.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FrameworkFileError(f"The file is not UTF-8 text (byte {error.start + 1}).") from None
    if "\x00" in text:  # never meaningful in text, and PostgreSQL refuses it
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise FrameworkFileError("The file contains a NUL character.", f"line {line}")
    return text


def load_json(data: bytes):
    """The parsed JSON document; FrameworkFileError naming the line when it is not JSON."""
    try:
        return bounded_json.loads(decoded_text(data))
    except bounded_json.JsonTooDeep as error:
        raise FrameworkFileError(str(error)) from None
    except json.JSONDecodeError as error:
        raise FrameworkFileError(
            f"Not valid JSON: {error.msg}.", f"line {error.lineno}, column {error.colno}"
        ) from None


def text_field(obj, key: str, where: str, required: bool = True, limit: int | None = None) -> str:
    """A string field of a JSON object; missing, not text or too long is an error naming it."""
    if not isinstance(obj, dict):
        raise FrameworkFileError("Expected an object.", where)
    value = obj.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise FrameworkFileError(f"“{key}” is missing.", f"{where}.{key}")
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise FrameworkFileError(f"“{key}” must be text.", f"{where}.{key}")
    value = str(value).strip()
    if "\x00" in value:
        raise FrameworkFileError(f"“{key}” contains a NUL character.", f"{where}.{key}")
    if limit and len(value) > limit:
        raise FrameworkFileError(f"“{key}” is longer than {limit} characters.", f"{where}.{key}")
    return value


def list_field(obj, key: str, where: str) -> list:
    """A list field of a JSON object (empty when absent); anything else is an error naming it."""
    value = obj.get(key, []) if isinstance(obj, dict) else None
    if not isinstance(value, list):
        raise FrameworkFileError(f"“{key}” must be a list.", f"{where}.{key}")
    return value


def build_tree(rows: list[dict], meta: dict) -> dict:
    """Rows {code, name, description, parent, where} → the framework dict, validating the tree.

    Rejects duplicate codes, unknown parents, cycles and nesting below area → competency.
    """
    _check_count(len(rows), rows[-1]["where"] if rows else "")
    by_code: dict[str, dict] = {}
    for row in rows:
        if row["code"] in by_code:
            first = by_code[row["code"]]["where"]
            raise FrameworkFileError(
                f"Duplicate code “{row['code']}” (first at {first}).", row["where"]
            )
        by_code[row["code"]] = row
    for row in rows:
        if row["parent"] and row["parent"] not in by_code:
            raise FrameworkFileError(
                f"Parent code “{row['parent']}” is not in the file.", row["where"]
            )
        _check_no_cycle(row, by_code)
    areas = {r["code"]: _node(r, True) for r in rows if not r["parent"]}
    if not areas:
        raise FrameworkFileError("The file has no top-level area (a row without a parent).")
    for row in rows:
        if row["parent"]:
            if row["parent"] not in areas:
                raise FrameworkFileError(
                    f"“{row['code']}” is nested too deep: frameworks here have areas and the "
                    "competencies inside them, two levels.",
                    row["where"],
                )
            areas[row["parent"]]["competencies"].append(_node(row, False))
    levels = meta.get("levels") or DEFAULT_LEVELS
    return {**meta, "levels": _check_levels(levels), "areas": list(areas.values())}


def _check_count(count: int, where: str) -> None:
    if count > MAX_ITEMS:
        raise FrameworkFileError(
            f"The file holds more than {MAX_ITEMS:,} areas and competencies.", where
        )


def _node(row: dict, area: bool) -> dict:
    node = {"code": row["code"], "name": row["name"], "description": row["description"]}
    return {**node, "competencies": []} if area else node


def _check_no_cycle(row: dict, by_code: dict) -> None:
    seen = [row["code"]]
    parent = row["parent"]
    while parent:
        if parent in seen:
            path = " → ".join([*seen, parent])
            raise FrameworkFileError(f"The tree has a cycle: {path}.", row["where"])
        seen.append(parent)
        parent = by_code[parent]["parent"]


def _check_levels(levels) -> list[dict]:
    if not isinstance(levels, list) or not levels:
        raise FrameworkFileError("The level scale must be a non-empty list.", "levels")
    clean, values = [], set()
    for index, level in enumerate(levels):
        where = f"levels[{index}]"
        value = level.get("value") if isinstance(level, dict) else None
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise FrameworkFileError("“value” must be a whole number, 0 or more.", f"{where}.value")
        if value in values:
            raise FrameworkFileError(f"Level {value} appears twice.", f"{where}.value")
        values.add(value)
        name = text_field(level, "name", where, limit=NAME_MAX)
        clean.append(
            {
                "value": value,
                "name": name,
                "description": text_field(level, "description", where, False),
            }
        )
    return sorted(clean, key=lambda level: level["value"])


def tree_row(code, name, description, parent, where) -> dict:
    """One row for `build_tree`."""
    return {
        "code": code,
        "name": name,
        "description": description,
        "parent": parent,
        "where": where,
    }


def parse_csv(data: bytes, meta: dict) -> dict:
    """CSV rows of code, name, parent code, description; a header row is optional."""
    reader = csv.reader(bounded_lines(decoded_text(data), _line_too_long))
    rows = []
    try:
        for record in reader:
            where = f"line {reader.line_num}"
            if not any(cell.strip() for cell in record):
                continue
            if not rows and record[0].strip().lower() == "code":
                continue  # the header
            if len(record) < 2:
                raise FrameworkFileError("Expected code, name, parent code, description.", where)
            cells = [unneutralise(cell.strip()) for cell in record] + ["", ""]
            code, name, parent, description = cells[:4]
            _limit_cells(code, name, where)
            rows.append(tree_row(code, name, description, parent, where))
            _check_count(len(rows), where)
    except csv.Error as error:
        raise FrameworkFileError(
            f"Not readable as CSV: {error}.", f"line {reader.line_num}"
        ) from None
    return build_tree(rows, meta)


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
