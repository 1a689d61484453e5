"""Scheme files: read, check against the JSON Schema, then check what a schema cannot say
(codes unique, allocation rules pointing at real categories, amounts whole minutes)."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from cpd_log import bounded_json
from cpd_log.activities.choices import ActivityKind, Delivery
from cpd_log.schemes.rules import SchemeRules

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

SCHEMA_PATH = Path(__file__).resolve().parent / "scheme.schema.json"
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "schemes"


class SchemeError(ValueError):
    """A scheme file that cannot be used; `problems` lists each one in plain words."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@cache
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator  # loads on first use, not at start-up

    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def _where(error) -> str:
    path = "/".join(str(part) for part in error.absolute_path)
    return f"{path}: " if path else ""


def check_scheme(data) -> SchemeRules:
    """The parsed scheme, or SchemeError with every problem found."""
    if not isinstance(data, dict):
        raise SchemeError(["A scheme is a JSON object ({ … })."])
    problems = [f"{_where(e)}{e.message}" for e in sorted(_validator().iter_errors(data), key=str)]
    if problems:
        raise SchemeError(problems[:10])
    problems = _semantic_problems(data)
    if problems:
        raise SchemeError(problems)
    return SchemeRules.from_dict(data)


def _amounts(data: dict):
    yield "total_min", data["total_min"]
    for key in ("per_activity", "carry_over"):
        for name, value in (data.get(key) or {}).items():
            if name in ("min", "max"):
                yield f"{key}/{name}", value
    for top in data["categories"]:
        for item in (top, *top.get("subcategories", [])):
            for name in ("min", "max", "step"):
                if name in item:
                    yield f"{item['code']}/{name}", item[name]


def _semantic_problems(data: dict) -> list[str]:
    per = Decimal(data["unit"].get("minutes", 60))
    problems = [
        f"{where}: {value} is not a whole number of minutes."
        for where, value in _amounts(data)
        if (Decimal(str(value)) * per) % 1
    ]
    codes = [c["code"] for top in data["categories"] for c in (top, *top.get("subcategories", []))]
    problems += [
        f"Category code {code} is used twice."
        for code in sorted(set(codes))
        if codes.count(code) > 1
    ]
    leaves = {c["code"] for top in data["categories"] for c in (top.get("subcategories") or [top])}
    rules = data.get("allocation", {})
    targets = [*rules.get("kinds", {}).values(), *rules.get("participatory", {}).values()]
    targets += [rules["default"]] if "default" in rules else []
    targets += list(rules.get("competencies", {}).get("map", {}).values())
    problems += [
        f"allocation: {code} is not a category without sub-categories."
        for code in sorted(set(targets) - leaves)
    ]
    parent = rules.get("competencies", {}).get("parent")
    if parent is not None and parent not in codes:
        problems.append(f"allocation/competencies/parent: {parent} is not a category.")
    return problems + _claims_problems(data.get("claims"))


def _claims_problems(claims: dict | None) -> list[str]:
    """The claim vocabulary names real kinds and deliveries, and only types the body has."""
    if not claims:
        return []
    problems = []
    kinds, deliveries = {k.value for k in ActivityKind}, {d.value for d in Delivery}
    for key in sorted(claims["types"]):
        kind, _, delivery = key.partition("+")
        if kind not in kinds or (delivery and delivery not in deliveries):
            problems.append(f"claims/types: {key} is not an activity kind (or kind+delivery).")
    problems += [
        f"claims/certificate_kinds: {kind} is not an activity kind."
        for kind in claims.get("certificate_kinds", ())
        if kind not in kinds
    ]
    choices = set(claims["choices"])
    named = {*claims["types"].values(), claims["default_type"]}
    problems += [
        f"claims: “{name}” is not one of claims/choices." for name in sorted(named - choices)
    ]
    return problems


def parse_scheme_text(text: str) -> tuple[dict, SchemeRules]:
    """(data, scheme) from JSON text a user wrote; SchemeError names what is wrong."""
    try:
        data = bounded_json.loads(text)
    except (json.JSONDecodeError, bounded_json.JsonTooDeep) as error:
        raise SchemeError([f"This is not valid JSON: {error}"]) from None
    return data, check_scheme(data)


def shipped_scheme_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.json"))


def read_scheme_file(path: Path) -> tuple[dict, SchemeRules]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data, check_scheme(data)
