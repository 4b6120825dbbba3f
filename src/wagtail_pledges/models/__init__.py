from ..notifications.models import OutboxMessage
from .commitments import (
    OPEN_REVIEW_STATUSES,
    ActionPlan,
    Pledge,
    Priority,
    ProgressUpdate,
    ReviewStatus,
    VideoProgress,
)
from .legacy import LegacyReminder, LegacySignatory
from .logo_kit import LogoDownload, LogoKit, LogoKitFile, LogoTermsAcceptance
from .member import ActionToken, MemberProfile
from .membership import Counter, LifecycleEvent, Membership, Status, Tier
from .organisation import (
    Organisation,
    OrganisationRole,
    OrganisationSlugHistory,
    organisation_for_slug,
    unique_organisation_slug,
)
from .taxonomy import Location, RestrictivePractice, Sector, Strategy

__all__ = [
    "OPEN_REVIEW_STATUSES",
    "ActionPlan",
    "ActionToken",
    "Counter",
    "LegacyReminder",
    "LegacySignatory",
    "LifecycleEvent",
    "Location",
    "LogoDownload",
    "LogoKit",
    "LogoKitFile",
    "LogoTermsAcceptance",
    "MemberProfile",
    "Membership",
    "Organisation",
    "OutboxMessage",
    "OrganisationRole",
    "OrganisationSlugHistory",
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
    "organisation_for_slug",
    "unique_organisation_slug",
]
