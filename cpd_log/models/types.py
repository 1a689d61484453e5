"""Column helpers shared by the models."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, in UTC. A callable so each row gets its own timestamp, not the import time's."""
    return datetime.now(UTC)
