"""Small files built to cost a parser far more than their size (issue 10, defect 6).

Each builder returns bytes; tests/imports/test_budgets.py parses them in a subprocess under a memory
cap and checks the documented budget. Kept apart from the tests so a person can reproduce by hand:
`python -c "from tests.imports.hostile_files import wide_row_xlsx; ..."`.
"""

import io
import json
import zipfile
import zlib
from datetime import date

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def xlsx(sheet_xml: bytes, dimension: str = "A1:C2", head: str = "") -> bytes:
    """A minimal workbook whose first sheet is `sheet_xml` (the <sheetData> content); `head`
    goes before the workbook part's root element."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK.replace("?>", "?>" + head, 1))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        body = (
            _SHEET_HEAD.encode()
            + f'<dimension ref="{dimension}"/><sheetData>'.encode()
            + sheet_xml
            + b"</sheetData></worksheet>"
        )
        archive.writestr("xl/worksheets/sheet1.xml", body)
    return out.getvalue()


def _header_row() -> bytes:
    cells = "".join(
        f'<c r="{col}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for col, name in zip("ABC", ("title", "date", "hours"), strict=True)
    )
    return f'<row r="1">{cells}</row>'.encode()


def wide_row_xlsx(cells: int = 20_000_000) -> bytes:
    """≈80 KB: a second row of millions of empty cells without references (each one a column)."""
    return xlsx(_header_row() + b'<row r="2">' + b"<c/>" * cells + b"</row>")


def lying_dimension_xlsx(rows: int = 2_000) -> bytes:
    """A few KB: the dimension claims 16,384 columns, so a reader padding rows to it explodes."""
    body = _header_row() + b"".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x</t></is></c></row>'.encode()
        for n in range(2, rows + 2)
    )
    return xlsx(body, dimension="A1:XFD1048576")


_LAUGHS = (
    '<!DOCTYPE workbook [<!ENTITY a "hahahahahahahahahaha">'
    + "".join(f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">' for n in range(9))
    + "]>"
)


def billion_laughs_xlsx() -> bytes:
    """Nested entities in the workbook part: 10⁹ "ha"s if a parser expanded them."""
    body = _header_row() + b'<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>'
    return xlsx(body, head=_LAUGHS)


def billion_laughs_sheet_xlsx() -> bytes:
    """The same entities in the sheet part, which our own scanner reads first."""
    data = xlsx(_header_row(), head="")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            part = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                part = part.replace(
                    b"?>", b"?>" + _LAUGHS.replace("workbook", "worksheet").encode()
                )
            dst.writestr(info, part)
    return out.getvalue()


def wide_row_small_xlsx() -> bytes:
    """A million value-less cells in one row: 4 MB unpacked, under the size cap; the cell count
    must stop it."""
    return wide_row_xlsx(cells=1_000_000)


def far_value_xlsx() -> bytes:
    """One value at column XFD (16,384): openpyxl would pad the row to it."""
    far = b'<row r="2"><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>'
    return xlsx(_header_row() + far, dimension="A1:XFD2")


def lying_size_xlsx() -> bytes:
    """The sheet part declares 1,000 bytes and inflates to 80 MB: the declared size must hold."""
    data = bytearray(wide_row_xlsx())
    name = b"xl/worksheets/sheet1.xml"
    local = 0
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = local
        while (start := data.find(signature, start)) != -1:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                data[start + size_at : start + size_at + 4] = (1000).to_bytes(4, "little")
            start += 4
    return bytes(data)


def full_xlsx(rows: int = 20_000) -> bytes:
    """The largest sheet the budget accepts, in the shape people upload: 8 columns of text."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["title", "date", "hours", "kind", "provider", "delivery", "url", "description"])
    for n in range(rows):
        sheet.append(
            [
                f"Course {n}",
                date(2026, 1, 1 + n % 28),
                1.5,
                "course",
                "PMI",
                "online",
                f"https://example.com/{n}",
                "A reflective note about what was learned " * 2,
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def full_csv(rows: int = 20_000) -> bytes:
    line = "Course,2026-01-01,1.5,course,PMI,online,https://example.com/x,{}\r\n".format(
        "A reflective note about what was learned " * 2
    )
    head = "title,date,hours,kind,provider,delivery,url,description\r\n"
    return (head + line * rows).encode()


def full_ics() -> bytes:
    """MAX_EVENTS ordinary events in the window: the largest calendar the budget accepts."""
    from cpd_log.imports.ics import MAX_EVENTS

    return many_events_ics(MAX_EVENTS)


def most_components_ics() -> bytes:
    """MAX_COMPONENTS events, all in the window: parsed whole, refused at MAX_EVENTS + 1."""
    from cpd_log.imports.ics import MAX_COMPONENTS

    return many_events_ics(MAX_COMPONENTS)


def recurring_ics(rule: str = "FREQ=DAILY", count: int = 1, since: str = "19000101") -> bytes:
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:r{n}@example.com\r\nDTSTAMP:20250101T000000Z\r\n"
        f"DTSTART:{since}T090000Z\r\nDTEND:{since}T100000Z\r\nRRULE:{rule}\r\n"
        f"SUMMARY:Rule {n}\r\nEND:VEVENT\r\n"
        for n in range(count)
    )
    head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//x//EN\r\n"
    return f"{head}{events}END:VCALENDAR\r\n".encode()


def never_matching_rules_ics() -> bytes:
    """Rules that never occur make dateutil walk every day since 1900: the time budget stops it."""
    from cpd_log.imports.ics_checks import MAX_RECURRING

    return recurring_ics("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", MAX_RECURRING)


def minutely_ics() -> bytes:
    """226 bytes: one event repeating every minute, for ever."""
    return (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//x//EN\r\nBEGIN:VEVENT\r\n"
        b"UID:m@example.com\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250101T000000Z\r\n"
        b"DTEND:20250101T000100Z\r\nRRULE:FREQ=MINUTELY\r\nSUMMARY:every minute\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def many_events_ics(count: int = 50_000, year: int | None = None) -> bytes:
    """`count` one-hour events, one a day cycling over the last two years."""
    year = year or date.today().year - 1
    lines = [b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//x//EN\r\n"]
    for n in range(count):
        day = date.fromordinal(date(year, 1, 1).toordinal() + n % 700)
        stamp = day.strftime("%Y%m%d")
        lines.append(
            f"BEGIN:VEVENT\r\nUID:e{n}@example.com\r\nDTSTAMP:{stamp}T000000Z\r\n"
            f"DTSTART:{stamp}T090000Z\r\nDTEND:{stamp}T100000Z\r\nSUMMARY:Event {n}\r\n"
            "END:VEVENT\r\n".encode()
        )
    lines.append(b"END:VCALENDAR\r\n")
    return b"".join(lines)


def long_line_csv(megabytes: int = 7) -> bytes:
    """One header and a single 7 MB cell: one line the reader would hold whole."""
    return b"title,date,hours\r\n" + b"a" * (megabytes * 1024 * 1024) + b",2026-01-01,1\r\n"


def wide_csv() -> bytes:
    """Four million one-character cells on one line: csv.reader builds the whole row first."""
    return b"title,date,hours\r\n" + b"a," * 4_000_000 + b"\r\n"


def many_rows_csv(rows: int = 400_000) -> bytes:
    """Hundreds of thousands of tiny rows in under 8 MB."""
    return b"title,date,hours\r\n" + b"a,2026-01-01,1\r\n" * rows


def nested_json(depth: int = 100_000) -> bytes:
    """Arrays nested deeper than Python's recursion limit: json.loads raises RecursionError."""
    return b'{"CFDocument": ' + b"[" * depth + b"]" * depth + b"}"


def nested_json_below_recursion_limit() -> bytes:
    """500 levels: json.loads manages; a later recursive walk (json.dumps) may not."""
    return nested_json(500)


def big_framework_csv() -> bytes:
    """A framework CSV at the 5 MB limit: 150,000 competencies under one area."""
    rows = "".join(f"C{n},Competency {n},A,\r\n" for n in range(150_000))
    return f"code,name,parent code,description\r\nA,Area,,\r\n{rows}".encode()[: 5 * 1024 * 1024]


def nested_badge(depth: int = 100_000) -> bytes:
    return b'{"type": "Assertion", "badge": ' + b"[" * depth + b"]" * depth + b"}"


def png_bomb(side: int = 12_000) -> bytes:
    """A PNG declaring side × side pixels whose IDAT inflates to side² bytes: ~40 KB on disk."""
    raw_row = b"\x00" + b"\x00" * side
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(raw_row) for _ in range(side)) + compressor.flush()
    return _png(side, side, [(b"IDAT", idat)])


def png_big_text(megabytes: int = 50) -> bytes:
    """A 1×1 PNG with a zTXt 'openbadges' chunk inflating to many megabytes."""
    payload = json.dumps({"pad": "x" * (megabytes * 1024 * 1024)}).encode()
    ztxt = b"openbadges\x00\x00" + zlib.compress(payload, 9)
    idat = zlib.compress(b"\x00\x00")
    return _png(1, 1, [(b"zTXt", ztxt), (b"IDAT", idat)])


def svg_laughs(levels: int = 9) -> bytes:
    """The "billion laughs": entities nesting ten-fold per level, 10**9 "lol" from under 1 KB."""
    entities = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, levels + 1)
    ]
    return (
        f'<?xml version="1.0"?><!DOCTYPE svg [{"".join(entities)}]>'
        f'<svg xmlns="http://www.w3.org/2000/svg"><text>&l{levels};</text></svg>'
    ).encode()


def svg_many_elements(megabytes: int = 8) -> bytes:
    """An SVG of about 2 million empty groups, the badge element (if any) never reached."""
    count = megabytes * 1024 * 1024 // 4 - 20
    return b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g/>" * count + b"</svg>"


def svg_big_badge(megabytes: int = 7) -> bytes:
    """An SVG whose openbadges:assertion holds megabytes of text."""
    text = b'{"pad": "' + b"x" * (megabytes * 1024 * 1024) + b'"}'
    return (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        b"<openbadges:assertion><![CDATA[" + text + b"]]></openbadges:assertion></svg>"
    )


def _png(width: int, height: int, chunks: list[tuple[bytes, bytes]]) -> bytes:
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x00\x00\x00\x00"
    out = [b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", header)]
    out += [_chunk(kind, body) for kind, body in chunks]
    out.append(_chunk(b"IEND", b""))
    return b"".join(out)


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body).to_bytes(4, "big")
    return len(body).to_bytes(4, "big") + kind + body + crc


def wide_framework_csv() -> bytes:
    """A framework CSV of one 5 MB line of empty cells: csv.reader builds 2.5 million of them."""
    return b"A,Area,," + b"," * (5 * 1024 * 1024 - 16) + b"\r\n"
