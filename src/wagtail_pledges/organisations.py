"""Organisations: their slugs, their action plan drafts, and the people in them
(invitations, roles, leaving). Benefits follow roles."""

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
from .models import (
    ActionPlan,
    ActionToken,
    LifecycleEvent,
    Organisation,
    OrganisationRole,
    Priority,
    Status,
    unique_organisation_slug,  # noqa: F401  (the slug rule, for callers here)
)
from .policy import get_policy
from .tokens import TokenError, consume_token, issue_token

Role = OrganisationRole.Role

#: What a member writes for each priority (the order is given by the list).
PRIORITY_FIELDS = ("what", "strategy", "lead_role", "timescale_months", "success_measure")


@transaction.atomic
def save_plan_draft(plan: ActionPlan, *, user, public_summary: str, practices,
                    priorities: list[dict], delete: tuple = ()) -> ActionPlan:
    """Save an editable plan's summary, practices and priorities, in one transaction.

    ``priorities`` are in the order the member gave them; each holds the
    :data:`PRIORITY_FIELDS` and, for one already saved, ``"id"``. ``delete`` lists the
    saved priorities (or their ids) to remove. Only an admin of the organisation may
    save, and only while the plan is open for the member to edit.
    """
    _require_admin(user, plan.organisation)
    if not plan.is_editable_by_member:
        raise ValidationError(_("This plan can no longer be edited."))
    plan.public_summary = public_summary
    # A ParentalManyToManyField: set in memory, written by the ClusterableModel's save().
    plan.practices.set(practices)
    plan.save()
    delete_ids = {getattr(item, "pk", item) for item in delete}
    saved = {p.pk: p for p in Priority.objects.filter(plan=plan)}
    Priority.objects.filter(plan=plan, pk__in=delete_ids).delete()
    for order, data in enumerate(priorities):
        priority_id = getattr(data.get("id"), "pk", data.get("id"))
        if priority_id in delete_ids:
            continue
        # An id that is not one of this plan's is not followed: a new row is written
        # and the other plan's row is left alone.
        priority = saved.get(priority_id) or Priority(plan=plan)
        for name in PRIORITY_FIELDS:
            setattr(priority, name, data[name])
        priority.sort_order = order
        priority.save()
    return plan


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
        raise ValidationError(last_admin_message(organisation))
    row.delete()
    _log(organisation, "remove_person", user, user=member.pk)
    sync_user_groups(member)
