"""System checks for restricted files (W010–W013) and their settings (E013, E014)."""

from __future__ import annotations

import pytest

from wagtail_pledges.checks import check_settings
from wagtail_pledges.files.checks import check_file_storage, check_image_serve_view
from wagtail_pledges.files.storage import reset_storage_caches


def _ids(messages) -> list[str]:
    return [m.id for m in messages]


@pytest.fixture(autouse=True)
def _fresh_storages():
    reset_storage_caches()
    yield
    reset_storage_caches()


def test_the_test_site_passes():
    assert check_file_storage() == []
    assert check_image_serve_view() == []


def test_w010_files_not_routed_through_the_private_storage(settings):
    from django.core.files.storage import FileSystemStorage
    from wagtail.documents import get_document_model

    field = get_document_model()._meta.get_field("file")
    original = field.storage
    field.storage = FileSystemStorage()
    try:
        assert _ids(check_file_storage()) == ["wagtail_pledges.W010"]
    finally:
        field.storage = original


def test_w011_private_folder_inside_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {**settings.STORAGES, "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "private")},
    }}
    settings.WAGTAIL_PLEDGES = {**settings.WAGTAIL_PLEDGES, "PRIVATE_STORAGE": "private"}
    assert _ids(check_file_storage()) == ["wagtail_pledges.W011"]


def test_w013_redirect_to_a_folder(settings):
    settings.WAGTAIL_PLEDGES = {**settings.WAGTAIL_PLEDGES, "PRIVATE_SERVE_METHOD": "redirect"}
    assert _ids(check_file_storage()) == ["wagtail_pledges.W013"]


@pytest.mark.urls("tests.files.urls_plain_image_serve")
def test_w012_wagtails_own_image_serve_view():
    assert _ids(check_image_serve_view()) == ["wagtail_pledges.W012"]


@pytest.mark.parametrize(("key", "value", "id_"), [
    ("PRIVATE_STORAGE", "default", "wagtail_pledges.E013"),
    ("PRIVATE_STORAGE", "no-such-alias", "wagtail_pledges.E013"),
    ("PRIVATE_SERVE_METHOD", "x-sendfile", "wagtail_pledges.E014"),
])
def test_bad_file_settings(settings, key, value, id_):
    settings.WAGTAIL_PLEDGES = {**settings.WAGTAIL_PLEDGES, key: value}
    assert _ids(check_settings()) == [id_]
