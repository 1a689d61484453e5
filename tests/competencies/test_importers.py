"""Framework files: valid ones parse, malformed ones name where, export → import round-trips."""

import json
from pathlib import Path

import pytest

from cpd_log.competencies.formats import export, parse
from cpd_log.competencies.importers import MAX_BYTES, FrameworkFileError

SHIPPED = sorted((Path(__file__).parents[2] / "cpd_log" / "data" / "frameworks").glob("*.json"))
META = {"name": "Imported", "version": "1.0", "source": "", "licence": "", "description": ""}


def tree(data: dict) -> list:
    return [
        (a["code"], a["name"], a["description"],
         [(c["code"], c["name"], c["description"]) for c in a["competencies"]])
        for a in data["areas"]
    ]  # fmt: skip


def shipped(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    for area in data["areas"]:
        area.setdefault("description", "")
        for c in area["competencies"]:
            c.setdefault("description", "")
    return data


@pytest.mark.parametrize("fmt", ["case", "matrix", "csv"])
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_export_then_import_round_trips(fmt, path):
    original = shipped(path)
    again = parse(fmt, export(fmt, original).encode("utf-8"), META)
    assert tree(again) == tree(original)
    if fmt == "case":  # CASE carries everything, including the level scale
        for key in ("name", "version", "description", "source", "licence"):
            assert again[key] == original[key]
        assert [(lv["value"], lv["name"]) for lv in again["levels"]] == [
            (lv["value"], lv["name"]) for lv in original["levels"]
        ]


def test_csv_with_header_quotes_and_formula_cells():
    data = (
        "code,name,parent code,description\r\n"
        'G,Governance,,"Boards, gates and ""assurance"""\r\n'
        "G.1,=Stage gates,G,'=cmd|calc\r\n"
        "\r\n"
        "R,Reporting,,\r\n"
        "R.1,Dashboards,R,Monthly\r\n"
    ).encode("utf-8-sig")
    result = parse("csv", data, META)
    assert tree(result) == [
        (
            "G",
            "Governance",
            'Boards, gates and "assurance"',
            [("G.1", "=Stage gates", "=cmd|calc")],
        ),
        ("R", "Reporting", "", [("R.1", "Dashboards", "Monthly")]),
    ]
    exported = export("csv", result)
    assert "'=Stage gates" in exported and "'=cmd|calc" in exported
    assert tree(parse("csv", exported.encode(), META)) == tree(result)


def test_csv_children_may_come_before_their_area():
    result = parse("csv", b"A.1,Child,A,\nA,Area,,\n", META)
    assert tree(result) == [("A", "Area", "", [("A.1", "Child", "")])]


def test_mahara_sub_clauses_stay_in_their_standard():
    matrix = {
        "framework": {
            "name": "Teaching",
            "description": "d",
            "standards": [
                {
                    "shortname": "S1",
                    "name": "Know the learners",
                    "description": "",
                    "standardelement": [
                        {"shortname": "1.1", "name": "one", "description": "", "parent": False},
                        {"shortname": "1.1.1", "name": "sub", "description": "", "parent": True},
                    ],
                },
                {"shortname": "S2", "name": "Empty standard", "description": ""},
            ],
        }
    }
    result = parse("matrix", json.dumps(matrix).encode(), META)
    assert result["name"] == "Teaching"
    assert tree(result) == [
        ("S1", "Know the learners", "", [("1.1", "one", ""), ("1.1.1", "sub", "")]),
        ("S2", "Empty standard", "", []),
    ]


def case_package(items, links, doc_id="doc") -> bytes:
    return json.dumps(
        {"CFDocument": {"identifier": doc_id, "title": "T"}, "CFItems": items,
         "CFAssociations": links}
    ).encode()  # fmt: skip


def item(identifier, code, statement="Name"):
    return {"identifier": identifier, "humanCodingScheme": code, "fullStatement": statement}


def child_of(child, parent):
    return {
        "identifier": f"{child}-{parent}",
        "associationType": "isChildOf",
        "originNodeURI": {"identifier": child},
        "destinationNodeURI": {"identifier": parent},
    }


def test_case_uses_full_statement_when_there_is_no_abbreviation():
    data = case_package(
        [item("a", "A", "Area A"), item("c", "A.1", "Do the thing")],
        [child_of("a", "doc"), child_of("c", "a"),
         {"associationType": "isRelatedTo", "originNodeURI": {}, "destinationNodeURI": {}}],
    )  # fmt: skip
    result = parse("case", data, META)
    assert tree(result) == [("A", "Area A", "", [("A.1", "Do the thing", "")])]
    assert len(result["levels"]) == 6  # the default scale


MALFORMED = {
    "bad json": ("case", b'{"CFDocument": {,}', "line 1, column 17"),
    "bad json matrix": ("matrix", b'{\n\n  "framework": [}', "line 3"),
    "not utf-8": ("csv", b"A,\xff\xfe,,\n", "not UTF-8"),
    "empty": ("csv", b"   \n", "empty"),
    "no CFDocument": ("case", b'{"CFItems": []}', "CFDocument"),
    "missing title": ("case", b'{"CFDocument": {"identifier": "d"}}', "CFDocument.title"),
    "item without statement": (
        "case",
        case_package([{"identifier": "x", "humanCodingScheme": "X"}], []),
        "CFItems[0].fullStatement",
    ),
    "item not an object": ("case", case_package(["oops"], []), "CFItems[0]"),
    "duplicate code case": (
        "case",
        case_package([item("a", "A"), item("b", "A")], []),
        "CFItems[1]",
    ),
    "dangling parent": (
        "case",
        case_package([item("a", "A")], [child_of("a", "nowhere")]),
        "CFAssociations[0].destinationNodeURI.identifier",
    ),
    "cycle case": (
        "case",
        case_package(
            [item("a", "A"), item("b", "B"), item("r", "R")],
            [child_of("a", "b"), child_of("b", "a")],
        ),
        "cycle",
    ),
    "standards not a list": (
        "matrix",
        b'{"framework": {"name": "n", "standards": {}}}',
        "framework.standards",
    ),
    "element without name": (
        "matrix",
        b'{"framework": {"name": "n", "standards": [{"shortname": "S", "name": "s", '
        b'"standardelement": [{"shortname": "1"}]}]}}',
        "framework.standards[0].standardelement[0].name",
    ),
    "duplicate code csv": ("csv", b"A,Area,,\nA.1,One,A,\nA.1,Again,A,\n", "line 3"),
    "missing name csv": ("csv", b"A,Area,,\nA.1,,A,\n", "line 2, name"),
    "one column csv": ("csv", b"A,Area,,\nlonely\n", "line 2"),
    "unknown parent csv": ("csv", b"A,Area,,\nA.1,One,B,\n", "line 2"),
    "cycle csv": ("csv", b"R,Root,,\nA,Area,B,\nB,Other,A,\n", "cycle"),
    "no area csv": ("csv", b"A,Area,A,\n", "cycle"),
    "code too long": ("csv", b"A" * 101 + b",Area,,\n", "line 1, code"),
    "nul csv": ("csv", b"A,Area,,\nB,Be\x00,,\n", "line 2"),
    "escaped nul json": (
        "matrix",
        b'{"framework": {"name": "n\\u0000", "standards": []}}',
        "framework.name",
    ),
}


@pytest.mark.parametrize(("fmt", "data", "where"), MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_files_name_where(fmt, data, where):
    with pytest.raises(FrameworkFileError) as error:
        parse(fmt, data, META)
    assert where.lower() in str(error.value).lower()


@pytest.mark.parametrize("fmt", ["case", "matrix", "csv"])
def test_20_mb_of_junk_is_refused_before_parsing(fmt):
    with pytest.raises(FrameworkFileError, match="larger than 5 MB"):
        parse(fmt, b"[" * (20 * 1024 * 1024), META)
    with pytest.raises(FrameworkFileError, match="larger than 5 MB"):
        parse(fmt, b"x" * (MAX_BYTES + 1), META)


def test_levels_from_a_case_file_are_checked():
    package = json.loads(case_package([item("a", "A"), item("b", "B")], [child_of("b", "a")]))
    package["CFDocument"]["extensions"] = {
        "cpd_log": {"levels": [{"value": 1, "name": "x"}, {"value": 1, "name": "y"}]}
    }
    with pytest.raises(FrameworkFileError, match=r"levels\[1\]\.value"):
        parse("case", json.dumps(package).encode(), META)


def test_unknown_format():
    with pytest.raises(FrameworkFileError, match="format"):
        parse("xlsx", b"x", META)


@pytest.mark.parametrize("fmt", ["case", "matrix"])
@pytest.mark.parametrize("depth", [65, 500, 100_000])
def test_deeply_nested_json_is_refused_not_a_recursion_error(fmt, depth):
    """100,000 levels make json.loads itself raise RecursionError; 500 it survives, and a later
    recursive walk would not (issue 10, defect 10)."""
    data = b'{"CFDocument": ' + b"[" * depth + b"]" * depth + b"}"
    with pytest.raises(FrameworkFileError, match="nests more than 64 levels"):
        parse(fmt, data, META)


def test_a_case_file_with_too_many_items_is_refused_before_any_is_read():
    items = [{"identifier": str(n)} for n in range(5_001)]
    data = json.dumps({"CFDocument": {"identifier": "d", "title": "T"}, "CFItems": items})
    with pytest.raises(FrameworkFileError, match="more than 5,000 items"):
        parse("case", data.encode(), META)


def test_csv_export_then_import_keeps_formula_like_and_tab_or_cr_text():
    """The export's apostrophe before = + - @ TAB CR comes off on import, and nothing else does."""
    starts = ("=", "+", "-", "@", "\t", "\r")
    areas = [
        {
            "code": f"A{n}",
            "name": "Area",
            "description": f"{start}Area notes",
            "competencies": [
                {"code": f"A{n}.1", "name": f"{start}Name", "description": f"{start}x"}
            ],
        }
        for n, start in enumerate(starts)
    ]
    framework = {**META, "areas": areas}
    exported = export("csv", framework)
    assert tree(parse("csv", exported.encode(), META)) == tree(framework)
