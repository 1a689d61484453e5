"""The shipped crosswalk files as the engine's CrosswalkMap, without a database."""

from cpd_log.crosswalks.checking import read_crosswalk_file, shipped_crosswalk_files
from cpd_log.crosswalks.mapping import CrosswalkMap, Mapping
from tests.crosswalks.test_files import CODES, FRAMEWORKS


def _names(slug: str) -> dict[str, str]:
    areas = FRAMEWORKS[slug]["areas"]
    return {c["code"]: c["name"] for area in areas for c in (area, *area.get("competencies", []))}


def shipped_mappings() -> list[Mapping]:
    found = []
    for number, path in enumerate(shipped_crosswalk_files(), start=1):
        data = read_crosswalk_file(path, CODES)
        sources, targets = _names(data["from"]), _names(data["to"])
        found += [
            Mapping(
                number,
                data["name"],
                data["from"],
                m["from"],
                data["to"],
                m["to"],
                m["relation"],
                sources[m["from"]],
                targets[m["to"]],
            )
            for m in data["mappings"]
        ]
    return found


SHIPPED = CrosswalkMap(shipped_mappings())
