"""StreamField blocks: a tracked awareness video, live counts, an adaptive call to
action, and members-only content with a public teaser.

Blocks that depend on who is looking (call to action, members-only) ask
:func:`wagtail_pledges.policy.get_policy` through the request in the parent context;
render them with ``{% include_block %}`` so the request is passed on.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import router
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.stream_block import StreamBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import StreamField
from wagtail.models import Page

from .counts import get_counts
from .cta import call_to_action
from .forum import forum_for
from .policy import get_policy
from .prepared import PreparedFamily
from .routing import cached_page
from .versioned_cache import page_cache
from .videos import read_duration
from .visibility import collection_is_restricted, mark_gated, page_refusals


def _request_user(parent_context):
    request = (parent_context or {}).get("request")
    return getattr(request, "user", None)


class AwarenessVideoValue(blocks.StructValue):
    @property
    def src(self) -> str:
        document = self.get("document")
        return document.url if document else self.get("video_url") or ""

    @property
    def duration(self) -> float | None:
        """The real length in seconds: the editor's figure, else read from the file."""
        return self.get("duration") or read_duration(self.get("document"))

    @property
    def video_key(self) -> str:
        """A stable key for progress records: the video itself, not where it is shown.

        Moving the block, or showing the same file on two pages, keeps a member's
        progress; replacing the file with another starts a new record.
        """
        document = self.get("document")
        return video_key_for(document.pk if document else None, self.get("video_url"))


def video_key_for(document_pk, url) -> str:
    """:attr:`AwarenessVideoValue.video_key` from what a video block stores (the
    document's id, or the URL), without looking the document up."""
    if document_pk:
        return f"doc:{document_pk}"
    return "url:" + hashlib.sha256((url or "").encode()).hexdigest()[:32]


class SkipsEmptyLookup:
    """A chooser block, minus the work of looking up nothing at all.

    Wagtail hands every chooser's stored ids to ``QuerySet.in_bulk`` when a stream is
    read, even when they are all empty (``[None]``): Django then builds and compiles a
    query only to find it can match nothing — on every view of every page carrying the
    block. Migrations see Wagtail's own block (same stored value, same admin).
    """

    def bulk_to_python(self, values):
        if all(value is None for value in values):
            return [None] * len(values)
        return super().bulk_to_python(values)


class OptionalPageChooserBlock(SkipsEmptyLookup, blocks.PageChooserBlock):
    """Wagtail's page chooser (see :class:`SkipsEmptyLookup`)."""

    canonical_module_path = "wagtail.blocks.PageChooserBlock"


class OptionalDocumentChooserBlock(SkipsEmptyLookup, DocumentChooserBlock):
    """Wagtail's document chooser (see :class:`SkipsEmptyLookup`): an awareness video
    given by URL, or without captions, is read on every journey step and submission."""

    canonical_module_path = "wagtail.documents.blocks.DocumentChooserBlock"


class AwarenessVideoBlock(blocks.StructBlock):
    """An awareness video played in a tracked HTML5 ``<video>`` player.

    Give either an uploaded video file (a Wagtail document) or the URL of a video file
    (MP4/WebM, e.g. on a CDN). Providers' embed pages (YouTube, Vimeo) are not played
    through our player and so cannot be tracked; see docs/explanation/videos.md.
    """

    title = blocks.CharBlock(label=_("title"), max_length=200)
    document = OptionalDocumentChooserBlock(
        label=_("video file"), required=False,
        help_text=_("An MP4 or WebM file uploaded to the documents library."),
    )
    video_url = blocks.URLBlock(
        label=_("or video file URL"), required=False,
        help_text=_("The address of an MP4 or WebM file, if it is hosted elsewhere."),
    )
    duration = blocks.FloatBlock(
        label=_("duration (seconds)"), required=False, min_value=1, max_value=4 * 3600,
        help_text=_("Read from an uploaded MP4 file when you save; correct it here if it is "
                    "wrong. Required for a video URL or a WebM file: the server needs the "
                    "real length to decide when the video has been watched."),
    )
    captions = OptionalDocumentChooserBlock(
        label=_("captions (WebVTT)"), required=False,
        help_text=_("Captions make the video accessible to people who cannot hear it."),
    )
    transcript = blocks.RichTextBlock(label=_("transcript"), required=False)

    class Meta:
        icon = "media"
        label = _("Awareness video")
        template = "wagtail_pledges/blocks/awareness_video.html"
        value_class = AwarenessVideoValue

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("document")) == bool(value.get("video_url")):
            message = _("Give either a video file or a video URL (one of them).")
            raise StructBlockValidationError(
                block_errors={"document": ValidationError(message),
                              "video_url": ValidationError(message)}
            )
        if not value.get("duration"):
                # Read once, here, where an editor can see and correct it.
            value["duration"] = read_duration(value.get("document"))
            if not value["duration"]:
                raise StructBlockValidationError(block_errors={"duration": ValidationError(
                    _("We could not read this video's length. Enter it in seconds."))})
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["progress_url"] = reverse("wagtail_pledges:video_progress")
        return context


class LiveCountsBlock(blocks.StructBlock):
    """Member numbers from the counter table: never a ``COUNT(*)`` on a page view."""

    heading = blocks.CharBlock(label=_("heading"), required=False)
    show_individuals = blocks.BooleanBlock(label=_("individual members"), required=False,
                                           default=True)
    show_organisations = blocks.BooleanBlock(label=_("organisation members"), required=False,
                                             default=True)
    show_plans = blocks.BooleanBlock(label=_("published action plans"), required=False,
                                     default=True)
    show_baseline = blocks.BooleanBlock(
        label=_("original pledge signatories"), required=False, default=False,
        help_text=_("The historic numbers from the HISTORIC_BASELINE setting."),
    )

    class Meta:
        icon = "list-ol"
        label = _("Live counts")
        template = "wagtail_pledges/blocks/live_counts.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["counts"] = get_counts()
        return context


class CallToActionBlock(blocks.StructBlock):
    """Join / finish joining / renew / you're a member — chosen for the viewer."""

    individual_page = OptionalPageChooserBlock(
        label=_("individual pledge page"), required=False,
    )
    organisation_page = OptionalPageChooserBlock(
        label=_("organisation pledge page"), required=False,
    )

    class Meta:
        icon = "pick"
        label = _("Call to action")
        template = "wagtail_pledges/blocks/call_to_action.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["cta"] = call_to_action(
            _request_user(parent_context),
            individual_page=value.get("individual_page"),
            organisation_page=value.get("organisation_page"),
        )
        return context


class MembersOnlyBlock(blocks.StructBlock):
    """Content for members; everyone else sees the teaser (and a way to join)."""

    teaser = blocks.RichTextBlock(
        label=_("teaser"), required=False,
        help_text=_("Public: shown to everyone who is not a member."),
    )
    content = blocks.StreamBlock(
        [
            ("paragraph", blocks.RichTextBlock(label=_("paragraph"))),
            ("document", DocumentChooserBlock(label=_("document"))),
        ],
        label=_("members-only content"),
    )

    class Meta:
        icon = "lock"
        label = _("Members-only content")
        template = "wagtail_pledges/blocks/members_only.html"

    def clean(self, value):
        """A document in members-only content must live in a restricted collection.

        Otherwise its URL serves it to anyone who has the link, whatever the block
        shows; the editor is told which document and what to do.
        """
        value = super().clean(value)
        errors = {}
        for index, child in enumerate(value.get("content") or []):
            document = child.value if child.block_type == "document" else None
            if document is not None and not collection_is_restricted(document.collection):
                errors[index] = ValidationError(_(
                    "“%(document)s” is in the collection “%(collection)s”, which anyone "
                    "can download from. Move it to a collection restricted to members "
                    "(Settings → Collections → Privacy), or link it outside the "
                    "members-only block."
                ) % {"document": document.title, "collection": document.collection.name})
        if errors:
            raise StructBlockValidationError(
                block_errors={"content": StreamBlockValidationError(block_errors=errors)}
            )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        # The page now differs per viewer: keep it out of shared caches.
        mark_gated((parent_context or {}).get("request"))
        context["is_member"] = get_policy().is_member(_request_user(parent_context))
        context["login_url"] = resolve_url(settings.LOGIN_URL)
        return context

    def get_api_representation(self, value, context=None):
        """What Wagtail's API v2 (or any API that asks blocks) shows: for members the
        content, for everyone else the teaser only — ``content`` is ``null``, so a site
        that lists this block's field in its own ``api_fields`` leaks nothing either.
        ``members_only`` tells a front end which of the two it got."""
        request = (context or {}).get("request")
        mark_gated(request)
        if get_policy().is_member(getattr(request, "user", None)):
            data = super().get_api_representation(value, context)
            data.update(members_only=True, teaser=None)
            return data
        teaser = self.child_blocks["teaser"].get_api_representation(value.get("teaser"), context)
        return {"teaser": teaser, "content": None, "members_only": False}


class ForumBlock(blocks.StructBlock):
    """The members' forum: the ``FORUM`` note or link for members, the call to join
    for everyone else (who never see the forum's URL)."""

    heading = blocks.CharBlock(label=_("heading"), required=False)

    class Meta:
        icon = "comment"
        label = _("Members' forum")
        template = "wagtail_pledges/blocks/forum.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        user = _request_user(parent_context)
        context["forum"] = forum_for(user)
        if not context["forum"].is_member:
            context["cta"] = call_to_action(user)
        return context


class ResourceBodyBlock(blocks.StreamBlock):
    """What a resource page is made of."""

    paragraph = blocks.RichTextBlock(label=_("paragraph"))
    document = DocumentChooserBlock(label=_("document"))
    video = AwarenessVideoBlock()
    members_only = MembersOnlyBlock()

    class Meta:
        label = _("body")


class MembershipBodyBlock(blocks.StreamBlock):
    """What a membership page's body is made of."""

    paragraph = blocks.RichTextBlock(label=_("paragraph"))
    live_counts = LiveCountsBlock()
    call_to_action = CallToActionBlock()
    members_only = MembersOnlyBlock()
    forum = ForumBlock()

    class Meta:
        label = _("body")


# -- which videos a page carries ------------------------------------------------------


def _walk(block, value):
    """Every awareness video value inside a StreamField value, however nested."""
    if value is None:
        return
    if isinstance(block, AwarenessVideoBlock):
        yield value
    elif isinstance(block, blocks.StreamBlock):
        for child in value:
            yield from _walk(child.block, child.value)
    elif isinstance(block, blocks.StructBlock):
        for name, child_block in block.child_blocks.items():
            yield from _walk(child_block, value.get(name))
    elif isinstance(block, blocks.ListBlock):
        for item in value:
            yield from _walk(block.child_block, item)


def page_videos(page) -> dict:
    """``{video_key: AwarenessVideoValue}`` for the awareness videos on one page: the
    only keys its progress reports may name."""
    found = {}
    for field in page._meta.get_fields():
        if isinstance(field, StreamField):
            for video in _walk(field.stream_block, getattr(page, field.name)):
                found.setdefault(video.video_key, video)
    return found


_live_pages = PreparedFamily(
    lambda model: lambda pk: model.objects.live().filter(pk=pk).order_by("pk")[:1])


def _live_page(page_id: int, page_models: tuple, request):
    """The live page ``page_id`` (specific; of ``page_models`` if given), or ``None``.

    Asked by every API request that names a journey page (a submission's among them)
    and by every video heartbeat. With a shared cache, from the page cache, as page
    views are routed (:func:`wagtail_pledges.routing.cached_page`: made stale by every
    page change, so an unpublished or retyped page is seen at once); otherwise by a
    query, compiled once per connection for one page type."""
    if page_cache.version(request) is not None:
        page = cached_page(page_id, request, page_models[0] if len(page_models) == 1 else None)
        if page is None or not page.live or (
                page_models and not isinstance(page, page_models)):
            return None
        return page
    if len(page_models) == 1:  # one query: the concrete model's own table
        pages = _live_pages.objects(page_models[0], page_id,
                                    router.db_for_read(page_models[0]))
        return pages[0] if pages else None
    pages = Page.objects.live().filter(pk=page_id)
    return (pages.type(*page_models) if page_models else pages).specific().first()


def viewable_live_page(request, page_id: int, page_models=()):
    """Live page ``page_id`` (specific; of ``page_models`` if given) if this viewer may
    see it, else ``None``: a private page the policy refuses them, or a shared-password
    page they have not unlocked, is as unknown as a missing one."""
    page = _live_page(page_id, tuple(page_models), request)
    if page is None or page_refusals(page, request):
        return None
    return page


def viewable_page_video(request, page_id: int, key: str, page_models=()):
    """``(page, video)`` for a progress report naming ``page_id`` and ``key``:
    ``(None, None)`` unless :func:`viewable_live_page` finds the page, and ``video`` is
    ``None`` when ``key`` is not one of that page's own awareness videos. The page view
    and the API ask this one function."""
    page = viewable_live_page(request, page_id, page_models)
    return (page, page_videos(page).get(key)) if page is not None else (None, None)
