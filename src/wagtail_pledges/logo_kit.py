"""The logo kit for organisation members: accept the terms once, then download.

Who may do either is the policy's answer (:meth:`MembershipPolicy.may_use_logo`,
:meth:`MembershipPolicy.may_accept_logo_terms`); this module records what happened.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import LogoDownload, LogoKit, LogoKitFile, LogoTermsAcceptance, Organisation
from .policy import get_policy


def current_kit() -> LogoKit | None:
    """The site's kit (the first one editors made), or ``None`` before there is one."""
    return LogoKit.objects.order_by("pk").first()


def terms_digest(kit: LogoKit | None) -> str:
    """The version of the kit's terms: SHA-256 of their text."""
    return hashlib.sha256((kit.terms if kit is not None else "").encode()).hexdigest()


def accept_terms(user, organisation: Organisation) -> LogoTermsAcceptance:
    """Record that ``user`` accepted the kit's current terms for ``organisation``,
    with the text they read.

    Idempotent per version of the terms: a second call (a double-clicked button, two
    admins at once) returns the first acceptance; the unique constraint keeps it to one
    row. Once editors change the terms, the next call records a new acceptance.
    """
    if not get_policy().may_accept_logo_terms(user, organisation):
        raise PermissionDenied(_("Only an admin of a member organisation can accept the "
                                 "logo terms."))
    kit = current_kit()
    version = {"organisation": organisation, "terms_digest": terms_digest(kit)}
    try:
        with transaction.atomic():
            acceptance, _created = LogoTermsAcceptance.objects.get_or_create(
                **version, defaults={"user": user, "terms": kit.terms if kit else ""})
    except IntegrityError:  # another request inserted it between our read and write
        acceptance = LogoTermsAcceptance.objects.get(**version)
    return acceptance


def terms_accepted(organisation: Organisation, kit: LogoKit | None = None) -> bool:
    """Whether an admin accepted the terms as they read *now* (``kit``: the current
    kit, if the caller has it already)."""
    kit = kit if kit is not None else current_kit()
    return LogoTermsAcceptance.objects.filter(
        organisation=organisation, terms_digest=terms_digest(kit)).exists()


def file_for_download(user, organisation: Organisation, file_id: int) -> LogoKitFile:
    """The kit file ``user`` may download for ``organisation`` now.

    Raises ``PermissionDenied`` when the policy refuses or the terms are not accepted,
    ``LogoKitFile.DoesNotExist`` for a file that is not in the current kit.
    """
    if not get_policy().may_use_logo(user, organisation):
        raise PermissionDenied(_("The logo kit is for organisations that are members now."))
    kit = current_kit()
    if not terms_accepted(organisation, kit):
        raise PermissionDenied(_("An admin of %s must accept the logo terms first.")
                               % organisation.name)
    return LogoKitFile.objects.select_related("document").get(pk=file_id, kit=kit)


def record_download(user, organisation: Organisation, kit_file: LogoKitFile) -> LogoDownload:
    return LogoDownload.objects.create(organisation=organisation, user=user,
                                       document=kit_file.document)


def dashboard_logo_kit(user, organisations: list[dict]) -> dict:
    """Per-organisation kit state for the dashboard, in three queries at most.

    ``organisations`` are the dashboard's items (each with ``organisation``); each
    gets ``logo`` = ``{"may_use", "may_accept", "accepted"}``.
    """
    policy = get_policy()
    allowed = {item["organisation"].pk for item in organisations
               if policy.may_use_logo(user, item["organisation"])}
    kit = current_kit() if allowed else None
    accepted = {}
    if kit is not None:
        accepted = {
            acceptance.organisation_id: acceptance
            for acceptance in LogoTermsAcceptance.objects.filter(
                organisation_id__in=allowed, terms_digest=terms_digest(kit))
        }
    for item in organisations:
        organisation = item["organisation"]
        item["logo"] = {
            "may_use": kit is not None and organisation.pk in allowed,
            "may_accept": policy.may_accept_logo_terms(user, organisation),
            "accepted": accepted.get(organisation.pk),
        }
    return {"logo_kit": kit, "logo_kit_files": list(kit.files.all()) if kit else []}
