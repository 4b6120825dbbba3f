from django.db import models
from wagtail import blocks
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.images.blocks import ImageBlock
from wagtail.models import Page
from wagtail.search import index

from wagtail_pledges.blocks import CallToActionBlock, LiveCountsBlock
from wagtail_pledges.visibility import public_menu_items


class ContentBlocks(blocks.StreamBlock):
    heading = blocks.CharBlock(form_classname="title", icon="title")
    paragraph = blocks.RichTextBlock()
    image = ImageBlock()
    quote = blocks.BlockQuoteBlock()
    # The package's blocks: "join / finish / renew / you're a member" for the viewer,
    # and member numbers from the counter table.
    call_to_action = CallToActionBlock()
    live_counts = LiveCountsBlock()


class HomePage(Page):
    intro = models.TextField(blank=True)
    body = StreamField(ContentBlocks(), blank=True)

    content_panels = [*Page.content_panels, "intro", "body"]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # "Find out more": the public in-menu children, from the menu's cache.
        context["cards"] = public_menu_items(self, request)
        return context


class StandardPage(Page):
    intro = models.TextField(blank=True)
    body = StreamField(ContentBlocks(), blank=True)

    content_panels = [*Page.content_panels, "intro", "body"]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]


@register_setting(icon="mail")
class ContactSettings(BaseSiteSetting):
    """The network's contact details, editable by editors (Settings → Contact)."""

    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        verbose_name = "contact details"
