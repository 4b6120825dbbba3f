"""One storage for Wagtail's documents, images and renditions that keeps two places.

A name that starts with :data:`PRIVATE_PREFIX` lives in the private storage
(``WAGTAIL_PLEDGES["PRIVATE_STORAGE"]``), which no public URL serves; every other
name lives in the public storage, exactly as before. Routing by name keeps Django's
one-storage-per-field model: the database row says where its file is, and moving a
file is renaming it (see :mod:`wagtail_pledges.files.placement`).

A site installs it as its default storage (Wagtail's document and image fields and,
unless ``WAGTAILIMAGES_RENDITION_STORAGE`` says otherwise, renditions use it)::

    STORAGES = {
        "default": {"BACKEND": "wagtail_pledges.files.storage.CollectionPrivacyStorage"},
        ...
    }
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.urls import reverse
from django.utils.deconstruct import deconstructible

from ..conf import pledges_settings

PRIVATE_PREFIX = "restricted/"


def is_private_name(name: str | None) -> bool:
    return bool(name) and name.startswith(PRIVATE_PREFIX)


def private_name(name: str) -> str:
    return name if is_private_name(name) else PRIVATE_PREFIX + name


def public_name(name: str) -> str:
    return name[len(PRIVATE_PREFIX):] if is_private_name(name) else name


def default_private_root() -> Path:
    """Where private files go when ``PRIVATE_STORAGE`` is None: beside MEDIA_ROOT."""
    return Path(settings.MEDIA_ROOT or ".").resolve().parent / "private-media"


@cache
def _filesystem_storage(location: str) -> FileSystemStorage:
    # base_url is never used: private names get the gated URL from CollectionPrivacyStorage.
    return FileSystemStorage(location=location, base_url="/private-media-is-not-served/")


def private_storage() -> Storage:
    """The configured private storage (a STORAGES alias, or a folder beside MEDIA_ROOT)."""
    alias = pledges_settings.PRIVATE_STORAGE
    if alias:
        return storages[alias]
    return _filesystem_storage(str(default_private_root()))


@deconstructible(path="wagtail_pledges.files.storage.CollectionPrivacyStorage")
class CollectionPrivacyStorage(Storage):
    """Routes ``restricted/…`` names to the private storage, the rest to ``public``.

    ``public`` is a STORAGES alias (not "default", which is this storage); when it is
    omitted, a ``FileSystemStorage`` over MEDIA_ROOT / MEDIA_URL, Django's own default.
    """

    def __init__(self, public: str | None = None):
        self.public_alias = public

    @property
    def public(self) -> Storage:
        if self.public_alias:
            return storages[self.public_alias]
        return _filesystem_storage_public()

    @property
    def private(self) -> Storage:
        return private_storage()

    def _route(self, name: str) -> tuple[Storage, str, str]:
        if is_private_name(name):
            return self.private, public_name(name), PRIVATE_PREFIX
        return self.public, name, ""

    # -- everything Django and Wagtail call, delegated by name ------------------------

    def save(self, name, content, max_length=None):
        storage, inner, prefix = self._route(name)
        limit = max_length - len(prefix) if max_length else None
        return prefix + storage.save(inner, content, max_length=limit)

    def _open(self, name, mode="rb"):
        storage, inner, _ = self._route(name)
        return storage.open(inner, mode)

    def delete(self, name):
        storage, inner, _ = self._route(name)
        storage.delete(inner)

    def exists(self, name):
        storage, inner, _ = self._route(name)
        return storage.exists(inner)

    def size(self, name):
        storage, inner, _ = self._route(name)
        return storage.size(inner)

    def path(self, name):
        storage, inner, _ = self._route(name)
        return storage.path(inner)

    def listdir(self, path):
        storage, inner, _ = self._route(path)
        return storage.listdir(inner)

    def get_modified_time(self, name):
        storage, inner, _ = self._route(name)
        return storage.get_modified_time(inner)

    def get_created_time(self, name):
        storage, inner, _ = self._route(name)
        return storage.get_created_time(inner)

    def get_accessed_time(self, name):
        storage, inner, _ = self._route(name)
        return storage.get_accessed_time(inner)

    def url(self, name):
        """A private file's URL is the policy-checked view, never the storage's own."""
        if is_private_name(name):
            return reverse("wagtail_pledges:private_file", kwargs={"name": public_name(name)})
        return self.public.url(name)


@cache
def _filesystem_storage_public() -> FileSystemStorage:
    return FileSystemStorage()


def reset_storage_caches() -> None:
    """Forget built storages (tests change MEDIA_ROOT and PRIVATE_STORAGE)."""
    _filesystem_storage.cache_clear()
    _filesystem_storage_public.cache_clear()
