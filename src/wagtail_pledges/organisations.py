"""People in organisations: invitations, roles, leaving. Benefits follow roles."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import notify
from .conf import pledges_settings
from .groups import sync_user_groups
from .models import ActionToken, LifecycleEvent, Organisation, OrganisationRole, Status
from .policy import get_policy
from .tokens import TokenError, consume_token, issue_token

Role = OrganisationRole.Role


def _require_admin(user, organisation) -> None:
    if not get_policy().can_manage_organisation(user, organisation):
        raise PermissionDenied(_("Only an admin of this organisation can do that."))


def _log(organisation, action, actor, **data) -> None:
    membership = getattr(organisation, "membership", None)
    if membership is not None:
        LifecycleEvent.objects.create(
            membership=membership, action=action, actor=actor, from_status=membership.status,
            to_status=membership.status, data=data,
        )


@transaction.atomic
def invite_staff(organisation: Organisation, email: str, inviter, role: str = Role.STAFF) -> None:
    """Email an invitation to join the organisation (link → page → POST accept)."""
    _require_admin(inviter, organisation)
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": [_("Enter a valid email address.")]}) from exc
    if role not in Role.values:
        raise ValidationError({"role": [_("Choose admin or staff.")]})
    if OrganisationRole.objects.filter(
        organisation=organisation, user__email__iexact=email
    ).exists():
        raise ValidationError({"email": [_("%s is already part of this organisation.") % email]})
    # One live invitation per address: lock the organisation so two identical
    # requests at once queue one after the other, and expire any earlier link.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    ActionToken.objects.filter(
        purpose=ActionToken.Purpose.STAFF_INVITE, organisation=organisation,
        email__iexact=email, used_at__isnull=True, expires_at__gt=timezone.now(),
    ).update(expires_at=timezone.now())
    raw = issue_token(
        ActionToken.Purpose.STAFF_INVITE, email,
        datetime.timedelta(days=pledges_settings.INVITATION_MAX_AGE_DAYS),
        organisation=organisation, created_by=inviter, role=role,
    )
    _log(organisation, "invite", inviter, email=email, role=role)
    notify.staff_invitation(organisation, email, inviter, raw)


@transaction.atomic
def accept_invitation(raw_token: str, user) -> OrganisationRole:
    token = consume_token(raw_token, ActionToken.Purpose.STAFF_INVITE)
    if (user.email or "").lower() != token.email.lower():
        raise TokenError(
            _("This invitation was sent to %s. Sign in with that address to accept it.")
            % token.email
        )
    role = token.role or Role.STAFF
    try:
        with transaction.atomic():
            membership_role, _created = OrganisationRole.objects.get_or_create(
                organisation=token.organisation, user=user, defaults={"role": role}
            )
    except IntegrityError:
        membership_role = OrganisationRole.objects.get(organisation=token.organisation, user=user)
    _log(token.organisation, "join_staff", user, user=user.pk)
    sync_user_groups(user)
    return membership_role


@transaction.atomic
def set_role(organisation: Organisation, target_user, role: str, by) -> OrganisationRole:
    _require_admin(by, organisation)
    if role not in Role.values:
        raise ValidationError({"role": [_("Choose admin or staff.")]})
    row = OrganisationRole.objects.select_for_update().get(
        organisation=organisation, user=target_user
    )
    if row.role == role:
        return row
    if row.role == Role.ADMIN and _admin_count(organisation) <= 1:
        raise ValidationError(_("An organisation needs at least one admin."))
    row.role = role
    row.save(update_fields=["role"])
    _log(organisation, "set_role", by, user=target_user.pk, role=role)
    sync_user_groups(target_user)
    return row


def _admin_count(organisation) -> int:
    # Lock every admin row so two admins cannot both step down at once.
    return len(
        OrganisationRole.objects.select_for_update()
        .filter(organisation=organisation, role=Role.ADMIN)
        .values_list("pk", flat=True)
    )


def last_admin_message(organisation) -> str:
    """What the last admin is told when leaving (or erasing their account) is refused."""
    return _("You are the last admin of %(organisation)s. Make someone else an admin before "
             "you leave.") % {"organisation": organisation.name}


# An organisation in these states still needs someone to run it.
NEEDS_AN_ADMIN = (Status.DRAFT, Status.SUBMITTED, Status.CHANGES_REQUESTED, Status.ACTIVE,
                  Status.RENEWAL_DUE, Status.LEGACY)


def check_may_erase(user) -> None:
    """Refuse erasure for the last admin of a member or joining organisation.

    Same rule, message and remedy as leaving; erasure then removes the person from
    every organisation (see :func:`wagtail_pledges.privacy.erase_member`).
    """
    for role in OrganisationRole.objects.filter(user=user, role=Role.ADMIN).select_related(
        "organisation", "organisation__membership"
    ):
        membership = getattr(role.organisation, "membership", None)
        if membership is not None and membership.status in NEEDS_AN_ADMIN \
                and _admin_count(role.organisation) <= 1:
            raise ValidationError(last_admin_message(role.organisation))


@transaction.atomic
def remove_person(organisation: Organisation, target_user, by, *, force: bool = False) -> None:
    """Remove someone (or leave, when ``by`` is ``target_user``). The last admin stays.

    ``force`` is for erasure, where the person's right to go outranks the rule.
    """
    if by != target_user:
        _require_admin(by, organisation)
    row = OrganisationRole.objects.select_for_update().filter(
        organisation=organisation, user=target_user
    ).first()
    if row is None:
        return
    if row.role == Role.ADMIN and not force and _admin_count(organisation) <= 1:
        raise ValidationError(last_admin_message(organisation))
    row.delete()
    _log(organisation, "remove_person", by, user=target_user.pk)
    sync_user_groups(target_user)
