"""Ready-made page types, each a core mixin on Wagtail's ``Page``.

Sites with their own base page build the same from
:mod:`wagtail_pledges.page_mixins` instead of installing this app.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from wagtail_pledges.page_mixins import (
    IndividualPledgePageMixin,
    MembershipPageMixin,
    OrganisationPledgePageMixin,
    PlansIndexPageMixin,
    ResourceIndexPageMixin,
    ResourcePageMixin,
)


class MembershipPage(MembershipPageMixin, Page):
    content_panels = Page.content_panels + MembershipPageMixin.pledges_panels

    class Meta:
        verbose_name = _("membership page")


class IndividualPledgePage(IndividualPledgePageMixin, Page):
    content_panels = Page.content_panels + IndividualPledgePageMixin.pledges_panels
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("individual pledge page")


class OrganisationPledgePage(OrganisationPledgePageMixin, Page):
    content_panels = Page.content_panels + OrganisationPledgePageMixin.pledges_panels
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("organisation pledge page")


class PlansIndexPage(PlansIndexPageMixin, Page):
    content_panels = Page.content_panels + PlansIndexPageMixin.pledges_panels
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("published plans directory")


class ResourceIndexPage(ResourceIndexPageMixin, Page):
    content_panels = Page.content_panels + ResourceIndexPageMixin.pledges_panels
    subpage_types = ["wagtail_pledges_pages.ResourcePage"]

    class Meta:
        verbose_name = _("resource index page")


class ResourcePage(ResourcePageMixin, Page):
    content_panels = Page.content_panels + ResourcePageMixin.pledges_panels
    parent_page_types = ["wagtail_pledges_pages.ResourceIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("resource page")
