"""Import and export dispatch: a Framework row ↔ the framework dict ↔ a file in one format."""

import csv
import io
import json

from cpd_log.common.spreadsheet_safety import neutralise
from cpd_log.competencies.case_json import export_case, parse_case
from cpd_log.competencies.framework_csv import parse_csv
from cpd_log.competencies.importers import FORMATS, FrameworkFileError
from cpd_log.competencies.mahara_matrix import export_matrix, parse_matrix

PARSERS = {"case": parse_case, "matrix": parse_matrix, "csv": parse_csv}
EXTENSIONS = {"case": "case.json", "matrix": "matrix", "csv": "csv"}
MIMETYPES = {"case": "application/json", "matrix": "application/json", "csv": "text/csv"}


def parse(fmt: str, data: bytes, meta: dict) -> dict:
    """The framework dict from a file; FrameworkFileError (naming line or field) when invalid."""
    if fmt not in PARSERS:
        raise FrameworkFileError(f"Choose one of: {', '.join(FORMATS.values())}.", "format")
    return PARSERS[fmt](data, meta)


def framework_dict(framework) -> dict:
    """A Framework row (competencies loaded) as the dict the data files and parsers use."""
    areas = [c for c in framework.competencies if c.parent_id is None]
    children: dict[int, list] = {}
    for c in framework.competencies:
        if c.parent_id is not None:
            children.setdefault(c.parent_id, []).append(c)
    return {
        "slug": framework.slug,
        "name": framework.name,
        "version": framework.version,
        "source": framework.source,
        "licence": framework.licence,
        "description": framework.description,
        "levels": framework.levels,
        "areas": [
            {
                **_node(area),
                "competencies": [_node(c) for c in sorted(children.get(area.id, []), key=_order)],
            }
            for area in sorted(areas, key=_order)
        ],
    }


def _order(competency) -> tuple:
    return (competency.sort, competency.id)


def _node(competency) -> dict:
    return {"code": competency.code, "name": competency.name, "description": competency.description}


def export_csv(framework: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["code", "name", "parent code", "description"])
    for area in framework["areas"]:
        writer.writerow(
            [neutralise(v) for v in (area["code"], area["name"], "", area["description"])]
        )
        for c in area["competencies"]:
            writer.writerow(
                [neutralise(v) for v in (c["code"], c["name"], area["code"], c["description"])]
            )
    return "\ufeff" + out.getvalue()


def export(fmt: str, framework: dict) -> str:
    if fmt == "csv":
        return export_csv(framework)
    data = export_case(framework) if fmt == "case" else export_matrix(framework)
    return json.dumps(data, ensure_ascii=False, indent=2)
