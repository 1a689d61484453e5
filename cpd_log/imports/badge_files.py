"""What a badge file carries: JSON, a compact JWS/JWT, or a baked PNG or SVG. No Flask.

Baking (Open Badges 2.0 §Baking, Open Badges 3.0 §5.3): a PNG holds the badge in an iTXt chunk
keyed "openbadges" (2.0) or "openbadgecredential" (3.0); an SVG holds an
`<openbadges:assertion verify="URL">` element (2.0) or `<openbadges:credential>` (3.0) whose text
(CDATA) is the JSON or the compact JWS, or whose `verify` attribute is the hosted URL.

Budget: the upload is at most forms.MAX_IMPORT_BYTES; PNG chunks are walked without decoding
pixels (png_text.py); an SVG is parsed by defusedxml (no DTD, no entities) as a stream of at most
MAX_SVG_ELEMENTS elements, stopping at the badge element; badge text is at most MAX_TEXT bytes;
JSON nests at most bounded_json.MAX_DEPTH levels.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from cpd_log import bounded_json
from cpd_log.common.web_urls import is_web_url
from cpd_log.imports import png_text

MAX_TEXT = 1024 * 1024
MAX_SVG_ELEMENTS = 50_000  # a detailed badge drawing has a few thousand
OB2_NS = "http://openbadges.org"
OB3_NS = "https://purl.imsglobal.org/ob/v3p0"
JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
PNG_KEYWORDS = ("openbadgecredential", "openbadges")
SVG_TAGS = ("credential", "assertion")


class BadgeError(ValueError):
    """The file is not a usable badge; the message says why, for the user."""


@dataclass
class BadgeInfo:
    assertion_id: str
    badge_name: str
    issuer_name: str
    issuer_url: str
    issued_on: date
    description: str = ""
    criteria_url: str = ""
    verification: str = ""
    verified: bool = False
    alignment: list = field(default_factory=list)
    raw: str = ""
    check_reason: str = ""  # why a proof was not checked, told once at import (not stored)

    @property
    def external_uid(self) -> str:
        """The assertion's id (a URL or urn), hashed when it will not fit the column."""
        uid = self.assertion_id or "sha256:" + hashlib.sha256(self.raw.encode()).hexdigest()
        return uid if len(uid) <= 255 else "sha256:" + hashlib.sha256(uid.encode()).hexdigest()


@dataclass
class Carried:
    """What the file holds: a JSON object, a compact JWS, or a URL; and what kind of file it was."""

    value: dict | str
    file_kind: str  # "JSON", "JWT", "PNG image", "SVG image"

    @property
    def is_jws(self) -> bool:
        return isinstance(self.value, str) and bool(JWS.match(self.value))


def read_badge_file(data: bytes) -> Carried:
    """The badge the file carries; BadgeError naming the kind of file otherwise."""
    if data.startswith(png_text.SIGNATURE):
        return _from_png(data)
    try:
        text = data.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        raise BadgeError(
            "This file is neither an Open Badge (JSON or a signed JWT) nor a PNG or SVG image "
            "carrying one: it is binary data."
        ) from None
    if text.startswith("<"):
        return _from_svg(data)
    if JWS.match(text):
        return Carried(text, "JWT")
    if text.startswith(("{", "[")):
        return Carried(json_object(text, "This JSON"), "JSON")
    raise BadgeError(
        "This file is plain text, not an Open Badge: neither JSON, a signed JWT, nor a PNG or SVG "
        "image carrying a badge."
    )


def json_object(text: str, what: str) -> dict:
    """The JSON object `text` holds; BadgeError with the line and column of a syntax error."""
    try:
        value = bounded_json.loads(text)
    except bounded_json.JsonTooDeep as error:
        raise BadgeError(str(error)) from None
    except json.JSONDecodeError as error:
        raise BadgeError(
            f"{what} is not valid: line {error.lineno} column {error.colno} ({error.msg})."
        ) from None
    if not isinstance(value, dict):
        raise BadgeError(f"{what} is a list or a value, not a badge (a JSON object).")
    return value


def _from_png(data: bytes) -> Carried:
    try:
        for keyword in PNG_KEYWORDS:
            baked = png_text.find_text(data, keyword, MAX_TEXT)
            if baked:
                return _baked(baked.strip(), "PNG image")
    except png_text.PngError as error:
        raise BadgeError(str(error)) from None
    raise BadgeError(
        "This PNG image carries no Open Badge (no “openbadges” or “openbadgecredential” data)."
    )


def _from_svg(data: bytes) -> Carried:
    element = _svg_badge_element(data)
    text = (element.text or "").strip()
    if len(text) > MAX_TEXT:
        raise BadgeError("The badge data inside the SVG image is far larger than a badge.")
    verify = (element.get("verify") or "").strip()
    if text or verify:
        return _baked(text or verify, "SVG image")
    raise BadgeError("The Open Badge element in this SVG image is empty.")


def _svg_badge_element(data: bytes):
    """The first openbadges:credential or openbadges:assertion element of the SVG."""
    wanted = {f"{{{ns}}}{tag}" for ns in (OB2_NS, OB3_NS) for tag in SVG_TAGS}
    count, root_seen = 0, False
    try:
        for event, element in iterparse(BytesIO(data), events=("start", "end")):
            if event == "start":
                count += 1
                if not root_seen and not element.tag.endswith("}svg") and element.tag != "svg":
                    raise BadgeError("This XML file is not an SVG image, so it carries no badge.")
                root_seen = True
                if count > MAX_SVG_ELEMENTS:
                    raise BadgeError("This SVG image has too many elements to be a badge.")
            elif element.tag in wanted:
                return element
            else:
                element.clear()  # the drawing is not needed: keep memory flat
    except DefusedXmlException:
        raise BadgeError("This SVG image declares entities or a DTD; it is refused.") from None
    except ParseError as error:
        line, column = error.position
        raise BadgeError(
            f"This SVG image is not valid XML: line {line} column {column + 1}."
        ) from None
    raise BadgeError(
        "This SVG image carries no Open Badge (no openbadges:assertion or "
        "openbadges:credential element)."
    )


def _baked(text: str, file_kind: str) -> Carried:
    if text.startswith(("http://", "https://")):
        return Carried(text, file_kind)
    if text.startswith("{"):
        return Carried(json_object(text, f"The badge JSON inside this {file_kind}"), file_kind)
    if JWS.match(text):
        return Carried(text, file_kind)
    raise BadgeError(
        f"The badge data inside this {file_kind} is neither JSON, a signed JWT nor a web address."
    )


def issued_on(value, name: str) -> date:
    try:
        text = str(value).strip().replace("Z", "+00:00")
        return datetime.fromisoformat(text).date() if "T" in text else date.fromisoformat(text)
    except ValueError:
        raise BadgeError(f"The badge has no valid issue date ({name}).") from None


def criteria_url(value) -> str:
    url = value.get("id", "") if isinstance(value, dict) else value
    url = str(url or "")[:2000]
    return url if is_web_url(url) else ""


def alignment(value) -> list[dict]:
    items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
    keys = ("targetName", "targetCode", "targetUrl", "targetFramework")
    return [
        {k: str(item.get(k) or "")[:500] for k in keys} for item in items if isinstance(item, dict)
    ]
