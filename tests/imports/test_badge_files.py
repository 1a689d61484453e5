"""Issue 16, class 10: a badge file's refusal names the kind of file; baked SVG badges are read."""

import json

import pytest
from sqlalchemy import select

from cpd_log.extensions import db
from cpd_log.imports.badge_files import MAX_SVG_ELEMENTS, BadgeError, read_badge_file
from cpd_log.models import BadgeAssertion
from tests.imports.badge_helpers import assertion_for, count, upload
from tests.imports.helpers import fixture


def ob2_svg(name: str, assertion: dict) -> bytes:
    svg = fixture(f"badges/{name}").replace(b"ASSERTION_URL", assertion["id"].encode())
    return svg.replace(b"ASSERTION_JSON", json.dumps(assertion, indent=2).encode())


def test_baked_svg_ob2_with_the_assertion_inside(badge_client, issuer):
    assertion = assertion_for(issuer)
    response = upload(badge_client, ob2_svg("ob2_baked.svg", assertion), "badge.svg")
    assert response.status_code == 302
    badge = db.session.scalar(select(BadgeAssertion))
    assert (badge.badge_name, badge.verified) == ("Risk Management Practitioner", True)


def test_baked_svg_ob2_with_only_the_verify_address(badge_client, issuer):
    assertion = assertion_for(issuer)
    response = upload(badge_client, ob2_svg("ob2_baked_url_only.svg", assertion), "badge.svg")
    assert response.status_code == 302
    assert ("/assertions/123.json", issuer.base.removeprefix("http://")) in issuer.requests


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>"""

MANY_ELEMENTS = b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g/>" * MAX_SVG_ELEMENTS + b"</svg>"

REFUSALS = [
    (b'{\n  "type": "Assertion",\n    oops\n}', "This JSON is not valid: line 3 column 5"),
    (b"[1, 2]", "This JSON is a list or a value, not a badge"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01", "it is binary data"),
    (b"Course certificate for Ada", "This file is plain text, not an Open Badge"),
    (
        b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>',
        "This SVG image carries no Open Badge",
    ),
    (b"<html><body>badge</body></html>", "This XML file is not an SVG image"),
    (b'<svg xmlns="http://www.w3.org/2000/svg">\n<g></svg>', "not valid XML: line 2 column"),
    (BILLION_LAUGHS, "This SVG image declares entities or a DTD"),
    (MANY_ELEMENTS, "This SVG image has too many elements"),
    (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        b"<openbadges:assertion/></svg>",
        "The Open Badge element in this SVG image is empty",
    ),
    (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        b"<openbadges:assertion>{oops</openbadges:assertion></svg>",
        "The badge JSON inside this SVG image is not valid: line 1 column 2",
    ),
    (b"eyJhbGciOiJFZERTQSJ9.bm90IGpzb24.c2ln", "The JSON inside this signed JWT is not valid"),
]


@pytest.mark.parametrize(
    ("data", "message"),
    REFUSALS,
    ids=[
        "json-syntax",
        "json-list",
        "jpeg",
        "text",
        "svg-no-badge",
        "html",
        "svg-broken",
        "svg-entities",
        "svg-too-many-elements",
        "svg-empty-badge",
        "svg-bad-json",
        "jwt-not-json",
    ],
)
def test_each_refusal_names_the_kind_of_file(logged_in, data, message):
    response = upload(logged_in, data)
    assert response.status_code == 200
    assert message in response.data.decode()
    assert count() == 0


def test_an_svg_just_within_the_element_budget_is_read():
    groups = b"<g/>" * (MAX_SVG_ELEMENTS - 2)
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        + groups
        + b'<openbadges:assertion verify="https://example.org/a/1"/></svg>'
    )
    assert read_badge_file(svg).value == "https://example.org/a/1"


def test_a_jwt_file_is_told_apart_from_json():
    assert read_badge_file(b"eyJhIjoxfQ.eyJiIjoyfQ.c2ln\n").file_kind == "JWT"
    with pytest.raises(BadgeError, match="plain text"):
        read_badge_file(b"eyJhIjoxfQ")
