"""The activities as CSV: the account's export, and activities.csv in a portfolio's ZIP. No Flask.

CSV is UTF-8 with a BOM so spreadsheet programs detect the encoding, and every cell goes through
common.spreadsheet_safety.neutralise so it is never run as a formula.
"""

import csv
import io

from cpd_log.activities.fields import COLUMNS, ENTERED, Value
from cpd_log.common.spreadsheet_safety import neutralise

# The spreadsheet import's own field names, so an export re-imports with no mapping work.
CSV_COLUMNS = list(COLUMNS)


def plain_hours(minutes: int) -> str:
    """Hours without a thousands separator (the import reads "1,000" as 1.000): 90 -> '1.5'."""
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".") or "0"


# Each kind of value in the words the import understands; text as it is.
_WRITE = {
    Value.CHOICE: lambda value: value.label,
    Value.DATE: lambda value: value.isoformat() if value else "",
    Value.HOURS: plain_hours,
    Value.YES_NO: lambda value: "yes" if value else "no",
    Value.COMPETENCIES: lambda tags: "; ".join(f"{c.code} {c.name}" for c in tags),
}


def activity_row(activity) -> dict[str, str]:
    """One activity's CSV cells by column name."""
    return {f.column: _WRITE.get(f.value, _as_text)(f.of(activity)) for f in ENTERED}


def _as_text(value) -> str:
    return value or ""


def activities_csv(activities) -> bytes:
    """The activities as CSV bytes (UTF-8 with BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for activity in activities:
        row = activity_row(activity)
        writer.writerow([neutralise(row[column]) for column in CSV_COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")
