from ..notifications.models import OutboxMessage
from .commitments import (
    OPEN_REVIEW_STATUSES,
    ActionPlan,
    LegacyReminder,
    LegacySignatory,
    Pledge,
    Priority,
    ProgressUpdate,
    ReviewStatus,
    VideoProgress,
)
from .logo_kit import LogoDownload, LogoKit, LogoKitFile, LogoTermsAcceptance
from .member import ActionToken, MemberProfile
from .membership import Counter, LifecycleEvent, Membership, Status, Tier
from .organisation import Organisation, OrganisationRole
from .taxonomy import RestrictivePractice, Sector, Strategy

__all__ = [
    "OPEN_REVIEW_STATUSES",
    "ActionPlan",
    "ActionToken",
    "Counter",
    "LegacyReminder",
    "LegacySignatory",
    "LifecycleEvent",
    "LogoDownload",
    "LogoKit",
    "LogoKitFile",
    "LogoTermsAcceptance",
    "MemberProfile",
    "Membership",
    "Organisation",
    "OutboxMessage",
    "OrganisationRole",
    "Pledge",
    "Priority",
    "ProgressUpdate",
    "RestrictivePractice",
    "ReviewStatus",
    "Sector",
    "Status",
    "Strategy",
    "Tier",
    "VideoProgress",
]
