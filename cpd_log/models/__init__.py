"""All models, imported here so Alembic and the app see every table."""

from cpd_log.models.account_token import AccountToken, TokenPurpose
from cpd_log.models.activity import Activity, ActivityKind, ActivityStatus, Delivery
from cpd_log.models.appraisal import (
    Appraisal,
    AppraisalComment,
    AppraisalEvent,
    AppraisalEventKind,
    AppraisalState,
)
from cpd_log.models.backup import ImportJob
from cpd_log.models.capture import QuickCapture
from cpd_log.models.claim import ClaimStatus
from cpd_log.models.competency import Competency, Framework
from cpd_log.models.counted import (  # noqa: F401
    CountedActivity,
    CountedBasis,
    CountedDay,
    CountedDirty,
    CountedShare,
    CountedTotal,
)
from cpd_log.models.crosswalk import Crosswalk, CrosswalkMapping, CrosswalkOverride
from cpd_log.models.development import Goal, GoalStatus, SelfAssessment
from cpd_log.models.evidence import Evidence
from cpd_log.models.imports import BadgeAssertion, ImportBatch, ImportRow
from cpd_log.models.monthly import MonthlyMinutes
from cpd_log.models.portfolio import Audience, ExportJob, Portfolio, Review, ShareLink
from cpd_log.models.reflection import ApplyPromptDismissal, Reflection
from cpd_log.models.reminder import CalendarFeed, Digest, Frequency, ReminderSetting
from cpd_log.models.scheme import Allocation, Cycle, Enrolment, Scheme  # noqa: F401
from cpd_log.models.team import (
    Team,
    TeamInvite,
    TeamMembership,
    TeamRole,
    TeamSharedPortfolio,
)
from cpd_log.models.trash import TrashFile, TrashItem
from cpd_log.models.two_factor import RecoveryCode, TwoFactor
from cpd_log.models.user import User

__all__ = [
    "AccountToken",
    "TokenPurpose",
    "Activity",
    "Appraisal",
    "AppraisalComment",
    "AppraisalEvent",
    "AppraisalEventKind",
    "AppraisalState",
    "BadgeAssertion",
    "ClaimStatus",
    "ImportBatch",
    "ImportJob",
    "ImportRow",
    "QuickCapture",
    "Audience",
    "ActivityKind",
    "ActivityStatus",
    "ApplyPromptDismissal",
    "Competency",
    "Crosswalk",
    "CrosswalkMapping",
    "CrosswalkOverride",
    "Delivery",
    "Evidence",
    "ExportJob",
    "Framework",
    "Goal",
    "GoalStatus",
    "MonthlyMinutes",
    "Reflection",
    "SelfAssessment",
    "Portfolio",
    "Review",
    "ShareLink",
    "RecoveryCode",
    "TwoFactor",
    "Team",
    "TeamInvite",
    "TeamMembership",
    "TeamRole",
    "TeamSharedPortfolio",
    "TrashFile",
    "TrashItem",
    "User",
    "CalendarFeed",
    "Digest",
    "Frequency",
    "ReminderSetting",
]
