"""The activities as CSV: the account's export, and activities.csv in a portfolio's ZIP. No Flask.

CSV is UTF-8 with a BOM so spreadsheet programs detect the encoding, and every cell goes through
common.spreadsheet_safety.neutralise so it is never run as a formula.
"""

import csv
import io

from cpd_log.common.spreadsheet_safety import neutralise
from cpd_log.imports.columns import FIELDS

# The spreadsheet import's own field names, so an export re-imports with no mapping work.
CSV_COLUMNS = list(FIELDS)


def plain_hours(minutes: int) -> str:
    """Hours without a thousands separator (the import reads "1,000" as 1.000): 90 -> '1.5'."""
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".") or "0"


def activity_row(activity) -> list[str]:
    """One activity in CSV_COLUMNS order, in the words the import understands."""
    return [
        activity.title,
        activity.kind.label,
        activity.provider,
        activity.start_date.isoformat(),
        activity.end_date.isoformat() if activity.end_date else "",
        plain_hours(activity.minutes),
        activity.delivery.label,
        "yes" if activity.participatory else "no",
        activity.description,
        activity.url,
        activity.status.label,
        "; ".join(f"{c.code} {c.name}" for c in activity.competencies),
    ]


def activities_csv(activities) -> bytes:
    """The activities as CSV bytes (UTF-8 with BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for activity in activities:
        writer.writerow([neutralise(cell) for cell in activity_row(activity)])
    return buffer.getvalue().encode("utf-8-sig")
