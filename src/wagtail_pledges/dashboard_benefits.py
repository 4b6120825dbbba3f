"""The dashboard's benefit sections: the logo kit, the verification badge, the forum.

Kept apart from :mod:`.dashboard` (status, plans, people) so each stays one concept;
the dashboard view adds this context in one line.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from wagtail.models import Site

from .forum import forum_for
from .logo_kit import dashboard_logo_kit
from .policy import get_policy
from .verification import badge_snippet


def site_name(request) -> str:
    site = Site.find_for_request(request)
    return (getattr(site, "site_name", "") or getattr(settings, "WAGTAIL_SITE_NAME", "")
            or "our network")


def benefits_context(request, organisations: list[dict]) -> dict:
    """Adds ``logo`` (and, for admins of current members, ``badge``) to each item."""
    user = request.user
    policy = get_policy()
    context = dashboard_logo_kit(user, organisations)
    name = None
    for item in organisations:
        membership = item.get("membership")
        item["verify_url"] = ""
        item["badge"] = ""
        if not policy.membership_grants_benefits(membership):
            continue  # only members show the logo, so only they need the badge
        organisation = item["organisation"]
        item["verify_url"] = request.build_absolute_uri(
            reverse("wagtail_pledges:verify_organisation", args=[organisation.slug]))
        if item.get("is_admin"):
            name = name or site_name(request)
            item["badge"] = badge_snippet(item["verify_url"], organisation.name, name)
    context["forum"] = forum_for(user)
    return context
