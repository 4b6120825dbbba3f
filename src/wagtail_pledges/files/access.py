"""May this request have this restricted file? The policy decides, not stale groups.

Collection privacy is Wagtail's ``CollectionViewRestriction``. For a restriction to
the groups the package manages ("Members", "Individual members", "Organisation
members"), membership of the group is asked of the policy directly, so a legacy
member past the deadline is refused even before the daily job takes them out of the
group. Other groups, "login" and "password" restrictions keep Wagtail's meaning.
Editors who may change or choose the item in the admin see it too (the admin shows
thumbnails and links to files of restricted collections).
"""

from __future__ import annotations

from enum import Enum

from wagtail.models import BaseViewRestriction, CollectionViewRestriction
from wagtail.permissions import policy_registry

from ..groups import group_keys_for, managed_groups


class Refusal(Enum):
    LOGIN = "login"  # not signed in: sign in first
    PASSWORD = "password"  # noqa: S105 - a password restriction not yet passed
    FORBIDDEN = "forbidden"  # signed in, and the policy says no


def restriction_accepts(restriction: CollectionViewRestriction, request) -> bool:
    if restriction.restriction_type != BaseViewRestriction.GROUPS:
        return restriction.accept_request(request)
    user = request.user
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    wanted = set(restriction.groups.values_list("pk", flat=True))
    managed = {group.pk: key for key, group in managed_groups().items()}
    if {managed[pk] for pk in wanted & managed.keys()} & group_keys_for(user):
        return True
    others = wanted - managed.keys()
    return bool(others) and user.groups.filter(pk__in=others).exists()


def _may_edit(user, item) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    policy = policy_registry.get_by_type(type(item))
    return policy.user_has_any_permission_for_instance(user, ["change", "choose"], item)


def check_access(request, item) -> tuple[Refusal | None, CollectionViewRestriction | None]:
    """``(None, None)`` when ``request`` may have ``item`` (a document or an image);
    otherwise how it is refused and the restriction that refused it."""
    for restriction in item.collection.get_view_restrictions().order_by("pk"):
        if restriction_accepts(restriction, request) or _may_edit(request.user, item):
            continue
        if restriction.restriction_type == BaseViewRestriction.PASSWORD:
            return Refusal.PASSWORD, restriction
        if not request.user.is_authenticated:
            return Refusal.LOGIN, restriction
        return Refusal.FORBIDDEN, restriction
    return None, None
