"""Files move with their collection's privacy, and never sit at a public URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from wagtail.models import CollectionViewRestriction, GroupCollectionPermission

from tests.factories import UserFactory

from .conftest import (
    PDF_BYTES,
    RENDITION_SPEC,
    add_collection,
    add_document,
    add_image,
    restrict_to_members,
)

pytestmark = pytest.mark.urls("tests.files.urls")


def _stored(media: Path) -> dict[str, set[str]]:
    """Relative paths of every file under MEDIA_ROOT and under the private folder."""
    def walk(root: Path) -> set[str]:
        return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}

    return {"public": walk(media / "media"), "private": walk(media / "private-media")}


def test_upload_into_a_restricted_collection_never_touches_public_storage(db, media, client):
    collection = add_collection("Members")
    restrict_to_members(collection)
    document = add_document(collection)
    image = add_image(collection)
    # One filter through get_or_create, several through bulk_create (no save signals).
    image.get_rendition(RENDITION_SPEC)
    image.get_renditions("width-4", "height-4", "fill-2x2")
    stored = _stored(media)
    assert stored["public"] == set()
    assert {"documents/guide.pdf", "original_images/photo.png"} <= stored["private"]
    assert len([n for n in stored["private"] if n.startswith("images/")]) == 4
    assert document.file.name == "restricted/documents/guide.pdf"
    assert all(r.file.name.startswith("restricted/") for r in image.renditions.all())
    assert client.get("/media/documents/guide.pdf").status_code == 404


def test_lifting_the_restriction_makes_files_public_again(files, media, client):
    files["restriction"].delete()
    document, image = files["document"], files["image"]
    document.refresh_from_db()
    image.refresh_from_db()
    assert document.file.url == "/media/documents/guide.pdf"
    assert client.get(document.file.url).getvalue() == PDF_BYTES
    rendition = image.get_rendition(RENDITION_SPEC)
    assert rendition.url == files["old_urls"]["rendition"]
    assert client.get(rendition.url).status_code == 200
    assert _stored(media)["private"] == set()


def test_a_file_moved_to_another_collection_moves_with_it(files, media, client):
    document, image = files["document"], files["image"]
    public = add_collection("Public")
    for item in (document, image):
        item.collection = public
        item.save()
    assert not document.file.name.startswith("restricted/")
    assert client.get(image.file.url).status_code == 200
    # ... and back into the members' collection: the public copy is gone at once.
    for item in (document, image):
        item.collection = files["collection"]
        item.save()
    assert client.get("/media/documents/guide.pdf").status_code == 404
    assert _stored(media)["public"] == set()
    assert image.get_rendition(RENDITION_SPEC).url.startswith("/pledges/files/images/")


def test_a_sub_collection_inherits_the_restriction(files, media):
    child = files["collection"].add_child(name="Guides")
    document = add_document(child, name="child.pdf")
    assert document.file.name == "restricted/documents/child.pdf"


def test_moving_a_collection_under_a_restricted_one_moves_its_files(files, media, client,
                                                                     django_capture_on_commit_callbacks):
    """Issue 9: a collection moved in the tree (as the admin's "parent" field does)
    takes its new ancestors' privacy, sub-collections included — and back."""
    public = add_collection("Public")
    inner = public.add_child(name="Inner")
    document = add_document(public, name="moved.pdf")
    nested = add_document(inner, name="nested.pdf")
    assert client.get("/media/documents/moved.pdf").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        public.move(files["collection"], "sorted-child")
    for item in (document, nested):
        item.refresh_from_db()
        assert item.file.name.startswith("restricted/documents/")
    assert client.get("/media/documents/moved.pdf").status_code == 404
    assert client.get("/media/documents/nested.pdf").status_code == 404
    root = files["collection"].get_parent()
    public.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        public.move(root, "sorted-child")
    document.refresh_from_db()
    assert document.file.name == "documents/moved.pdf"
    assert client.get("/media/documents/moved.pdf").status_code == 200


def test_sync_command_places_files_stored_before_the_package(files, media):
    # A site that installs the package with restricted files already in MEDIA_ROOT.
    from wagtail_pledges.files.placement import move_file

    move_file(files["document"], private=False)
    assert "documents/guide.pdf" in _stored(media)["public"]
    call_command("pledges_sync_files", verbosity=0)
    files["document"].refresh_from_db()
    assert files["document"].file.name == "restricted/documents/guide.pdf"
    assert _stored(media)["public"] == set()


def test_password_restriction_asks_for_the_password_not_the_file(db, media, client):
    collection = add_collection("Password")
    CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.PASSWORD,
        password="open-sesame",  # noqa: S106
    )
    document = add_document(collection)
    response = client.get(document.file.url)
    assert response.status_code == 200
    assert b"password" in response.content.lower()
    assert PDF_BYTES not in response.content
    assert "no-store" in response["Cache-Control"]


def test_editors_who_may_choose_images_see_restricted_thumbnails(files, client):
    editor = UserFactory(is_staff=True)
    editors = Group.objects.create(name="Image editors")
    GroupCollectionPermission.objects.create(
        group=editors, collection=files["collection"],
        permission=Permission.objects.get(codename="choose_image"),
    )
    client.force_login(editor)
    assert client.get(files["rendition"].url).status_code == 403
    editor.groups.add(editors)
    response = client.get(files["rendition"].url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files["bytes"]["rendition"]


def test_unknown_private_name_is_404(db, media, client):
    assert client.get("/pledges/files/documents/nothing.pdf").status_code == 404
    assert client.get("/pledges/files/../settings.py").status_code == 404


def test_admin_bulk_add_to_collection_moves_the_files(files, media, client, superuser):
    """Wagtail's bulk "Add to collection" uses QuerySet.update: no save signals."""
    from django.urls import reverse

    public = add_collection("Public")
    client.force_login(superuser)
    for app, model, item in (("wagtailimages", "image", files["image"]),
                             ("wagtaildocs", "document", files["document"])):
        url = reverse("wagtail_bulk_action", args=(app, model, "add_to_collection"))
        response = client.post(f"{url}?id={item.pk}", {"collection": public.pk})
        assert response.status_code == 302
        item.refresh_from_db()
        assert item.collection_id == public.pk
        assert not item.file.name.startswith("restricted/")
    assert _stored(media)["private"] == set()
    client.logout()
    assert client.get(files["old_urls"]["document"]).getvalue() == PDF_BYTES
