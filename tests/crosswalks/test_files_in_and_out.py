"""Crosswalks out and back in: CSV and CASE JSON round trips, all-or-nothing imports with each
problem named by line or field, and the budgets at the door (issue 12, item 2)."""

import json
import time

import pytest

from cpd_log.competencies.services import seed_frameworks
from cpd_log.crosswalks import case, editing, formats, table
from cpd_log.crosswalks.checking import CrosswalkError
from cpd_log.crosswalks.services import seed_crosswalks
from cpd_log.extensions import db
from cpd_log.models import Crosswalk
from tests import factories

META = {"name": "Ours to the Triangle", "source": "Our PMO", "licence": "CC BY 4.0"}


@pytest.fixture
def own(app, user):
    """The user's framework (areas A1, A2 with A1.1 … A2.2) and a crosswalk from it to the
    shipped Talent Triangle using each relation once, one reason starting like a formula."""
    seed_frameworks()
    mine = factories.make_framework(owner=user, slug="ours")
    walk = editing.create_crosswalk(
        user,
        {
            **META,
            "description": "",
            "from_framework": "ours",
            "to_framework": "pmi-talent-triangle",
        },
    )
    for code, target, relation, reason in (
        ("A1.1", "TT.PS", "exact", "The same skill."),
        ("A1.2", "TT.PS", "narrower", "=SUM(A1) one part of it"),
        ("A2.1", "TT.BA", "broader", "Covers business acumen and more."),
        ("A2.2", "TT.WOW", "related", "Overlaps."),
    ):
        editing.save_mapping(
            user,
            walk,
            {"from_code": code, "to_code": target, "relation": relation, "reason": reason},
        )
    db.session.commit()
    return mine, walk


def _pairs(data: dict) -> list[tuple]:
    return sorted((m["from"], m["to"], m["relation"], m["reason"]) for m in data["mappings"])


@pytest.mark.parametrize("fmt", ["csv", "case"])
def test_a_crosswalk_goes_out_and_comes_back_the_same(own, user, fmt):
    _, walk = own
    body = formats.export(fmt, walk, user).encode()
    data = formats.parse(fmt, body, META, user)
    back = editing.import_crosswalk(user, data)
    db.session.commit()
    assert back.id != walk.id and back.slug == "ours-to-the-triangle-2"
    assert (back.from_framework, back.to_framework) == ("ours", "pmi-talent-triangle")
    assert _pairs(formats.crosswalk_dict(back)) == _pairs(formats.crosswalk_dict(walk))


def test_csv_export_neutralises_formula_cells_and_has_the_header(own, user):
    _, walk = own
    text = formats.export("csv", walk, user)
    assert text.startswith("\ufefffrom framework,from code,to framework,to code,relation,reason")
    assert "'=SUM(A1) one part of it" in text


def test_case_export_uses_case_association_types_both_ways_for_broader(own, user):
    _, walk = own
    package = json.loads(formats.export("case", walk, user))
    links = {link["extensions"]["cpd_log"]["from"]: link for link in package["CFAssociations"]}
    assert [links[c]["associationType"] for c in ("A1.1", "A1.2", "A2.1", "A2.2")] == [
        "exactMatchOf",
        "isPartOf",
        "isPartOf",
        "isRelatedTo",
    ]
    # broader: the Talent Triangle's TT.BA is a part of A2.1, so it is the origin
    assert links["A2.1"]["originNodeURI"]["title"].startswith("TT.BA")
    assert links["A2.1"]["destinationNodeURI"]["title"].startswith("A2.1")
    assert links["A1.2"]["notes"] == "=SUM(A1) one part of it"
    assert package["CFItems"] == []


def test_case_import_reads_a_shipped_crosswalk_by_item_identifiers_alone(app, user):
    """A foreign CASE file has no cpd_log extensions: the nodes are found by identifier."""
    seed_frameworks()
    seed_crosswalks()
    factories.make_framework(owner=user, slug="ours")
    shipped = db.session.query(Crosswalk).filter_by(slug="pmo-practitioner-talent-triangle").one()
    package = case.export_case(
        formats.crosswalk_dict(shipped),
        formats.frameworks(user, {shipped.from_framework, shipped.to_framework}),
    )
    for link in package["CFAssociations"]:
        del link["extensions"]
    del package["CFDocument"]["extensions"]
    raw = json.dumps(package).encode()
    data = case.parse_case(raw, {}, case.item_index(formats.frameworks(user)))
    assert (data["from"], data["to"]) == ("pmo-practitioner", "pmi-talent-triangle")
    assert _pairs(data) == _pairs(formats.crosswalk_dict(shipped))


def test_csv_import_is_all_or_nothing_and_names_each_bad_line(own, user):
    rows = [
        "from framework,from code,to framework,to code,relation,reason",
        "ours,A1.1,pmi-talent-triangle,TT.PS,exact,Fine",
        "ours,NOPE,pmi-talent-triangle,TT.PS,exact,Unknown code",
        "ours,A1.2,pmi-talent-triangle,TT.PS,sideways,Unknown relation",
        "ours,A2.1,pmi-talent-triangle,TT.BA,exact,",
        "ours,A1.1,pmi-talent-triangle,TT.PS,exact,Twice",
        "ours,A2.2,apm-competence-framework,APM-01,exact,Other pair",
        "ours,A2.2,nowhere,X,exact,Unknown framework",
    ]
    before = db.session.query(Crosswalk).count()
    with pytest.raises(CrosswalkError) as caught:
        formats.parse("csv", "\n".join(rows).encode(), META, user)
    assert caught.value.problems == [
        "line 3: NOPE is not a competency of ours.",
        "line 4: the relation is one of exact, broader, narrower, related, not “sideways”.",
        "line 5: “reason” is empty.",
        "line 6: A1.1 → TT.PS is mapped on line 2 already.",
        "line 7: every row maps ours to pmi-talent-triangle.",
        "line 8: there is no framework nowhere.",
    ]
    assert db.session.query(Crosswalk).count() == before


def test_csv_import_refuses_a_crosswalk_from_someone_elses_framework(own, user):
    text = "ours,A1.1,pmi-talent-triangle,TT.PS,exact,Fine\n"
    data = formats.parse("csv", text.encode(), META, user)
    data["from"], data["to"] = "pmi-talent-triangle", "ours"
    with pytest.raises(CrosswalkError, match="not one of your own frameworks"):
        editing.import_crosswalk(user, data)


@pytest.mark.serial  # asserts a wall-time bound
def test_csv_budget_rows_and_bytes_are_refused_at_the_door(own, user):
    factories.make_framework(owner=user, slug="big", areas=72, per_area=70)
    lines = [
        f"big,A{a}.{c},pmi-talent-triangle,TT.PS,exact,Fine\n"
        for a in range(1, 73)
        for c in range(1, 71)
    ]
    with pytest.raises(CrosswalkError, match="line 5001: the file holds more than 5,000"):
        formats.parse("csv", "".join(lines).encode(), META, user)
    huge = b"x" * (table.MAX_BYTES + 1)
    started = time.perf_counter()
    with pytest.raises(CrosswalkError, match="larger than 2 MB"):
        formats.parse("csv", huge, META, user)
    assert time.perf_counter() - started < 0.5


def test_case_budget_counts_associations_before_reading_them(own, user):
    package = {"CFDocument": {"title": "x"}, "CFAssociations": [{}] * (table.MAX_ROWS + 1)}
    with pytest.raises(CrosswalkError, match="More than 5,000 associations"):
        formats.parse("case", json.dumps(package).encode(), META, user)
