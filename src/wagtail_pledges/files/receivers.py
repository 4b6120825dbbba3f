"""Signal receivers that keep each file where :mod:`.placement` says it belongs."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_init, post_save, pre_save
from treebeard.mp_tree import path_updated
from wagtail.models import Collection, CollectionViewRestriction

from .placement import gated_models, place, rendition_model, store_new_file_privately, sync_files


def _store_upload(sender, instance, raw=False, **kwargs):
    if not raw:
        store_new_file_privately(instance)


def _store_new_rendition(sender, instance, **kwargs):
    # Wagtail builds renditions with the file in the constructor and may save them
    # with bulk_create (no save signals): commit the file here, before any insert.
    value = instance.__dict__.get("file")
    if value and not isinstance(value, str) and instance.image_id is not None:
        store_new_file_privately(instance)


def _place_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and not {"file", "collection"} & set(update_fields)):
        return
    place(instance)


def _sync_restricted_collection(sender, instance, raw=False, **kwargs):
    if raw:
        return
    collection = Collection.objects.filter(pk=instance.collection_id).first()
    if collection is not None:
        sync_files([collection])


def _sync_moved_collection(sender, old_path, new_path, **kwargs):
    """A collection moved in the tree (treebeard's ``path_updated``): its files, and its
    sub-collections', follow the privacy of their new ancestors once the move commits."""
    def sync():
        moved = list(Collection.objects.filter(path=new_path))
        if moved:
            sync_files(moved)

    transaction.on_commit(sync)


def connect() -> None:
    """Connect to the configured document, image and rendition models (at ready())."""
    for model in gated_models():
        pre_save.connect(_store_upload, sender=model, dispatch_uid=f"pledges-files-pre-{model}")
        post_save.connect(_place_saved, sender=model, dispatch_uid=f"pledges-files-{model}")
    rendition = rendition_model()
    post_init.connect(_store_new_rendition, sender=rendition, dispatch_uid="pledges-files-rend")
    post_save.connect(_place_saved, sender=rendition, dispatch_uid="pledges-files-rend-save")
    for signal in (post_save, post_delete):
        signal.connect(_sync_restricted_collection, sender=CollectionViewRestriction,
                       dispatch_uid=f"pledges-files-restriction-{signal}")
    path_updated.connect(_sync_moved_collection, sender=Collection,
                         dispatch_uid="pledges-files-collection-moved")


def place_after_bulk_move(request, action_type, objects, action_class):
    """``after_bulk_action`` hook: Wagtail's "Add to collection" bulk action moves
    documents and images with ``QuerySet.update`` (no save signals)."""
    if action_type != "add_to_collection":
        return
    for model in gated_models():
        ids = [obj.pk for obj in objects if isinstance(obj, model)]
        for instance in model.objects.filter(pk__in=ids):
            place(instance)
