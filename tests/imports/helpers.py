"""Builders for import tests: stored batches, fixture files."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cpd_log.extensions import db
from cpd_log.models import ImportBatch

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def make_batch(owner, kind: str = "ics", expires_in: timedelta = timedelta(hours=1)):
    """A stored upload owned by `owner`: two calendar events, or a two-row spreadsheet."""
    if kind == "ics":
        event = {
            "uid": "audit@example.com#20260305",
            "title": "Audit event",
            "organiser": "",
            "start": "2026-03-05",
            "end": "2026-03-05",
            "all_day": False,
            "minutes": 60,
            "location": "",
            "url": "",
            "online": True,
            "description": "",
        }
        payload = {"events": [event]}
    else:
        payload = {"headers": ["title", "start_date", "hours"], "rows": [["A", "2026-01-02", "1"]]}
    batch = ImportBatch(
        user_id=owner.id,
        kind=kind,
        headers=payload.get("headers", []),
        filename="audit",
        payload=payload,
        expires_at=datetime.now(UTC) + expires_in,
    )
    db.session.add(batch)
    db.session.commit()
    return batch
