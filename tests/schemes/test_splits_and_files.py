"""Default splits, user-split checks, cycle dates and scheme-file validation (all pure)."""

import json
from datetime import date

import pytest

from cpd_log.schemes.checking import (
    DATA_DIR,
    SchemeError,
    parse_scheme_text,
    read_scheme_file,
    shipped_scheme_files,
)
from cpd_log.schemes.periods import cycles_until
from cpd_log.schemes.splits import ActivityFacts, default_split, split_errors

PMP = read_scheme_file(DATA_DIR / "pmi-pmp.json")[1]
TT = "pmi-talent-triangle"


def facts(kind="course", minutes=180, tags=(), participatory=False):
    return ActivityFacts(kind, minutes, participatory, frozenset((TT, t) for t in tags))


def test_every_shipped_file_is_valid_and_cites_a_source():
    paths = shipped_scheme_files()
    assert {p.stem for p in paths} >= {
        "pmi-pmp",
        "pmi-acp",
        "pmi-capm",
        "apm",
        "peoplecert-axelos",
        "nmc-style",
        "rics-style",
        "custom",
    }
    for path in paths:
        data, scheme = read_scheme_file(path)
        assert len(data["source"]) > 40, path.name
        assert scheme.slug == path.stem


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["TT.PS"], {"EDU.PS": 180}),
        ([], {"EDU.NONE": 180}),
        (["TT.WOW", "TT.PS"], {"EDU.PS": 90, "EDU.WOW": 90}),
        (["TT.BA", "TT.PS", "TT.WOW"], {"EDU.BA": 60, "EDU.PS": 60, "EDU.WOW": 60}),
    ],
)
def test_pmi_education_splits_by_talent_triangle_tags(tags, expected):
    assert default_split(PMP, facts(tags=tags)) == expected


def test_uneven_split_keeps_the_step_and_gives_the_remainder_to_the_first():
    split = default_split(PMP, facts(minutes=100, tags=["TT.PS", "TT.WOW"]))
    # issue 12: the remainder goes to the first area in the scheme's order (Ways of Working)
    assert split == {"EDU.WOW": 55, "EDU.PS": 45}


def test_kinds_route_to_giving_back_and_tags_do_not_move_it():
    assert default_split(PMP, facts("on_the_job", tags=["TT.PS"])) == {"GB.WORK": 180}
    assert default_split(PMP, facts("volunteering")) == {"GB.VOL": 180}


def test_participatory_flag_decides_for_nmc():
    nmc = read_scheme_file(DATA_DIR / "nmc-style.json")[1]
    assert default_split(nmc, facts(participatory=True)) == {"PART": 180}
    assert default_split(nmc, facts(participatory=False)) == {"IND": 180}


def test_split_errors_name_each_problem():
    assert split_errors(PMP, 180, {"EDU.PS": 120, "EDU.WOW": 60}) == {}
    assert "steps of 0.25 PDUs" in split_errors(PMP, 180, {"EDU.PS": 50})["EDU.PS"]
    assert "steps of 1 PDU" in split_errors(PMP, 180, {"GB.VOL": 90})["GB.VOL"]
    assert "activity lasted 3 PDUs" in split_errors(PMP, 180, {"EDU.PS": 180, "EDU.BA": 15})[""]
    assert "not a category" in split_errors(PMP, 180, {"EDU": 60})["EDU"]
    pc = read_scheme_file(DATA_DIR / "peoplecert-axelos.json")[1]
    assert "at most 15 points" in split_errors(pc, 20 * 60, {"PED": 16 * 60})[""]
    assert "only from 0.5 points" in split_errors(pc, 60, {"PED": 20})[""]


def test_cycles_from_a_certification_date():
    pmp = cycles_until({"type": "cycle", "months": 36}, date(2025, 3, 14), date(2028, 4, 1))
    assert [(c.start, c.end) for c in pmp] == [
        (date(2025, 3, 14), date(2028, 3, 13)),
        (date(2028, 3, 14), date(2031, 3, 13)),
    ]
    years = cycles_until({"type": "calendar_year"}, date(2024, 5, 1), date(2026, 1, 1))
    assert [c.start.year for c in years] == [2024, 2025, 2026]
    (window,) = cycles_until({"type": "rolling", "months": 12}, date(2020, 1, 1), date(2026, 6, 30))
    assert (window.start, window.end) == (date(2025, 7, 1), date(2026, 6, 30))
    leap = cycles_until({"type": "cycle", "months": 12}, date(2024, 2, 29), date(2025, 3, 1))
    assert leap[1].start == date(2025, 2, 28)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("source"), "'source' is a required property"),
        (lambda d: d.update(total_min=-1), "less than the minimum"),
        (lambda d: d["categories"][0].update(step=0.33), "not a whole number of minutes"),
        (lambda d: d["allocation"]["kinds"].update(course="NOPE"), "NOPE is not a category"),
        (lambda d: d["categories"][1].update(code="EDU"), "EDU is used twice"),
        (lambda d: d.update(period={"type": "weekly"}), "period"),
        (lambda d: d.update(period={"type": "cycle", "months": 1}), "period"),
    ],
)
def test_bad_scheme_files_are_refused_with_a_reason(change, message):
    data = json.loads((DATA_DIR / "pmi-pmp.json").read_text())
    change(data)
    with pytest.raises(SchemeError) as error:
        parse_scheme_text(json.dumps(data))
    assert message in str(error.value)


@pytest.mark.parametrize("text", ["", "{", "[]", "null", "[" * 5000 + "]" * 5000])
def test_malformed_text_is_a_scheme_error_not_a_crash(text):
    with pytest.raises(SchemeError):
        parse_scheme_text(text)
