"""Framework files → a validated framework dict, in the shape of cpd_log/data/frameworks/*.json.

Pure functions, no Flask and no database: each parser takes the file's bytes and returns
{"name", "version", "source", "licence", "description", "levels", "areas": [{"code", "name",
"description", "competencies": [...]}]} or raises FrameworkFileError naming the line or field.
Formats: 1EdTech CASE JSON (case_json.py), Mahara SmartEvidence `.matrix` JSON
(mahara_matrix.py) and CSV (framework_csv.py); this module holds what they share. The size check
comes first, so a huge file is never decoded.
"""

import json

from cpd_log import bounded_json

# Budget (issue 10, defect 6): MAX_BYTES read at most (checked before decoding), JSON nesting
# bounded_json.MAX_DEPTH levels, CSV lines ≤ bounded_text.MAX_LINE characters as read, cells
# checked row by row, at most MAX_ITEMS rows (framework_csv.py). Measured in
# tests/imports/test_budgets.py: a 5 MB file is refused in 0.1 s, 22 MB.
MAX_BYTES = 5 * 1024 * 1024
MAX_ITEMS = 5_000  # areas and competencies in one file (SFIA has ~120, APM 29)
# Mahara's shortname is char(100) (module/framework/db/install.xml); real files hold 46–50.
CODE_MAX, NAME_MAX = 100, 200
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

    Rejects duplicate codes, unknown parents, cycles and a file with no competencies. Entries
    nested below area → competency are flattened into their area, their path kept in the name
    (issue 16), and `notes` says how many.
    """
    check_count(len(rows), rows[-1]["where"] if rows else "")
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
    _check_no_cycle(rows, by_code)
    areas = {r["code"]: _node(r, True) for r in rows if not r["parent"]}
    if not areas:
        raise FrameworkFileError("The file has no top-level area (a row without a parent).")
    if len(areas) == len(rows):
        raise FrameworkFileError(
            f"The file holds {_count(len(areas), 'area')} and no competencies inside them, so "
            "nothing in it could be tagged: a competency is an entry whose parent is an area."
        )
    flattened, area_of = 0, {}
    for row in (r for r in rows if r["parent"]):
        area = _area_code(row["code"], by_code, area_of)
        node = _node(row, False)
        if row["parent"] != area:
            node["name"], flattened = _path_name(row, area, by_code), flattened + 1
        areas[area]["competencies"].append(node)
    levels = meta.get("levels") or DEFAULT_LEVELS
    notes = [*meta.get("notes", [])]
    if flattened:
        notes.append(
            f"{_count(flattened, 'entry', 'entries')} nested deeper than area → competency "
            "flattened into their area, the path kept in their names."
        )
    return {**meta, "levels": _check_levels(levels), "areas": list(areas.values()), "notes": notes}


def _count(number: int, one: str, many: str = "") -> str:
    return f"{number:,} {one if number == 1 else many or one + 's'}"


def _area_code(code: str, by_code: dict, area_of: dict) -> str:
    """The top-level ancestor of an entry (the tree has no cycle); `area_of` remembers answers."""
    chain = []
    while code not in area_of and by_code[code]["parent"]:
        chain.append(code)
        code = by_code[code]["parent"]
    area = area_of.get(code, code)
    area_of.update(dict.fromkeys(chain, area))
    return area


def _path_name(row: dict, area: str, by_code: dict) -> str:
    """ "Parent › Child" below the area, at most NAME_MAX characters: the entry's own name whole,
    its nearest ancestors before it, and "…" for those that do not fit."""
    name, parent = row["name"], row["parent"]
    while parent != area:
        ancestor = by_code[parent]
        longer = f"{ancestor['name']} › {name}"
        if len(longer) > NAME_MAX:
            return shortened(f"… › {name}")
        name, parent = longer, ancestor["parent"]
    return name


def shortened(text: str, limit: int = NAME_MAX) -> str:
    """Text cut to `limit` characters at a word where it can be, ending in "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:.›") + "…"


def check_count(count: int, where: str) -> None:
    if count > MAX_ITEMS:
        raise FrameworkFileError(
            f"The file holds more than {MAX_ITEMS:,} areas and competencies.", where
        )


def _node(row: dict, area: bool) -> dict:
    node = {"code": row["code"], "name": row["name"], "description": row["description"]}
    return {**node, "competencies": []} if area else node


def _check_no_cycle(rows: list[dict], by_code: dict) -> None:
    """Each entry walked up once: a walk stops at an entry already known to reach an area, so a
    chain of 5,000 takes 5,000 steps, not 5,000² (issue 16: deep trees are read now)."""
    reaches_area: set[str] = set()
    for row in rows:
        path, on_path, code = [], set(), row["code"]
        while code and code not in reaches_area:
            if code in on_path:
                cycle = " → ".join([*path[path.index(code) :], code])
                raise FrameworkFileError(f"The tree has a cycle: {cycle}.", by_code[code]["where"])
            path.append(code)
            on_path.add(code)
            code = by_code[code]["parent"]
        reaches_area.update(path)


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
