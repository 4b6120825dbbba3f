"""Where each document, image and rendition file belongs, and moving it there.

A file belongs in the private storage when its collection, or any collection above
it, has a view restriction; a rendition goes where its original image's file is.
New uploads for such a collection are written straight to the private storage; a
file whose collection gains or loses a restriction, or that changes collection, is
moved. Moving is renaming between ``restricted/…`` and the public name (see
:mod:`wagtail_pledges.files.storage`); the old copy is deleted at once, so a
restricted file never stays at a public URL.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction

from .storage import CollectionPrivacyStorage, is_private_name, private_name, public_name


def gated_models() -> tuple[type, ...]:
    """The document and image models whose files follow collection privacy."""
    return (get_document_model(), get_image_model())


def rendition_model() -> type:
    return get_image_model().get_rendition_model()


def restricted_collection_ids() -> set[int]:
    """Every collection with a view restriction on itself or on an ancestor."""
    paths = CollectionViewRestriction.objects.values_list("collection__path", flat=True)
    query = Q()
    for path in set(paths):
        query |= Q(path__startswith=path)
    if not query:
        return set()
    return set(Collection.objects.filter(query).values_list("pk", flat=True))


def collection_is_restricted(collection_id: int | None) -> bool:
    if collection_id is None:
        return False
    collection = Collection.objects.filter(pk=collection_id).first()
    return collection is not None and collection.get_view_restrictions().exists()


def belongs_private(instance) -> bool:
    """Documents and images: their collection is restricted. Renditions follow their
    original image's file, with no query (Wagtail builds several in worker threads)."""
    if isinstance(instance, rendition_model()):
        return is_private_name(instance.image.file.name)
    return collection_is_restricted(instance.collection_id)


def _routed(fieldfile) -> bool:
    # A site that has not installed CollectionPrivacyStorage gets check W010 instead.
    return isinstance(fieldfile.storage, CollectionPrivacyStorage)


def store_new_file_privately(instance) -> bool:
    """Write a not-yet-saved file of a restricted collection to the private storage.

    Called before the row is written (pre_save, or post_init for renditions, which
    Wagtail may create with ``bulk_create``), so the file never touches the public
    storage, even for a moment.
    """
    fieldfile = instance.file
    if not fieldfile or fieldfile._committed or not _routed(fieldfile):
        return False
    if not belongs_private(instance):
        return False
    name = fieldfile.field.generate_filename(instance, fieldfile.name)
    fieldfile.name = fieldfile.storage.save(
        private_name(name), fieldfile.file, max_length=fieldfile.field.max_length
    )
    fieldfile._committed = True
    return True


def move_file(instance, private: bool) -> bool:
    """Move a saved file to the private (or public) storage. True when it moved."""
    fieldfile = instance.file
    if not fieldfile or not fieldfile._committed or not _routed(fieldfile):
        return False
    if is_private_name(fieldfile.name) == private:
        return False
    old = fieldfile.name
    storage = fieldfile.storage
    target = private_name(old) if private else public_name(old)
    with storage.open(old, "rb") as handle:
        new = storage.save(target, handle, max_length=fieldfile.field.max_length)
    type(instance)._base_manager.filter(pk=instance.pk).update(**{fieldfile.field.attname: new})
    fieldfile.name = new
    # Deleted now, not on commit: after a rollback the row points at a missing file
    # (an editor re-uploads it) rather than a restricted file staying public.
    storage.delete(old)
    return True


def place(instance, restricted_ids: set[int] | None = None) -> int:
    """Put the file (and, for an image, its renditions) where it belongs. Moves made."""
    if restricted_ids is not None and not isinstance(instance, rendition_model()):
        private = instance.collection_id in restricted_ids
    else:
        private = belongs_private(instance)
    moved = int(move_file(instance, private))
    if isinstance(instance, get_image_model()):
        for rendition in instance.renditions.all():
            if move_file(rendition, private):
                # Wagtail caches renditions (and so their URLs) by image and filter.
                rendition.purge_from_cache()
                moved += 1
    return moved


def sync_files(collections: Iterable[Collection] | None = None) -> int:
    """Place every document and image in ``collections`` and their descendants
    (all collections when None). Returns the number of files moved."""
    restricted = restricted_collection_ids()
    moved = 0
    for model in gated_models():
        objects = model.objects.all()
        if collections is not None:
            query = Q()
            for collection in collections:
                query |= Q(collection__path__startswith=collection.path)
            objects = objects.filter(query)
        for instance in objects.iterator():
            moved += place(instance, restricted)
    return moved
