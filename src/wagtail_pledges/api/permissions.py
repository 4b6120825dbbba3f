"""Object-level permission classes for the member endpoints. They ask the membership
policy; they hold no rule of their own."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated

from ..policy import get_policy


def organisation_of(obj):
    """The organisation an object belongs to (itself, for an organisation)."""
    return getattr(obj, "organisation", obj)


class IsOrganisationAdmin(IsAuthenticated):
    """Only an admin of the object's organisation (as the policy says)."""

    message = _("Only an admin of this organisation can do that.")

    def has_object_permission(self, request, view, obj):
        return get_policy().can_manage_organisation(request.user, organisation_of(obj))


class IsOrganisationAdminOrReadOnly(IsOrganisationAdmin):
    """Anyone in the organisation may read (the view finds only their organisations);
    only its admins may change it."""

    def has_object_permission(self, request, view, obj):
        return request.method in SAFE_METHODS or super().has_object_permission(
            request, view, obj)
