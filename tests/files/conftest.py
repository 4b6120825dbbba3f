"""A restricted collection with a document, an image and its rendition, on a
throwaway MEDIA_ROOT (private files go to the "private-media" folder beside it)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction

from wagtail_pledges.conf import pledges_settings
from wagtail_pledges.files.storage import reset_storage_caches

PDF_BYTES = b"%PDF-1.4\n% members-only guide\n%%EOF\n"
RENDITION_SPEC = "fill-8x8"


def png_bytes(colour=(200, 30, 30), size=(16, 16)) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    reset_storage_caches()
    yield tmp_path
    reset_storage_caches()


def add_collection(name: str) -> Collection:
    return Collection.get_first_root_node().add_child(name=name)


def restrict_to_members(collection: Collection) -> CollectionViewRestriction:
    restriction = CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.get_or_create(
        name=pledges_settings.group_name("members"))[0])
    return restriction


def add_document(collection, name="guide.pdf", content=PDF_BYTES):
    document = get_document_model()(title="Members' guide", collection=collection,
                                     file=ContentFile(content, name=name))
    document.save()
    return document


def add_image(collection, name="photo.png", content=None):
    image = get_image_model()(title="Debrief", collection=collection,
                              file=ImageFile(io.BytesIO(content or png_bytes()), name=name))
    image.save()
    return image


@pytest.fixture
def files(db, media):
    """Uploaded while public (so each has an old /media/ URL), then restricted."""
    collection = add_collection("Member resources")
    document = add_document(collection)
    image = add_image(collection)
    rendition = image.get_rendition(RENDITION_SPEC)
    old = {"document": document.file.url, "image": image.file.url,
           "rendition": rendition.url}
    restriction = restrict_to_members(collection)
    document.refresh_from_db()
    image.refresh_from_db()
    rendition = image.get_rendition(RENDITION_SPEC)
    with rendition.file.open("rb") as handle:
        rendition_bytes = handle.read()
    with image.file.open("rb") as handle:
        image_bytes = handle.read()
    return {"collection": collection, "restriction": restriction, "document": document,
            "image": image, "rendition": rendition, "old_urls": old,
            "bytes": {"document": PDF_BYTES, "image": image_bytes,
                      "rendition": rendition_bytes}}
