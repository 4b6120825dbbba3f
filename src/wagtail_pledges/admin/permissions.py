"""Permission policies for the membership snippets.

Statuses change only in :mod:`wagtail_pledges.lifecycle`, so the admin never offers
to create, copy or delete what the lifecycle owns (memberships, pledges, plans,
outbox rows): those actions are refused to everyone, superusers included. Who may
*review* is the membership policy's answer (:meth:`MembershipPolicy.can_review`).
"""

from __future__ import annotations

from wagtail.permission_policies import ModelPermissionPolicy

from ..policy import get_policy


def can_review(user) -> bool:
    return get_policy().can_review(user)


def can_view_memberships(user) -> bool:
    """Reports, the review queue's listing and the dashboard panel."""
    return can_review(user) or user.has_perm("wagtail_pledges.view_membership")


class LifecycleOwnedPermissionPolicy(ModelPermissionPolicy):
    """Django model permissions, minus the actions the lifecycle alone performs."""

    refused = frozenset({"add", "copy", "delete"})

    def user_has_permission(self, user, action):
        if action in self.refused:
            return False
        return super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        allowed = [a for a in actions if a not in self.refused]
        if not allowed:
            return super().users_with_any_permission([]).none()
        return super().users_with_any_permission(allowed)


class ReadOnlyPermissionPolicy(LifecycleOwnedPermissionPolicy):
    """View (and inspect) only: memberships and the outbox change by lifecycle alone."""

    refused = frozenset({"add", "copy", "change", "delete"})


class CommitmentPermissionPolicy(LifecycleOwnedPermissionPolicy):
    """Reviewers may edit and publish pledges and plans; others may not publish.

    Publishing a commitment *is* approving it (Wagtail's workflow publishes on its
    last approval), so it needs the policy's reviewer right as well as
    ``publish_<model>``.
    """

    def user_has_permission(self, user, action):
        if action == "publish" and not can_review(user):
            return False
        return super().user_has_permission(user, action)
