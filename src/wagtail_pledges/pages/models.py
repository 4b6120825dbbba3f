"""Ready-made page types, each a core mixin on Wagtail's ``Page``.

``template`` is repeated on each class because Wagtail gives every concrete page
class a default template name of its own.

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
    template = MembershipPageMixin.template

    class Meta:
        verbose_name = _("membership page")


class IndividualPledgePage(IndividualPledgePageMixin, Page):
    content_panels = Page.content_panels + IndividualPledgePageMixin.pledges_panels
    template = IndividualPledgePageMixin.template
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("individual pledge page")


class OrganisationPledgePage(OrganisationPledgePageMixin, Page):
    content_panels = Page.content_panels + OrganisationPledgePageMixin.pledges_panels
    template = OrganisationPledgePageMixin.template
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("organisation pledge page")


class PlansIndexPage(PlansIndexPageMixin, Page):
    content_panels = Page.content_panels + PlansIndexPageMixin.pledges_panels
    template = PlansIndexPageMixin.template
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("published plans directory")


class ResourceIndexPage(ResourceIndexPageMixin, Page):
    content_panels = Page.content_panels + ResourceIndexPageMixin.pledges_panels
    template = ResourceIndexPageMixin.template
    subpage_types = ["wagtail_pledges_pages.ResourcePage"]

    class Meta:
        verbose_name = _("resource index page")


class ResourcePage(ResourcePageMixin, Page):
    content_panels = Page.content_panels + ResourcePageMixin.pledges_panels
    template = ResourcePageMixin.template
    parent_page_types = ["wagtail_pledges_pages.ResourceIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("resource page")
