"""A crosswalk as 1EdTech CASE JSON: a CFDocument of its own, no CFItems, and one CFAssociation
per mapping between items of two other documents (the frameworks). Pure (no Flask, no database).

CASE's association types that say how two competencies correspond, and ours:
  exact    → exactMatchOf  (origin: the from competency, destination: the to competency)
  narrower → isPartOf      (the from competency is a part of the to competency)
  broader  → isPartOf      read the other way: origin the to competency, destination the from one
             (CASE has no "hasPart"; our mapping.py reads every mapping both ways anyway)
  related  → isRelatedTo
Import also reads isPeerOf as related; other types (isChildOf, precedes, exemplar, …) are not
correspondences and are skipped. The reason goes in the association's `notes` (CASE 1.1).
A node is found by its identifier among the frameworks' items (case_json.item_identifier), or
else by the codes under the association's extensions.cpd_log, which export writes.
Budget: competencies.importers.MAX_BYTES and JSON nesting as for framework files; at most
table.MAX_ROWS associations, counted before any is read.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from uuid import NAMESPACE_URL, uuid5

from cpd_log.competencies.case_json import document_identifier, item_identifier
from cpd_log.competencies.importers import (
    CODE_MAX,
    FrameworkFileError,
    list_field,
    load_json,
    text_field,
)
from cpd_log.crosswalks.checking import CrosswalkError
from cpd_log.crosswalks.table import MAX_PROBLEMS, MAX_ROWS

TYPES = {"exact": "exactMatchOf", "narrower": "isPartOf", "broader": "isPartOf"}
TYPES["related"] = "isRelatedTo"
READ = {"exactMatchOf": "exact", "isPartOf": "narrower", "isRelatedTo": "related"}
READ["isPeerOf"] = "related"
FLIPPED = {"exact": "exact", "narrower": "broader", "related": "related"}
Framework = dict  # {"slug", "version", "names": {code: name}}


def _link(identifier: str, title: str) -> dict:
    return {"title": title, "identifier": identifier, "uri": f"urn:uuid:{identifier}"}


def export_case(crosswalk: dict, frameworks: Mapping[str, Framework]) -> dict:
    """The crosswalk dict as a CASE package; `frameworks` by slug give the items' identifiers and
    titles. Identifiers are derived, so the same crosswalk exports the same file."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    doc_id = str(uuid5(NAMESPACE_URL, f"cpd-log-crosswalk:{crosswalk['slug']}"))
    doc = {
        "identifier": doc_id,
        "uri": f"urn:uuid:{doc_id}",
        "creator": "CPD Log",
        "title": crosswalk["name"],
        "version": crosswalk["version"],
        "description": crosswalk.get("description", ""),
        "lastChangeDateTime": now,
        "extensions": {
            "cpd_log": {
                "kind": "crosswalk",
                "slug": crosswalk["slug"],
                "source": crosswalk["source"],
                "licence": crosswalk["licence"],
                "from": crosswalk["from"],
                "to": crosswalk["to"],
            }
        },
    }
    ends = {side: frameworks[crosswalk[side]] for side in ("from", "to")}
    docs = {side: document_identifier(f["slug"], f["version"]) for side, f in ends.items()}

    def node(side: str, code: str) -> dict:
        title = " ".join(filter(None, (code, ends[side]["names"].get(code, ""))))
        return _link(item_identifier(docs[side], code), title)

    links = []
    for number, m in enumerate(crosswalk["mappings"], start=1):
        identifier = str(uuid5(NAMESPACE_URL, f"{doc_id}:{m['from']}:{m['to']}"))
        ends_in_order = [node("from", m["from"]), node("to", m["to"])]
        if m["relation"] == "broader":
            ends_in_order.reverse()
        links.append(
            {
                "identifier": identifier,
                "uri": f"urn:uuid:{identifier}",
                "associationType": TYPES[m["relation"]],
                "sequenceNumber": number,
                "originNodeURI": ends_in_order[0],
                "destinationNodeURI": ends_in_order[1],
                "CFDocumentURI": _link(doc_id, crosswalk["name"]),
                "notes": m["reason"],
                "lastChangeDateTime": now,
                "extensions": {"cpd_log": {k: m[k] for k in ("from", "to", "relation")}},
            }
        )
    return {"CFDocument": doc, "CFItems": [], "CFAssociations": links}


def item_index(frameworks: Mapping[str, Framework]) -> dict[str, tuple[str, str]]:
    """{CFItem identifier: (framework slug, code)} of the frameworks, as export_case names them."""
    found = {}
    for framework in frameworks.values():
        doc_id = document_identifier(framework["slug"], framework["version"])
        for code in framework["names"]:
            found[item_identifier(doc_id, code)] = (framework["slug"], code)
    return found


def parse_case(data: bytes, meta: dict, items: Mapping[str, tuple[str, str]]) -> dict:
    """The crosswalk dict from a CASE package; `meta` (name, source, licence, description from
    the form) wins over the document's; `items` from item_index. Raises CrosswalkError."""
    try:
        package = load_json(data)
        if not isinstance(package, dict) or not isinstance(package.get("CFDocument"), dict):
            raise FrameworkFileError("A CASE file has a CFDocument object.", "CFDocument")
        links = list_field(package, "CFAssociations", "package")
        if len(links) > MAX_ROWS:
            raise FrameworkFileError(f"More than {MAX_ROWS:,} associations.", "CFAssociations")
        found = {**_document_meta(package["CFDocument"]), **{k: v for k, v in meta.items() if v}}
    except FrameworkFileError as error:
        raise CrosswalkError([str(error)]) from None
    problems, mappings = [], []
    for index, link in enumerate(links):
        try:
            mapping = _mapping(link, f"CFAssociations[{index}]", found, items)
        except FrameworkFileError as error:
            problems.append(str(error))
            if len(problems) >= MAX_PROBLEMS:
                break
            continue
        if mapping is not None:
            mappings.append(mapping)
    if problems:
        raise CrosswalkError(problems)
    if not mappings:
        raise CrosswalkError(["The file has no exactMatchOf, isPartOf or isRelatedTo links."])
    return {**found, "mappings": mappings}


def _document_meta(doc: dict) -> dict:
    extra = (
        doc.get("extensions", {}).get("cpd_log") if isinstance(doc.get("extensions"), dict) else {}
    )
    extra = extra if isinstance(extra, dict) else {}
    where = "CFDocument.extensions.cpd_log"
    return {
        "slug": text_field(extra, "slug", where, required=False) or "imported",
        "name": text_field(doc, "title", "CFDocument", limit=200),
        "version": text_field(doc, "version", "CFDocument", required=False, limit=32) or "1",
        "description": text_field(doc, "description", "CFDocument", required=False),
        "source": text_field(extra, "source", where, False)
        or text_field(doc, "creator", "CFDocument", required=False)
        or "A CASE file",
        "licence": text_field(extra, "licence", where, False) or "Not stated in the file",
        "from": text_field(extra, "from", where, required=False),
        "to": text_field(extra, "to", where, required=False),
    }


def _mapping(link, where: str, found: dict, items) -> dict | None:
    kind = text_field(link, "associationType", where)
    if kind not in READ:
        return None
    reason = text_field(link, "notes", where, required=False) or f"{kind} in the CASE file"
    ends = [_identifier(link, key, where) for key in ("originNodeURI", "destinationNodeURI")]
    if not all(end in items for end in ends):
        return {**_as_exported(link, where, found), "reason": reason}
    (origin, a), (destination, b) = items[ends[0]], items[ends[1]]
    found["from"], found["to"] = found["from"] or origin, found["to"] or destination
    relation = READ[kind]
    if (origin, destination) == (found["to"], found["from"]):
        a, b, relation = b, a, FLIPPED[relation]
    elif (origin, destination) != (found["from"], found["to"]):
        raise FrameworkFileError(
            f"It joins {origin} and {destination}, not {found['from']} and {found['to']}.", where
        )
    return {"from": a, "to": b, "relation": relation, "reason": reason}


def _identifier(link, key: str, where: str) -> str:
    return text_field(
        link.get(key) if isinstance(link, dict) else None, "identifier", f"{where}.{key}"
    )


def _as_exported(link: dict, where: str, found: dict) -> dict:
    """The mapping as our export wrote it under extensions.cpd_log, for nodes not found by
    identifier (a framework whose version changed since the export, say)."""
    extensions = link.get("extensions")
    extra = extensions.get("cpd_log") if isinstance(extensions, dict) else None
    if not (isinstance(extra, dict) and found["from"] and found["to"]):
        raise FrameworkFileError(
            "No competency of your frameworks or the shipped ones has this identifier.",
            f"{where}.originNodeURI.identifier",
        )
    values = {
        key: text_field(extra, key, f"{where}.extensions.cpd_log", limit=CODE_MAX)
        for key in ("from", "to", "relation")
    }
    if values["relation"] not in TYPES:
        raise FrameworkFileError("Unknown relation.", f"{where}.extensions.cpd_log.relation")
    return values
