"""Member resources: an index of resource pages, and the resource page itself."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField

from ..blocks import ResourceBodyBlock
from ..visibility import resources_for


class ResourceIndexPageMixin(models.Model):
    """Lists member resources (its child pages)."""

    intro = RichTextField(gettext_lazy("introduction"), blank=True)

    pledges_panels = [FieldPanel("intro")]
    # Wagtail's API v2; its children (``?child_of=``) are filtered by the policy.
    api_fields = [APIField("intro")]
    template = "wagtail_pledges/pages/resource_index_page.html"

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Private resources the viewer may see, and public ones; a private resource's
        # title never reaches anyone else.
        context["resources"] = resources_for(self, request)
        return context


class ResourcePageMixin(models.Model):
    """One member resource: a summary, a body and its documents."""

    summary = models.TextField(gettext_lazy("summary"), blank=True, max_length=500)
    body = StreamField(ResourceBodyBlock(), blank=True, verbose_name=gettext_lazy("body"))

    pledges_panels = [FieldPanel("summary"), FieldPanel("body")]
    # Wagtail's API v2 (``?fields=summary,body``). A teaser page's members-only blocks
    # show their content to members only (``MembersOnlyBlock.get_api_representation``).
    api_fields = [APIField("summary"), APIField("body")]
    template = "wagtail_pledges/pages/resource_page.html"

    class Meta:
        abstract = True
