"""The one writer of a membership's status, and the locks every transition takes.

:func:`_set_status` is the only code that changes ``Membership.status``. In the same
transaction it writes the :class:`~wagtail_pledges.models.LifecycleEvent`, moves
the counters and re-syncs Django Groups; after commit it sends
:data:`~wagtail_pledges.signals.membership_status_changed`.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import IntegrityError, connections, router, transaction
from django.db.models import Field, Func, OuterRef, Subquery
from django.utils import timezone

from .. import counts
from ..groups import sync_membership_groups
from ..models import LifecycleEvent, Membership, Pledge, Status, VideoProgress
from ..models.commitments import Commitment
from ..policy import get_policy
from ..prepared import PreparedFamily, PreparedObjects
from ..row_writes import insert_rows, live_links_attribute, save_fields
from ..signals import membership_status_changed
from ..videos import COMPLETED_VIDEOS

logger = logging.getLogger(__name__)


# Every transition takes these locks, every submission both: compiled once per
# connection (prepared.py), which saves the ORM most of a millisecond per lock.
_membership_lock = PreparedObjects(
    # of=("self",): lock the membership row only, not the joined user row.
    lambda pk: Membership.objects.select_for_update(of=("self",))
    .select_related("user", "user__pledges_profile").filter(pk=pk)
)


_membership_of_user_lock = PreparedObjects(
    lambda user_pk: Membership.objects.select_for_update(of=("self",))
    .select_related("user", "user__pledges_profile").filter(user_id=user_pk)
)


def _commitment_lock(kind):
    """A commitment's row lock. A pledge's, on PostgreSQL, also reads what its
    submission checks — the member's completed videos and the practices linked now
    (for the many-to-many diff) — in the same statement (``ARRAY(subquery)``), instead
    of two more round trips under the lock. ``kind`` is ``(model, vendor)`` (by
    primary key) or ``(model, vendor, "latest")``: a membership's latest commitment,
    by the membership's primary key."""
    model, vendor, *latest = kind

    def build(pk):
        queryset = model.objects.select_for_update().filter(
            **({"membership_id": pk} if latest else {"pk": pk}))
        if model is Pledge and vendor == "postgresql":
            field = model._meta.get_field("practices")
            queryset = queryset.annotate(**{
                COMPLETED_VIDEOS: _Array(Subquery(VideoProgress.objects.filter(
                    user_id=OuterRef("user_id"), completed_at__isnull=False,
                ).values("video_key"))),
                live_links_attribute(field): _Array(Subquery(field.remote_field.through
                    .objects.filter(**{field.m2m_field_name(): OuterRef("pk")})
                    .values(field.m2m_reverse_field_name()))),
            })
        return queryset.order_by("-sequence")[:1] if latest else queryset
    return build


class _Array(Func):
    """``ARRAY(subquery)``: a one-column subquery's values as one list (PostgreSQL)."""

    template = "ARRAY%(expressions)s"
    output_field = Field()  # the driver's list, as it is


_commitment_locks = PreparedFamily(_commitment_lock)


def _found(found: list, model: type):
    if not found:
        raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
    return found[0]


def _lock(membership: Membership | int) -> Membership:
    """Lock and (re)load a membership by instance or pk."""
    pk = membership.pk if isinstance(membership, Membership) else membership
    return _found(_membership_lock.objects(pk, router.db_for_write(Membership)), Membership)


def _lock_commitment(commitment: Commitment, membership: Membership) -> Commitment:
    return _locked_commitment(type(commitment), commitment.pk, membership)


def _lock_latest_pledge(member) -> tuple[Membership, Pledge]:
    """Lock ``member``'s membership, then their latest pledge — the order every
    transition locks in — found by the member, with nothing read before the lock.
    Raises ``Pledge.DoesNotExist`` when they have neither."""
    membership = _membership_of_user_lock.objects(member.pk, router.db_for_write(Membership))
    if not membership:
        raise Pledge.DoesNotExist("This member has no membership.")
    return membership[0], _locked_commitment(Pledge, membership[0].pk, membership[0],
                                             latest=True)


def _locked_commitment(model, key, membership: Membership, latest: bool = False):
    """Lock ``model``'s row ``key`` (with ``latest``: the latest of membership ``key``),
    loaded with ``membership``, already locked: no second query for it or its user."""
    using = router.db_for_write(model)
    kind = (model, connections[using].vendor, *(("latest",) if latest else ()))
    locked = _found(_commitment_locks.objects(kind, key, using), model)
    locked.membership = membership
    if isinstance(locked, Pledge) and membership.user is not None:
        locked.user = membership.user
    return locked


def _acting(user):
    """The acting user, or None for the system (a command, a confirmed email link)."""
    return user if getattr(user, "is_authenticated", False) else None


def _event(membership, action, user=None, reason="", from_status="", to_status="", **data):
    return LifecycleEvent(
        membership=membership, action=action, actor=_acting(user),
        reason=reason or "", from_status=from_status, to_status=to_status, data=data,
    )


def _log(membership, action, user=None, reason="", from_status="", to_status="", **data):
    """Record an event that changes no status (a renewal's review, a reminder)."""
    event = _event(membership, action, user, reason, from_status, to_status, **data)
    event.save()
    return event


def _announce(membership: Membership, old_status: str | None, new_status: str, user,
              action: str) -> None:
    """Send ``membership_status_changed`` once the surrounding transaction commits."""
    transaction.on_commit(partial(
        _send_status_changed, membership, old_status, new_status, _acting(user), action,
    ))


def _send_status_changed(membership, old_status, new_status, user, action) -> None:
    # The change is committed: a failing receiver must not turn it into an error
    # page, nor keep the other receivers (or the email task) from running.
    for receiver, result in membership_status_changed.send_robust(
        sender=Membership, membership=membership, old_status=old_status,
        new_status=new_status, user=user, action=action,
    ):
        if isinstance(result, Exception):
            logger.error("membership_status_changed receiver %r failed", receiver,
                         exc_info=result)


def _set_status(membership: Membership, to_status: str, action: str, user=None,
                reason: str = "", also_save: tuple[str, ...] = (),
                before: LifecycleEvent | None = None, **data) -> LifecycleEvent | None:
    """Move a (locked) membership to ``to_status``. The only writer of ``status``.

    ``also_save`` names fields the caller changed on ``membership`` to write in the
    same UPDATE. ``before`` is an earlier step of the same transition (submitted, on
    the way to active) to record in the history: its event is written with this one,
    and the row and counters move once, from the first status to the last.
    """
    old = membership.status
    if old == to_status:
        if also_save:
            save_fields(membership, also_save)
        if before is not None:
            before.save()
        return None
    policy = get_policy()
    had_benefits = policy.membership_grants_benefits(membership)
    membership.status = to_status
    membership.status_changed_at = timezone.now()
    save_fields(membership, ["status", "status_changed_at", *also_save])
    counts.move_membership(membership.tier, old, to_status)
    via = before.to_status if before is not None and before.to_status else old
    event = _event(membership, action, user, reason, via, to_status, **data)
    # Nothing reads the events' keys: the insert can go with the transaction's other
    # writes (sql_writes.writes_together).
    insert_rows([e for e in (before, event) if e is not None], keys=False)
    # Groups follow benefits: when the move neither grants nor takes them away
    # (draft → submitted, active → renewal due) the groups stay as they are. A legacy
    # membership's benefits depend on the date, so leaving it always syncs.
    has_benefits = policy.membership_grants_benefits(membership)
    if had_benefits != has_benefits or old == Status.LEGACY:
        sync_membership_groups(membership, gained=has_benefits and not had_benefits)
    _announce(membership, old, to_status, user, action)
    return event


def get_or_create_membership(tier: str, *, member=None, organisation=None,
                             user=None) -> tuple[Membership, bool]:
    """The membership of ``member`` (a person) or ``organisation``, created in ``draft``.

    ``user`` is the person acting (recorded on the ``start`` event); it defaults to
    ``member``.
    """
    if (member is None) == (organisation is None):
        raise TypeError("get_or_create_membership() needs exactly one of member= or "
                        "organisation=")
    subject = {"user": member} if member is not None else {"organisation": organisation}
    membership = Membership.objects.filter(**subject).first()
    if membership:
        return membership, False
    try:
        with transaction.atomic():
            membership = Membership.objects.create(tier=tier, status=Status.DRAFT, **subject)
    except IntegrityError:  # a concurrent request created it first
        return Membership.objects.get(**subject), False
    counts.move_membership(tier, None, Status.DRAFT)
    acting = user if user is not None else member
    _log(membership, "start", acting, to_status=Status.DRAFT)
    _announce(membership, None, Status.DRAFT, acting, "start")
    return membership, True
