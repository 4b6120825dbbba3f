"""Abstract page mixins, one module per journey; see :mod:`wagtail_pledges.page_mixins`."""

from .base import PrivateRoutesMixin, route
from .directory import PlansIndexPageMixin
from .individual import IndividualPledgePageMixin
from .membership import MembershipPageMixin
from .organisation import OrganisationPledgePageMixin
from .resources import ResourceIndexPageMixin, ResourcePageMixin

__all__ = [
    "IndividualPledgePageMixin",
    "MembershipPageMixin",
    "OrganisationPledgePageMixin",
    "PlansIndexPageMixin",
    "PrivateRoutesMixin",
    "ResourceIndexPageMixin",
    "ResourcePageMixin",
    "route",
]
