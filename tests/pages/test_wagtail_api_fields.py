"""Our page types in Wagtail's API v2: their fields, and members-only content kept
for members."""

import pytest
from django.test import Client
from wagtail.models import Page

from tests import factories
from wagtail_pledges.blocks import MembersOnlyBlock

pytestmark = pytest.mark.django_db
PAGES = "/api/v2/pages/"


def members_only_blocks(body):
    return [block["value"] for block in body if block["type"] == "members_only"]


def fetch(client, page, fields):
    listing = client.get(PAGES, {"type": "wagtail_pledges_pages.ResourcePage",
                                 "fields": fields})
    assert listing.status_code == 200, listing.content
    [item] = listing.json()["items"]
    detail = client.get(f"{PAGES}{page.pk}/")
    assert detail.status_code == 200
    return item, detail.json()


@pytest.mark.parametrize("fields", ["summary,body", "*"])
def test_a_visitor_gets_the_teaser_not_the_members_only_content(client, resources, fields):
    _index, page = resources
    for data in fetch(client, page, fields):
        assert data["summary"] == "How to debrief."
        assert data["body"][0]["value"] == "<p>Open to all.</p>"
        [block] = members_only_blocks(data["body"])
        assert block == {"teaser": "<p>A teaser.</p>", "content": None,
                         "members_only": False}
        assert "Secret sauce" not in str(data)


@pytest.mark.parametrize("who", ["lapsed", "draft"])
def test_a_signed_in_non_member_gets_the_teaser_too(resources, who):
    _index, page = resources
    user = factories.draft_pledge().user if who == "draft" else factories.UserFactory()
    client = Client()
    client.force_login(user)
    for data in fetch(client, page, "body"):
        assert "Secret sauce" not in str(data)


def test_a_member_gets_the_content_and_the_answer_is_private(resources):
    _index, page = resources
    client = Client()
    client.force_login(factories.active_individual().user)
    item, detail = fetch(client, page, "body")
    for data in (item, detail):
        [block] = members_only_blocks(data["body"])
        assert block["members_only"] is True and block["teaser"] is None
        assert block["content"][0]["value"] == "<p>Secret sauce.</p>"
    response = client.get(f"{PAGES}{page.pk}/")
    assert "private" in response["Cache-Control"] and "Cookie" in response["Vary"]


def test_journey_and_membership_pages_declare_their_fields(client, membership_page,
                                                           individual_page, plans_page):
    data = client.get(f"{PAGES}{membership_page.pk}/").json()
    assert data["intro"] == "<p>Two kinds.</p>" and data["show_counts"] is True
    assert "body" in data and "individual_summary" in data
    data = client.get(f"{PAGES}{individual_page.pk}/").json()
    assert [v["value"]["title"] for v in data["videos"]] == ["Video 1", "Video 2"]
    assert data["done_text"] == "<p>Tell your colleagues.</p>"
    assert "intro" in client.get(f"{PAGES}{plans_page.pk}/").json()


def test_the_block_itself_is_safe_in_a_sites_own_api_fields(rf, resources):
    """A site listing a StreamField with this block gets the same rule without our
    page types: the block decides, not the API view."""
    _index, page = resources
    page = Page.objects.get(pk=page.pk).specific
    value = next(child.value for child in page.body if child.block_type == "members_only")
    request = rf.get("/")
    request.user = factories.UserFactory()
    data = MembersOnlyBlock().get_api_representation(value, {"request": request})
    assert data["content"] is None and data["teaser"] == "<p>A teaser.</p>"
    assert MembersOnlyBlock().get_api_representation(value, {})["content"] is None
