"""The membership page: what membership is, live counts, and a call to action."""

from __future__ import annotations

from django.db import models
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField

from ..blocks import MembershipBodyBlock
from ..counts import get_counts
from ..cta import call_to_action


class MembershipPageMixin(models.Model):
    """Explains membership, with live counts and a call to action for the viewer."""

    intro = RichTextField(gettext_lazy("introduction"), blank=True)
    individual_summary = RichTextField(
        gettext_lazy("individual membership"), blank=True,
        help_text=gettext_lazy("What individuals do to join and what they get."),
    )
    organisation_summary = RichTextField(
        gettext_lazy("organisation membership"), blank=True,
        help_text=gettext_lazy("What organisations do to join and what they get."),
    )
    individual_pledge_page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=gettext_lazy("individual pledge page"),
        null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    organisation_pledge_page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=gettext_lazy("organisation pledge page"),
        null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    show_counts = models.BooleanField(gettext_lazy("show live counts"), default=True)
    body = StreamField(MembershipBodyBlock(), blank=True, verbose_name=gettext_lazy("body"))

    pledges_panels = [
        FieldPanel("intro"),
        MultiFieldPanel(
            [FieldPanel("individual_summary"), FieldPanel("individual_pledge_page")],
            heading=gettext_lazy("Individuals"),
        ),
        MultiFieldPanel(
            [FieldPanel("organisation_summary"), FieldPanel("organisation_pledge_page")],
            heading=gettext_lazy("Organisations"),
        ),
        FieldPanel("show_counts"),
        FieldPanel("body"),
    ]
    # Wagtail's API v2 (``?fields=…``). Members-only blocks in ``body`` show their
    # content to members only (``MembersOnlyBlock.get_api_representation``).
    api_fields = [APIField(name) for name in (
        "intro", "individual_summary", "organisation_summary", "show_counts", "body")]
    template = "wagtail_pledges/pages/membership_page.html"

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["counts"] = get_counts() if self.show_counts else None
        context["cta"] = call_to_action(
            request.user, request=request,
            individual_page=self.individual_pledge_page_id,
            organisation_page=self.organisation_pledge_page_id,
        )
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        # The call to action differs per viewer.
        patch_vary_headers(response, ["Cookie"])
        if request.user.is_authenticated:
            patch_cache_control(response, private=True)
        return response
