"""A crosswalk as CSV: one row per mapping, the columns HEADER. Pure (no Flask, no database).

Import is all or nothing: every row is checked and each problem is named by its line, so one pass
shows them all. Budget (STYLE.md rule 15), applied while reading: MAX_BYTES before decoding,
lines of at most bounded_text.MAX_LINE characters, MAX_ROWS mappings (the crosswalk schema's
limit), refused at the first row past it; at most MAX_PROBLEMS problems are listed. Measured in
tests/crosswalks/test_files_in_and_out.py.
"""

import csv
import io
from collections.abc import Mapping

from cpd_log.bounded_text import MAX_LINE, bounded_lines
from cpd_log.common.spreadsheet_safety import neutralise, unneutralise
from cpd_log.competencies.importers import CODE_MAX, FrameworkFileError, decoded_text
from cpd_log.crosswalks.checking import CrosswalkError
from cpd_log.models.crosswalk import RELATIONS

HEADER = ("from framework", "from code", "to framework", "to code", "relation", "reason")
MAX_BYTES = 2 * 1024 * 1024  # 5,000 rows of ~200 characters fit twice over
MAX_ROWS = 5_000
MAX_PROBLEMS = 20
REASON_MAX = 200


def export_csv(crosswalk: dict) -> str:
    """The crosswalk dict (the shape of the shipped files) as CSV text, UTF-8 with BOM."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for m in crosswalk["mappings"]:
        row = (crosswalk["from"], m["from"], crosswalk["to"], m["to"], m["relation"], m["reason"])
        writer.writerow([neutralise(cell) for cell in row])
    return "\ufeff" + out.getvalue()


def parse_csv(data: bytes, meta: dict, codes: Mapping[str, set[str]]) -> dict:
    """The crosswalk dict from CSV rows (a header row is optional), with `meta` (name, source,
    licence, description); `codes`: each known framework's codes. All rows join the same two
    frameworks. Raises CrosswalkError listing each problem with its line."""
    try:
        text = decoded_text(data) if len(data) <= MAX_BYTES else None
    except FrameworkFileError as error:
        raise CrosswalkError([str(error)]) from None
    if text is None:
        raise CrosswalkError([f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB."])
    problems: list[str] = []
    pair, mappings, seen = None, [], {}
    reader = csv.reader(bounded_lines(text, _line_too_long))
    try:
        for record in reader:
            where = f"line {reader.line_num}"
            cells = [unneutralise(cell.strip()) for cell in record]
            if not any(cells) or (not mappings and not pair and _is_header(cells)):
                continue
            if len(mappings) + len(problems) >= MAX_ROWS:
                raise CrosswalkError([f"{where}: the file holds more than {MAX_ROWS:,} mappings."])
            found = _row(cells, where, codes)
            if isinstance(found, str):
                problems.append(found)
                continue
            frameworks, mapping = found
            pair = pair or frameworks
            key = (mapping["from"], mapping["to"])
            if frameworks != pair:
                problems.append(f"{where}: every row maps {pair[0]} to {pair[1]}.")
            elif key in seen:
                problems.append(f"{where}: {key[0]} → {key[1]} is mapped on {seen[key]} already.")
            else:
                seen[key] = where
                mappings.append(mapping)
            if len(problems) >= MAX_PROBLEMS:
                break
    except csv.Error as error:
        problems.append(f"line {reader.line_num}: not readable as CSV: {error}.")
    except _TooLong as error:
        problems.append(str(error))
    if problems:
        raise CrosswalkError(problems[:MAX_PROBLEMS])
    if not mappings:
        raise CrosswalkError(["The file has no mappings."])
    return {**meta, "from": pair[0], "to": pair[1], "mappings": mappings}


def _is_header(cells: list[str]) -> bool:
    return cells[0].lower() == HEADER[0]


def _row(cells: list[str], where: str, codes) -> tuple[tuple[str, str], dict] | str:
    """((from framework, to framework), mapping) of one row, or the row's problem."""
    if len(cells) != len(HEADER):
        return f"{where}: expected {len(HEADER)} columns ({', '.join(HEADER)}), found {len(cells)}."
    from_fw, from_code, to_fw, to_code, relation, reason = cells
    for column, value in zip(HEADER, cells, strict=True):
        if not value:
            return f"{where}: “{column}” is empty."
    if relation not in RELATIONS:
        return f"{where}: the relation is one of {', '.join(RELATIONS)}, not “{relation}”."
    if len(reason) > REASON_MAX or "\n" in reason or "\r" in reason:
        return f"{where}: the reason is one line of at most {REASON_MAX} characters."
    for framework, code in ((from_fw, from_code), (to_fw, to_code)):
        if framework not in codes:
            return f"{where}: there is no framework {framework}."
        if len(code) > CODE_MAX or code not in codes[framework]:
            return f"{where}: {code} is not a competency of {framework}."
    if from_fw == to_fw:
        return f"{where}: from and to name the same framework."
    return (from_fw, to_fw), {
        "from": from_code,
        "to": to_code,
        "relation": relation,
        "reason": reason,
    }


class _TooLong(Exception):
    pass


def _line_too_long(number: int) -> Exception:
    return _TooLong(f"line {number}: the line is longer than {MAX_LINE:,} characters.")
