"""A member's own data: export it, or erase it.

Erasure anonymises the person (their account can no longer log in; name, email and
free text they wrote as an individual are removed) and withdraws their individual
membership. Aggregate counts, the event log's shape, and an organisation's published
plan stay — they belong to the organisation, not the person.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import lifecycle
from .models import (
    LifecycleEvent,
    MemberProfile,
    Membership,
    OrganisationRole,
    Pledge,
    ProgressUpdate,
    VideoProgress,
)
from .organisations import check_may_erase, remove_person


def _date(value):
    return value.isoformat() if value else None


def export_member_data(user) -> dict:
    """Everything the package holds about ``user``, as JSON-ready data."""
    membership = Membership.objects.filter(user=user).first()
    profile = MemberProfile.objects.filter(user=user).first()
    return {
        "account": {"email": user.email, "name": user.get_full_name() if hasattr(
            user, "get_full_name") else str(user)},
        "profile": {
            "email_verified_at": _date(profile and profile.email_verified_at),
            "job_title": profile.job_title if profile else "",
            "region": profile.region if profile else "",
        },
        "membership": membership and {
            "tier": membership.tier, "status": membership.status,
            "period_start": _date(membership.period_start),
            "period_end": _date(membership.period_end),
            "history": [
                {"when": _date(e.created_at), "action": e.action, "from": e.from_status,
                 "to": e.to_status, "reason": e.reason}
                for e in LifecycleEvent.objects.filter(membership=membership).order_by("pk")
            ],
        },
        "pledges": [
            {"sequence": p.sequence, "action": p.action,
             "strategy": str(p.strategy) if p.strategy_id else None,
             "target_date": _date(p.target_date), "review_status": p.review_status,
             "submitted_at": _date(p.submitted_at),
             "updates": [{"when": _date(u.created_at), "body": u.body} for u in p.updates.all()]}
            for p in Pledge.objects.filter(user=user).select_related("strategy")
        ],
        "organisations": [
            {"organisation": r.organisation.name, "role": r.role, "since": _date(r.created_at)}
            for r in OrganisationRole.objects.filter(user=user).select_related("organisation")
        ],
        "videos": [
            {"video": v.video_key, "completed_at": _date(v.completed_at)}
            for v in VideoProgress.objects.filter(user=user)
        ],
    }


@transaction.atomic
def erase_member(member, user=None) -> None:
    """Anonymise ``member`` for good. Cannot be undone.

    ``user`` is the person acting (default: ``member``, erasing themselves). Refused
    (``ValidationError``) for the last admin of an organisation that is a member or is
    joining, as leaving is.
    """
    check_may_erase(member)
    membership = Membership.objects.filter(user=member).first()
    if membership is not None:
        lifecycle.withdraw(membership, user or member, "Member asked for their data to be erased")
    for role in OrganisationRole.objects.filter(user=member).select_related("organisation"):
        # The member leaves each organisation themselves: erasure is their right.
        remove_person(role.organisation, member, member, force=True)
    for pledge in Pledge.objects.filter(user=member):
        pledge.action = ""
        pledge.save(update_fields=["action"])
        pledge.revisions.all().delete()
    ProgressUpdate.objects.filter(pledge__user=member).update(body="")
    VideoProgress.objects.filter(user=member).delete()
    MemberProfile.objects.update_or_create(
        user=member, defaults={"job_title": "", "region": "", "sector": None,
                               "erased_at": timezone.now()},
    )
    _anonymise_user(member)


def _anonymise_user(user) -> None:
    User = get_user_model()
    placeholder = f"erased-{user.pk}@invalid.example"
    fields = {f.name for f in User._meta.get_fields()}
    changes = {"is_active": False}
    if "email" in fields:
        changes["email"] = placeholder
    for name in ("first_name", "last_name", "name", "full_name"):
        if name in fields:
            changes[name] = ""
    if User.USERNAME_FIELD != "email" and User.USERNAME_FIELD in fields:
        changes[User.USERNAME_FIELD] = f"erased-{user.pk}"
    for key, value in changes.items():
        setattr(user, key, value)
    user.set_unusable_password()
    user.save()
    user.groups.clear()
