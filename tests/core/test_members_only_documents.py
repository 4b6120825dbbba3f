"""A document in members-only content must live in a restricted collection."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction

from wagtail_pledges.blocks import MembersOnlyBlock


@pytest.fixture
def collections(db):
    root = Collection.get_first_root_node()
    restricted = root.add_child(name="Members files")
    CollectionViewRestriction.objects.create(
        collection=restricted, restriction_type=CollectionViewRestriction.LOGIN)
    return {"open": root.add_child(name="Public files"), "restricted": restricted,
            "nested": restricted.add_child(name="Members files / 2020")}


def _value(document):
    block = MembersOnlyBlock()
    return block, block.to_python({"teaser": "<p>Join us.</p>", "content": [
        {"type": "paragraph", "value": "<p>Hello</p>"},
        {"type": "document", "value": document.pk},
    ]})


def _document(collection):
    return get_document_model().objects.create(title="Handout", collection=collection,
                                               file=ContentFile(b"%PDF-1.4", name="handout.pdf"))


def test_document_in_an_open_collection_is_refused_with_a_clear_error(collections):
    block, value = _value(_document(collections["open"]))
    with pytest.raises(ValidationError) as caught:
        block.clean(value)
    message = str(caught.value.block_errors["content"].block_errors[1])
    assert "“Handout”" in message and "“Public files”" in message
    assert "restricted to members" in message


@pytest.mark.parametrize("where", ["restricted", "nested"])
def test_document_in_a_restricted_collection_or_below_is_accepted(collections, where):
    block, value = _value(_document(collections[where]))
    assert block.clean(value)["content"][1].value.title == "Handout"
