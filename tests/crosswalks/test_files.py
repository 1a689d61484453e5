"""Every shipped crosswalk file: valid, no dangling codes, and every competency of every shipped
framework reaches the PMI Talent Triangle (pure: the files only, no database)."""

import json
from copy import deepcopy

import pytest

from cpd_log.competencies.services import shipped_framework_files
from cpd_log.crosswalks.checking import (
    CrosswalkError,
    check_crosswalk,
    read_crosswalk_file,
    shipped_crosswalk_files,
)
from cpd_log.crosswalks.mapping import COUNTING

TT = "pmi-talent-triangle"


def _frameworks() -> dict[str, dict]:
    files = (json.loads(p.read_text(encoding="utf-8")) for p in shipped_framework_files())
    return {data["slug"]: data for data in files}


FRAMEWORKS = _frameworks()
CODES = {
    slug: {c["code"] for area in data["areas"] for c in (area, *area.get("competencies", []))}
    for slug, data in FRAMEWORKS.items()
}
FILES = shipped_crosswalk_files()


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_every_shipped_crosswalk_is_valid_and_says_where_it_comes_from(path):
    data = read_crosswalk_file(path, CODES)
    assert data["slug"] == path.stem
    assert len(data["source"]) > 40 and "CPD Log" in data["licence"]
    for mapping in data["mappings"]:
        assert mapping["reason"].endswith("."), mapping
        assert len(mapping["reason"]) <= 120, mapping  # one line


def test_the_issue_asks_for_these_crosswalks():
    pairs = {(d["from"], d["to"]) for d in (read_crosswalk_file(p, CODES) for p in FILES)}
    assert pairs == {
        ("pmo-practitioner", TT),
        ("apm-competence-framework", TT),
        ("gapps-project-manager", TT),
        ("professional-characteristics", TT),
        ("pmo-practitioner", "apm-competence-framework"),
    }


def test_every_competency_of_every_shipped_framework_counts_toward_the_talent_triangle():
    """A competency without an exact, broader or narrower mapping into the Talent Triangle would
    never count toward a PMI area: a new framework or competency needs its mapping."""
    reaching = set()
    for path in FILES:
        data = read_crosswalk_file(path, CODES)
        for m in data["mappings"]:
            if data["to"] == TT and m["relation"] in COUNTING:
                reaching.add((data["from"], m["from"]))
    missing = [
        (slug, competency["code"])
        for slug, data in FRAMEWORKS.items()
        if slug != TT
        for area in data["areas"]
        for competency in area.get("competencies", [])
        if (slug, competency["code"]) not in reaching
    ]
    assert missing == []


def test_the_pmo_influencing_competency_is_a_power_skill():
    data = read_crosswalk_file(
        next(p for p in FILES if p.stem == "pmo-practitioner-talent-triangle"), CODES
    )
    assert {"from": "STK.3", "to": "TT.PS", "relation": "narrower"}.items() <= next(
        m for m in data["mappings"] if m["from"] == "STK.3"
    ).items()


def _sample() -> dict:
    return json.loads(FILES[0].read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d["mappings"][0].update(to="TT.NOPE"), "TT.NOPE is not a competency of"),
        (lambda d: d["mappings"][0].update(relation="similar"), "is not one of"),
        (lambda d: d["mappings"].append(dict(d["mappings"][0])), "is mapped 2 times"),
        (lambda d: d.update(to="no-such-framework"), "there is no framework no-such-framework"),
        (lambda d: d.update(to=d["from"]), "the same framework"),
        (lambda d: d["mappings"][0].update(reason="two\nlines"), "does not match"),
        (lambda d: d.pop("licence"), "'licence' is a required property"),
    ],
)
def test_a_broken_crosswalk_is_refused_with_the_reason(change, problem):
    data = deepcopy(_sample())
    change(data)
    with pytest.raises(CrosswalkError) as error:
        check_crosswalk(data, CODES)
    assert any(problem in p for p in error.value.problems), error.value.problems


def test_a_crosswalk_is_an_object():
    with pytest.raises(CrosswalkError, match="JSON object"):
        check_crosswalk([], CODES)
