"""System checks: would a restricted file be reachable at a public URL?

IDs are stable (docs/reference/checks.md): W010 a model's files bypass the private
storage, W011 the private folder is inside MEDIA_ROOT, W012 Wagtail's signed image
URLs are served without the policy check, W013 "redirect" to a storage whose URLs
are public.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.core.files.storage import FileSystemStorage
from django.urls import NoReverseMatch, resolve, reverse
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.views.serve import ServeView

from ..conf import pledges_settings
from .storage import CollectionPrivacyStorage, private_storage
from .views import GatedImageServeView

HINT = "See docs/how-to/serve-private-files.md."


def _warning(msg: str, id_: str) -> Warning:
    return Warning(msg, hint=HINT, id=f"wagtail_pledges.{id_}")


def _models():
    image = get_image_model()
    return (get_document_model(), image, image.get_rendition_model())


@register(Tags.compatibility)
def check_file_storage(app_configs=None, **kwargs) -> list[Warning]:
    errors = []
    for model in _models():
        if not isinstance(model._meta.get_field("file").storage, CollectionPrivacyStorage):
            errors.append(_warning(
                f"{model._meta.label}.file is not stored with "
                f"wagtail_pledges.files.storage.CollectionPrivacyStorage: files of "
                f"restricted collections stay at their public MEDIA_URL.", "W010"))
    storage = private_storage()
    if isinstance(storage, FileSystemStorage) and settings.MEDIA_ROOT:
        private = Path(storage.location).resolve()
        media = Path(settings.MEDIA_ROOT).resolve()
        if private == media or media in private.parents:
            errors.append(_warning(
                f"The private storage's folder {private} is inside MEDIA_ROOT ({media}), "
                f"which is served at MEDIA_URL.", "W011"))
    if pledges_settings.PRIVATE_SERVE_METHOD == "redirect" and isinstance(
            storage, FileSystemStorage):
        errors.append(_warning(
            "PRIVATE_SERVE_METHOD is 'redirect' but the private storage is a folder: "
            "a redirect would point at a public URL. Use 'serve' (with SENDFILE_BACKEND "
            "for X-Sendfile / X-Accel-Redirect).", "W013"))
    return errors


@register(Tags.urls)
def check_image_serve_view(app_configs=None, **kwargs) -> list[Warning]:
    try:
        match = resolve(reverse("wagtailimages_serve", args=("sig", 1, "original")) + "x")
    except NoReverseMatch:
        return []
    view_class = getattr(match.func, "view_class", None)
    if view_class and issubclass(view_class, ServeView) and not issubclass(
            view_class, GatedImageServeView):
        return [_warning(
            "The URL 'wagtailimages_serve' is Wagtail's ServeView: signed image URLs of "
            "restricted collections are served to anyone. Mount "
            "wagtail_pledges.files.views.GatedImageServeView under that name.", "W012")]
    return []
