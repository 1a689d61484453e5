"""1EdTech CASE 1.0 JSON: CFDocument, CFItems and CFAssociations of type isChildOf.

In CASE an isChildOf association points from the child (originNodeURI) to its parent
(destinationNodeURI), which is the CFDocument itself for top-level items. CASE has no place for
our level scale, slug or licence text, so export puts them under CFDocument.extensions.cpd_log and
import reads them back when present (other CASE files get the default scale).
"""

import hashlib
import re
from datetime import UTC, datetime
from uuid import NAMESPACE_URL, uuid5

from cpd_log.competencies.importers import (
    CODE_MAX,
    MAX_ITEMS,
    NAME_MAX,
    FrameworkFileError,
    build_tree,
    list_field,
    load_json,
    shortened,
    text_field,
    tree_row,
)

UUID_HEX = re.compile(r"[0-9a-f]{32}")


def parse_case(data: bytes, meta: dict) -> dict:
    package = load_json(data)
    if not isinstance(package, dict) or "CFDocument" not in package:
        raise FrameworkFileError("A CASE file has a CFDocument object.", "CFDocument")
    doc = package["CFDocument"]
    doc_id = text_field(doc, "identifier", "CFDocument")
    items = list_field(package, "CFItems", "package")
    if len(items) > MAX_ITEMS:  # checked before a row is built for any of them
        raise FrameworkFileError(f"The file holds more than {MAX_ITEMS:,} items.", "CFItems")
    codes = {}
    rows = []
    for index, item in enumerate(items):
        where = f"CFItems[{index}]"
        identifier = text_field(item, "identifier", where)
        if identifier in codes:
            raise FrameworkFileError(f"Duplicate identifier “{identifier}”.", f"{where}.identifier")
        codes[identifier] = text_field(item, "humanCodingScheme", where, False, CODE_MAX)
        rows.append(_item_row(item, codes[identifier], where))
    _generate_codes(rows, codes)
    _link_parents(package, rows, codes, doc_id)
    return build_tree(rows, {**meta, **_document_meta(doc)})


def _item_row(item: dict, code: str, where: str) -> dict:
    """A CFItem's row: its abbreviatedStatement (else fullStatement) as the name, shortened past
    NAME_MAX with the whole statement kept as the description."""
    full = text_field(item, "fullStatement", where)
    short = text_field(item, "abbreviatedStatement", where, required=False)
    name = short or full
    if short and full != short or len(name) > NAME_MAX:
        description = full
    else:
        description = text_field(item, "notes", where, False)
    return tree_row(code, shortened(name), description, "", where)


def _generate_codes(rows: list[dict], codes: dict) -> None:
    """humanCodingScheme is optional in CASE: an item without one gets a code made from its
    identifier (the start of its UUID), so importing the file again gives the same codes."""
    taken = {code for code in codes.values() if code}
    for (identifier, code), row in zip(list(codes.items()), rows, strict=True):
        if code:
            continue
        digest = identifier.lower().removeprefix("urn:uuid:").replace("-", "")
        if not UUID_HEX.fullmatch(digest):  # CASE asks for UUIDs; anything else is hashed
            digest = hashlib.sha256(identifier.encode()).hexdigest()
        length = 8
        while digest[:length].upper() in taken and length < len(digest):
            length += 4
        code = digest[:length].upper()
        number = 2
        while code in taken:  # only when one identifier's digits are a prefix of another's
            code, number = f"{digest[:length].upper()}-{number}", number + 1
        taken.add(code)
        codes[identifier] = row["code"] = code


def _link_parents(package: dict, rows: list[dict], codes: dict, doc_id: str) -> None:
    by_code = {row["code"]: row for row in rows}
    for index, link in enumerate(list_field(package, "CFAssociations", "package")):
        where = f"CFAssociations[{index}]"
        if text_field(link, "associationType", where) != "isChildOf":
            continue
        child = text_field(link.get("originNodeURI"), "identifier", f"{where}.originNodeURI")
        parent = text_field(
            link.get("destinationNodeURI"), "identifier", f"{where}.destinationNodeURI"
        )
        if child not in codes:
            raise FrameworkFileError(
                "No CFItem has this identifier.", f"{where}.originNodeURI.identifier"
            )
        if parent != doc_id and parent not in codes:
            raise FrameworkFileError(
                "Neither the CFDocument nor a CFItem has this identifier.",
                f"{where}.destinationNodeURI.identifier",
            )
        by_code[codes[child]]["parent"] = "" if parent == doc_id else codes[parent]


def _document_meta(doc: dict) -> dict:
    extra = (
        doc.get("extensions", {}).get("cpd_log", {})
        if isinstance(doc.get("extensions"), dict)
        else {}
    )
    extra = extra if isinstance(extra, dict) else {}
    licence = (
        doc.get("licenseURI", {}).get("title", "")
        if isinstance(doc.get("licenseURI"), dict)
        else ""
    )
    meta = {
        "name": text_field(doc, "title", "CFDocument", limit=NAME_MAX),
        "version": text_field(doc, "version", "CFDocument", required=False, limit=32) or "1.0",
        "description": text_field(doc, "description", "CFDocument", required=False),
        "source": text_field(extra, "source", "CFDocument.extensions.cpd_log", False)
        or text_field(doc, "creator", "CFDocument", required=False),
        "licence": text_field(extra, "licence", "CFDocument.extensions.cpd_log", False) or licence,
    }
    if extra.get("levels") is not None:
        meta["levels"] = extra["levels"]
    return meta


def _node(identifier: str, title: str) -> dict:
    return {"title": title, "identifier": identifier, "uri": f"urn:uuid:{identifier}"}


def document_identifier(slug: str, version: str) -> str:
    """A framework's CFDocument identifier: derived, so every export names it alike."""
    return str(uuid5(NAMESPACE_URL, f"cpd-log:{slug}:{version}"))


def item_identifier(doc_id: str, code: str) -> str:
    """The CFItem identifier of a framework's area or competency (crosswalks point at it)."""
    return str(uuid5(NAMESPACE_URL, f"{doc_id}:{code}"))


def export_case(framework: dict) -> dict:
    """The framework dict as a CASE package. Identifiers are derived from slug, version and code,
    so exporting the same framework twice gives the same file."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    doc_id = document_identifier(framework["slug"], framework["version"])
    doc = {
        "identifier": doc_id,
        "uri": f"urn:uuid:{doc_id}",
        "creator": "CPD Log",
        "title": framework["name"],
        "version": framework["version"],
        "description": framework.get("description", ""),
        "lastChangeDateTime": now,
        "extensions": {
            "cpd_log": {
                "slug": framework["slug"],
                "source": framework.get("source", ""),
                "licence": framework.get("licence", ""),
                "levels": framework["levels"],
            }
        },
    }
    items, links = [], []
    for parent, node, sort in _walk(framework):
        item_id = item_identifier(doc_id, node["code"])
        items.append(
            {
                "identifier": item_id,
                "uri": f"urn:uuid:{item_id}",
                "humanCodingScheme": node["code"],
                "abbreviatedStatement": node["name"],
                "fullStatement": node.get("description") or node["name"],
                "CFItemType": "Competency" if parent else "Area",
                "listEnumeration": str(sort),
                "lastChangeDateTime": now,
            }
        )
        parent_id = item_identifier(doc_id, parent["code"]) if parent else doc_id
        parent_title = parent["name"] if parent else framework["name"]
        links.append(
            {
                "identifier": str(uuid5(NAMESPACE_URL, f"{item_id}:isChildOf")),
                "associationType": "isChildOf",
                "sequenceNumber": sort,
                "originNodeURI": _node(item_id, node["name"]),
                "destinationNodeURI": _node(parent_id, parent_title),
                "lastChangeDateTime": now,
            }
        )
    return {"CFDocument": doc, "CFItems": items, "CFAssociations": links}


def _walk(framework: dict):
    for area_sort, area in enumerate(framework["areas"], start=1):
        yield None, area, area_sort
        for sort, competency in enumerate(area.get("competencies", []), start=1):
            yield area, competency, sort
