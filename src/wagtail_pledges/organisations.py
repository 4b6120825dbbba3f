"""People in organisations: invitations, roles, leaving. Benefits follow roles."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from . import notify
from .conf import pledges_settings
from .groups import sync_user_groups
from .models import ActionToken, LifecycleEvent, Organisation, OrganisationRole
from .policy import get_policy
from .tokens import TokenError, consume_token, issue_token

Role = OrganisationRole.Role


def _require_admin(user, organisation) -> None:
    if not get_policy().can_manage_organisation(user, organisation):
        raise PermissionDenied(_("Only an admin of this organisation can do that."))


def _log(organisation, action, user, /, **data) -> None:
    # Positional-only: ``data`` may hold a ``user`` key (whom the event is about).
    membership = getattr(organisation, "membership", None)
    if membership is not None:
        LifecycleEvent.objects.create(
            membership=membership, action=action, actor=user, from_status=membership.status,
            to_status=membership.status, data=data,
        )


@transaction.atomic
def invite_staff(organisation: Organisation, email: str, user, role: str = Role.STAFF) -> None:
    """Email an invitation to join the organisation (link → page → POST accept).

    ``user`` is the admin who invites; anyone else gets ``PermissionDenied``.
    """
    _require_admin(user, organisation)
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
    raw = issue_token(
        ActionToken.Purpose.STAFF_INVITE, email,
        datetime.timedelta(days=pledges_settings.INVITATION_MAX_AGE_DAYS),
        organisation=organisation, created_by=user, role=role,
    )
    _log(organisation, "invite", user, email=email, role=role)
    notify.staff_invitation(organisation, email, user, raw)


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
def set_role(organisation: Organisation, member, role: str, user) -> OrganisationRole:
    """Make ``member`` an admin or staff. ``user`` (the person acting) must be an admin."""
    _require_admin(user, organisation)
    if role not in Role.values:
        raise ValidationError({"role": [_("Choose admin or staff.")]})
    row = OrganisationRole.objects.select_for_update().get(
        organisation=organisation, user=member
    )
    if row.role == role:
        return row
    if row.role == Role.ADMIN and _admin_count(organisation) <= 1:
        raise ValidationError(_("An organisation needs at least one admin."))
    row.role = role
    row.save(update_fields=["role"])
    _log(organisation, "set_role", user, user=member.pk, role=role)
    sync_user_groups(member)
    return row


def _admin_count(organisation) -> int:
    # Lock every admin row so two admins cannot both step down at once.
    return len(
        OrganisationRole.objects.select_for_update()
        .filter(organisation=organisation, role=Role.ADMIN)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def remove_person(organisation: Organisation, member, user, *, force: bool = False) -> None:
    """Remove ``member`` (or leave, when ``user``, the person acting, is ``member``).

    The last admin stays. ``force`` is for erasure, where the person's right to go
    outranks the rule.
    """
    if user != member:
        _require_admin(user, organisation)
    row = OrganisationRole.objects.select_for_update().filter(
        organisation=organisation, user=member
    ).first()
    if row is None:
        return
    if row.role == Role.ADMIN and not force and _admin_count(organisation) <= 1:
        raise ValidationError(
            _("You are the last admin. Make someone else an admin before you leave.")
        )
    row.delete()
    _log(organisation, "remove_person", user, user=member.pk)
    sync_user_groups(member)
