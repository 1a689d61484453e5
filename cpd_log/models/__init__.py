"""All models, imported here so Alembic and the app see every table."""

from cpd_log.models.activity import Activity, ActivityKind, ActivityStatus, Delivery
from cpd_log.models.competency import Competency, Framework
from cpd_log.models.scheme import Allocation, Cycle, Enrolment, Scheme  # noqa: F401
from cpd_log.models.user import User

__all__ = [
    "Activity",
    "ActivityKind",
    "ActivityStatus",
    "Competency",
    "Delivery",
    "Framework",
    "User",
]
