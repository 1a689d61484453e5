"""All models, imported here so Alembic and the app see every table."""

from cpd_log.models.activity import Activity, ActivityKind, ActivityStatus, Delivery
from cpd_log.models.competency import Competency, Framework
from cpd_log.models.evidence import Evidence
from cpd_log.models.portfolio import Audience, ExportJob, Portfolio, Review, ShareLink
from cpd_log.models.user import User

__all__ = [
    "Activity",
    "Audience",
    "ActivityKind",
    "ActivityStatus",
    "Competency",
    "Delivery",
    "Evidence",
    "ExportJob",
    "Framework",
    "Portfolio",
    "Review",
    "ShareLink",
    "User",
]
