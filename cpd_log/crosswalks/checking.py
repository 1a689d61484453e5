"""Crosswalk files: read, check against the JSON Schema, then check what a schema cannot say
(both frameworks known, every code a competency of its framework, no pair mapped twice)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

SCHEMA_PATH = Path(__file__).resolve().parent / "crosswalk.schema.json"
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "crosswalks"


class CrosswalkError(ValueError):
    """A crosswalk file that cannot be used; `problems` lists each one in plain words."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@cache
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator  # loads on first use, not at start-up

    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def check_crosswalk(data, codes: Mapping[str, set[str]]) -> dict:
    """The data, or CrosswalkError with every problem found. `codes` maps each known framework's
    slug to the codes of its areas and competencies."""
    if not isinstance(data, dict):
        raise CrosswalkError(["A crosswalk is a JSON object ({ … })."])
    errors = sorted(_validator().iter_errors(data), key=str)
    problems = [f"{'/'.join(map(str, e.absolute_path)) or 'file'}: {e.message}" for e in errors]
    if problems:
        raise CrosswalkError(problems[:10])
    problems = _semantic_problems(data, codes)
    if problems:
        raise CrosswalkError(problems[:20])
    return data


def _semantic_problems(data: dict, codes: Mapping[str, set[str]]) -> list[str]:
    problems = []
    if data["from"] == data["to"]:
        problems.append("from and to name the same framework.")
    for side in ("from", "to"):
        if data[side] not in codes:
            problems.append(f"{side}: there is no framework {data[side]}.")
    pairs = Counter((m["from"], m["to"]) for m in data["mappings"])
    problems += [f"{a} → {b} is mapped {n} times." for (a, b), n in sorted(pairs.items()) if n > 1]
    for index, mapping in enumerate(data["mappings"]):
        for side in ("from", "to"):
            known = codes.get(data[side])
            if known is not None and mapping[side] not in known:
                problems.append(
                    f"mappings/{index}: {mapping[side]} is not a competency of {data[side]}."
                )
    return problems


def shipped_crosswalk_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.json"))


def read_crosswalk_file(path: Path, codes: Mapping[str, set[str]]) -> dict:
    return check_crosswalk(json.loads(path.read_text(encoding="utf-8")), codes)
