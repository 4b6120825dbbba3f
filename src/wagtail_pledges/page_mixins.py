"""Abstract page mixins: the membership pages, without a concrete ``Page`` class.

A site builds its own page types from these on top of its own base page::

    class JoinPage(IndividualPledgePageMixin, MySiteBasePage):
        content_panels = MySiteBasePage.content_panels + IndividualPledgePageMixin.pledges_panels

``wagtail_pledges.pages`` ships ready-made concrete pages built the same way. Each
mixin lives in :mod:`wagtail_pledges.journeys` (one module per journey); this module
re-exports them so existing imports (and migrations) keep working.
"""

from .directory import published_plans
from .journey_urls import forget_journey_page_urls, journey_page_urls
from .journeys import (
    IndividualPledgePageMixin,
    MembershipPageMixin,
    OrganisationPledgePageMixin,
    PlansIndexPageMixin,
    PrivateRoutesMixin,
    ResourceIndexPageMixin,
    ResourcePageMixin,
)

__all__ = [
    "IndividualPledgePageMixin",
    "MembershipPageMixin",
    "OrganisationPledgePageMixin",
    "PlansIndexPageMixin",
    "PrivateRoutesMixin",
    "ResourceIndexPageMixin",
    "ResourcePageMixin",
    "forget_journey_page_urls",
    "journey_page_urls",
    "published_plans",
]
