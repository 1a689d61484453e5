"""Mahara SmartEvidence `.matrix` JSON: {"framework": {name, description, standards: [...]}}.

A standard is an area and its elements are the competencies. Mahara writes the elements in two
layouts and reads both (module/framework/lib.php, matrix_is_valid_json), so do we:
- before 2016, each standard's `standardelement` list; `"parent": true` marks a sub-clause (a
  child of the element before it), kept as a competency of the same area;
- since 2016, a top-level `standardelements` list, each element naming its standard by
  `standardid`.
In either, an element may name its parent element's `elementid` in `parentelementid` (`parentid`
in Mahara's own export); such a sub-element is flattened into its standard, its path in the name.
A duplicate standardid or elementid, an element of no standard and a matrix without elements are
refused. The matrix has no level scale: the default one is used. Codes are Mahara's shortnames.
"""

from cpd_log.competencies.importers import (
    CODE_MAX,
    MAX_ITEMS,
    NAME_MAX,
    FrameworkFileError,
    build_tree,
    list_field,
    load_json,
    text_field,
    tree_row,
)

NO_ELEMENTS = (
    "The matrix has standards but no standard elements, so nothing in it could be tagged: "
    "Mahara lists them in “standardelements” (or in each standard's “standardelement”)."
)


def parse_matrix(data: bytes, meta: dict) -> dict:
    package = load_json(data)
    if not isinstance(package, dict) or not isinstance(package.get("framework"), dict):
        raise FrameworkFileError("A .matrix file has a “framework” object.", "framework")
    framework = package["framework"]
    standards = list_field(framework, "standards", "framework")
    elements = list_field(framework, "standardelements", "framework")
    if len(standards) + len(elements) > MAX_ITEMS:  # before a row is built for any of them
        raise FrameworkFileError(f"The file holds more than {MAX_ITEMS:,} entries.", "framework")
    rows, by_id, linked = [], {}, []
    for index, standard in enumerate(standards):
        where = f"framework.standards[{index}]"
        area = text_field(standard, "shortname", where, limit=CODE_MAX)
        rows.append(_standard_row(standard, area, "", where))
        _remember(by_id, standard, "standardid", area, where)
        for number, element in enumerate(list_field(standard, "standardelement", where)):
            element_where = f"{where}.standardelement[{number}]"
            code = text_field(element, "shortname", element_where, limit=CODE_MAX)
            linked.append((element, _standard_row(element, code, area, element_where)))
    linked += _element_rows(elements, by_id)
    if not linked and standards:
        raise FrameworkFileError(NO_ELEMENTS, "framework.standardelements")
    _link_sub_elements(linked)
    info = {
        "name": text_field(framework, "name", "framework", limit=NAME_MAX),
        "description": text_field(framework, "description", "framework", required=False),
    }
    return build_tree(rows + [row for _element, row in linked], {**meta, **info})


def _element_rows(elements: list, standards: dict) -> list[tuple[dict, dict]]:
    """(element, row) of the 2016 layout's top-level elements, in the standard they name."""
    linked = []
    for index, element in enumerate(elements):
        where = f"framework.standardelements[{index}]"
        code = text_field(element, "shortname", where, limit=CODE_MAX)
        standard = _key(element, "standardid", where)
        if standard not in standards:
            raise FrameworkFileError(
                f"standardid {standard} is not a standard of the file.", f"{where}.standardid"
            )
        linked.append((element, _standard_row(element, code, standards[standard][0], where)))
    return linked


def _link_sub_elements(linked: list[tuple[dict, dict]]) -> None:
    """An element naming a parent element (by its elementid) goes below it, in either layout."""
    by_element: dict = {}
    for element, row in linked:
        _remember(by_element, element, "elementid", row["code"], row["where"])
    for element, row in linked:
        key = "parentelementid" if "parentelementid" in element else "parentid"
        parent = _key(element, key, row["where"], required=False)
        if parent in ("", "undefined", "null", "0"):  # Mahara's editor writes "undefined"
            continue
        if parent not in by_element:
            raise FrameworkFileError(
                f"{key} “{parent}” is not the elementid of an element in the file.",
                f"{row['where']}.{key}",
            )
        row["parent"] = by_element[parent][0]


def _key(obj: dict, key: str, where: str, required: bool = True) -> str:
    return text_field(obj, key, where, required=required, limit=CODE_MAX)


def _remember(seen: dict, obj: dict, key: str, code: str, where: str) -> None:
    """Record an element's (or standard's) id → its code; an id given twice refuses the file."""
    if key not in obj:
        return
    ident = _key(obj, key, where)
    if ident in seen:
        raise FrameworkFileError(
            f"{key} “{ident}” appears twice (first at {seen[ident][1]}): the file is refused, "
            "since what belongs to which is unclear.",
            f"{where}.{key}",
        )
    seen[ident] = (code, where)


def _standard_row(obj: dict, code: str, parent: str, where: str) -> dict:
    name = text_field(obj, "name", where, limit=NAME_MAX)
    description = text_field(obj, "description", where, required=False)
    return tree_row(code, name, description, parent, where)


def export_matrix(framework: dict) -> dict:
    standards = []
    for priority, area in enumerate(framework["areas"], start=1):
        standards.append(
            {
                "shortname": area["code"],
                "name": area["name"],
                "description": area.get("description", ""),
                "priority": priority,
                "standardelement": [
                    {
                        "shortname": c["code"],
                        "name": c["name"],
                        "description": c.get("description", ""),
                        "priority": number,
                        "parent": False,
                    }
                    for number, c in enumerate(area.get("competencies", []), start=1)
                ],
            }
        )
    return {
        "framework": {
            "institution": "all",
            "name": framework["name"],
            "description": framework.get("description", ""),
            "selfassess": True,
            "standards": standards,
        }
    }
