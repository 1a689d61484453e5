"""Mahara SmartEvidence `.matrix` JSON: {"framework": {name, description, standards: [...]}}.

A standard is an area; its `standardelement` list holds the competencies. Mahara marks a
sub-clause with `"parent": true` (a child of the element before it); we keep two levels, so such
a sub-clause becomes a competency of the same area. The matrix has no level scale: the default one
is used.
"""

from cpd_log.competencies.importers import (
    CODE_MAX,
    NAME_MAX,
    FrameworkFileError,
    build_tree,
    list_field,
    load_json,
    text_field,
    tree_row,
)


def parse_matrix(data: bytes, meta: dict) -> dict:
    package = load_json(data)
    if not isinstance(package, dict) or not isinstance(package.get("framework"), dict):
        raise FrameworkFileError("A .matrix file has a “framework” object.", "framework")
    framework = package["framework"]
    rows = []
    for index, standard in enumerate(list_field(framework, "standards", "framework")):
        where = f"framework.standards[{index}]"
        area = text_field(standard, "shortname", where, limit=CODE_MAX)
        rows.append(_standard_row(standard, area, "", where))
        for number, element in enumerate(list_field(standard, "standardelement", where)):
            element_where = f"{where}.standardelement[{number}]"
            code = text_field(element, "shortname", element_where, limit=CODE_MAX)
            rows.append(_standard_row(element, code, area, element_where))
    info = {
        "name": text_field(framework, "name", "framework", limit=NAME_MAX),
        "description": text_field(framework, "description", "framework", required=False),
    }
    return build_tree(rows, {**meta, **info})


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
