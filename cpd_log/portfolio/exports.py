"""CSV of activities and the portfolio's JSON: plain data out of `gather()`, no Flask here.

CSV is UTF-8 with a BOM so spreadsheet programs detect the encoding, and any cell that starts with
= + - @ (or a tab / carriage return) is prefixed with an apostrophe so it is never run as a formula
(OWASP "CSV injection").
"""

import csv
import io

from cpd_log.portfolio.services import Content
from cpd_log.templating import hours

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = [
    "title",
    "activity type",
    "provider",
    "start date",
    "end date",
    "hours",
    "delivery",
    "participatory",
    "status",
    "web address",
    "competencies",
    "category",
    "learning outcomes",
]


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def activity_row(activity) -> list[str]:
    areas = sorted({c.parent.name for c in activity.competencies if c.parent})
    return [
        activity.title,
        activity.kind.label,
        activity.provider,
        activity.start_date.isoformat(),
        activity.end_date.isoformat() if activity.end_date else "",
        hours(activity.minutes),
        activity.delivery.label,
        "yes" if activity.participatory else "no",
        activity.status.label,
        activity.url,
        "; ".join(c.label for c in activity.competencies),
        "; ".join(areas),
        activity.description,
    ]


def activities_csv(activities) -> bytes:
    """The activities as CSV bytes (UTF-8 with BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for activity in activities:
        writer.writerow([neutralise(cell) for cell in activity_row(activity)])
    return buffer.getvalue().encode("utf-8-sig")


def portfolio_json(content: Content) -> dict:
    """The portfolio as data: what was chosen and every activity's fields, ids included."""
    portfolio = content.portfolio
    return {
        "title": portfolio.title,
        "audience": portfolio.audience.value,
        "practitioner": content.owner.display_name,
        "date_from": portfolio.date_from.isoformat() if portfolio.date_from else None,
        "date_to": portfolio.date_to.isoformat() if portfolio.date_to else None,
        "generated": content.generated.isoformat(),
        "total_minutes": content.total_minutes,
        "activities": [
            {
                **dict(zip(CSV_COLUMNS, activity_row(a), strict=True)),
                "minutes": a.minutes,
                "evidence": [e.label for e in content.evidence_of(a)],
            }
            for a in content.activities
        ],
        "evidence": [
            {
                "label": e.label,
                "activity": e.activity.title,
                "name": e.evidence.label,
                "file": e.evidence.original_name if e.evidence.is_file else None,
                "mime_type": e.evidence.mime_type or None,
                "sha256": e.evidence.sha256,
                "url": e.evidence.url or None,
            }
            for e in content.evidence
        ],
        "reviews": [
            {
                "reviewer_name": r.reviewer_name,
                "reviewer_role": r.reviewer_role,
                "signed_off": r.signed_off,
                "comment": r.comment,
                "date": r.created_at.date().isoformat(),
            }
            for r in content.reviews
        ],
    }
