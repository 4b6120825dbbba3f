"""Signatories of the original pledge: import them, invite them, let them claim.

Claiming links the signatory to a real account (and, for an organisation, creates
the organisation with the claimant as its admin). The membership then sits in
``legacy`` status — benefits until ``LEGACY_DEADLINE`` — until its first pledge or
plan is approved.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import lifecycle, notify
from .conf import pledges_settings
from .legacy_import import COLUMNS, ImportResult, import_signatories
from .models import (
    ActionToken,
    LegacySignatory,
    Membership,
    Organisation,
    OrganisationRole,
    Status,
    Tier,
)
from .tokens import consume_token, issue_token

# The file reader lives in its own module; these names stay importable from here.
__all__ = ["COLUMNS", "DeadlinePassed", "ImportResult", "claim", "import_signatories", "invite",
           "request_claim_link"]


class DeadlinePassed(ValidationError):
    """The campaign is closed: no invitation or claim link until the deadline moves."""


# A signatory asking for a new link gets at most one email per address in this period,
# however often the form is sent.
CLAIM_LINK_PERIOD = datetime.timedelta(hours=1)


def deadline_passed(on: datetime.date | None = None) -> bool:
    deadline = pledges_settings.legacy_deadline
    return deadline is not None and (on or timezone.localdate()) > deadline


def refuse_if_deadline_passed(on: datetime.date | None = None) -> None:
    if deadline_passed(on):
        raise DeadlinePassed(
            _("The deadline to move (%(date)s) has passed: set a new LEGACY_DEADLINE "
              "before sending invitations.")
            % {"date": date_format(pledges_settings.legacy_deadline, "j F Y")},
            code="deadline_passed",
        )


def issue_claim_token(signatory: LegacySignatory) -> str:
    """A fresh single-use claim token for ``signatory`` (earlier ones stay valid)."""
    return issue_token(
        ActionToken.Purpose.LEGACY_CLAIM, signatory.email,
        datetime.timedelta(days=pledges_settings.LEGACY_CLAIM_MAX_AGE_DAYS),
        legacy_signatory=signatory,
    )


@transaction.atomic
def invite(signatory: LegacySignatory) -> bool:
    """Email one signatory a claim link. Returns False if already claimed.

    Raises :class:`DeadlinePassed` after ``LEGACY_DEADLINE``: an invitation would
    promise a date already gone.
    """
    refuse_if_deadline_passed()
    signatory = LegacySignatory.objects.select_for_update().get(pk=signatory.pk)
    if signatory.claimed_at:
        return False
    raw = issue_claim_token(signatory)
    signatory.invited_at = timezone.now()
    signatory.save(update_fields=["invited_at"])
    notify.legacy_invitation(signatory, raw)
    return True


#: The one answer to every claim-link request, page and API (it reveals nothing).
CLAIM_LINK_SENT = gettext_lazy(
    "If that address signed the original pledge and has not moved yet, we have emailed "
    "it a link. It can take a few minutes to arrive; check your spam folder too.")


def claim_links_closed_message() -> str:
    """What the claim-link page and the API say once ``LEGACY_DEADLINE`` has passed."""
    return _("The deadline to move from the original pledge was %(date)s, so claim links "
             "are no longer sent. You can still join by committing to an action.") % {
        "date": date_format(pledges_settings.legacy_deadline, "j F Y")}


def request_claim_link(email: str, now: datetime.datetime | None = None) -> bool:
    """"Signed the original pledge? Enter your email": send fresh links if it matches.

    The caller must answer the same whatever this returns (no enumeration). One email
    per address per :data:`CLAIM_LINK_PERIOD`, listing a link for each unclaimed
    signatory with that address; nothing once the deadline has passed. Returns
    whether an email was queued (for tests and logs only).
    """
    if deadline_passed():
        return False
    email = (email or "").strip().lower()
    now = now or timezone.now()
    bucket = int(now.timestamp() // CLAIM_LINK_PERIOD.total_seconds())
    key = f"legacy_claim_link:{bucket}"
    with transaction.atomic():
        signatories = list(LegacySignatory.objects.select_for_update()
                           .filter(email=email, claimed_at__isnull=True).order_by("pk"))
        # Checked before minting tokens, so a repeated form mints nothing either.
        if not signatories or notify.already_queued(key, email):
            return False
        notify.legacy_claim_link(email, [(s, issue_claim_token(s)) for s in signatories], key)
    return True


@transaction.atomic
def claim(raw_token: str, user) -> Membership:
    """Link a signatory to ``user`` (the person claiming) and put the membership in
    ``legacy`` status."""
    token = consume_token(raw_token, ActionToken.Purpose.LEGACY_CLAIM)
    signatory = LegacySignatory.objects.select_for_update().get(pk=token.legacy_signatory_id)
    if signatory.claimed_at and signatory.membership_id:
        return signatory.membership
    if signatory.kind == LegacySignatory.Kind.ORGANISATION:
        # Its slug as every organisation's: free now and in the slug history.
        organisation = Organisation.objects.create(name=signatory.organisation_name)
        OrganisationRole.objects.create(
            organisation=organisation, user=user, role=OrganisationRole.Role.ADMIN
        )
        membership, _c = lifecycle.get_or_create_membership(
            Tier.ORGANISATION, organisation=organisation, user=user
        )
    else:
        membership, _c = lifecycle.get_or_create_membership(
            Tier.INDIVIDUAL, member=user, user=user
        )
    if membership.status == Status.DRAFT:
        lifecycle.mark_legacy(membership, user=user,
                              reason=_("Claimed the original pledge signature"))
        membership.refresh_from_db()
    signatory.claimed_at = timezone.now()
    signatory.membership = membership
    signatory.save(update_fields=["claimed_at", "membership"])
    return membership
