"""The FORUM setting: its check, the dashboard section and the ForumBlock."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from tests import factories
from wagtail_pledges import lifecycle
from wagtail_pledges.blocks import ForumBlock, MembershipBodyBlock
from wagtail_pledges.checks import check_settings
from wagtail_pledges.models import OrganisationRole

OPEN = {"STATUS": "open", "NOTE": "Say hello in the introductions thread.",
        "URL": "https://forum.example.org/invite/s3cret"}
SOON = {"STATUS": "coming_soon", "NOTE": "Our forum opens in summer 2020.", "URL": ""}


def ids(value, settings):
    settings.WAGTAIL_PLEDGES = {"FORUM": value}
    return [e.id for e in check_settings()]


@pytest.mark.parametrize("value", [
    SOON, OPEN, {"STATUS": "coming_soon"}, {"STATUS": "open", "URL": "http://f.example"}, {},
])
def test_valid_forum_settings_pass(settings, value):
    assert ids(value, settings) == []


@pytest.mark.parametrize("value", [
    "coming soon",
    {"STATUS": "later"},
    {"STATUS": "open"},
    {"STATUS": "open", "URL": "javascript:alert(1)"},
    {"STATUS": "open", "URL": "not a url"},
    {"STATUS": "coming_soon", "NOTE": 3},
    {"STATUS": "open", "URL": "https://f.example", "LINK": "x"},
])
def test_bad_forum_settings_are_e015(settings, value):
    assert ids(value, settings) == ["wagtail_pledges.E015"]


def render_block(user, **value):
    block = ForumBlock()
    request = RequestFactory().get("/")
    request.user = user
    return block.render(block.to_python({"heading": "Forum", **value}),
                        context={"request": request, "user": user})


@pytest.mark.django_db
class TestForumForEachVisitor:
    def test_member_sees_the_note_while_coming_soon(self, settings):
        settings.WAGTAIL_PLEDGES = {"FORUM": SOON}
        html = render_block(factories.active_individual().user)
        assert "Our forum opens in summer 2020." in html
        assert "Join" not in html

    def test_member_gets_the_link_once_open(self, settings):
        settings.WAGTAIL_PLEDGES = {"FORUM": OPEN}
        html = render_block(factories.active_individual().user)
        assert 'href="https://forum.example.org/invite/s3cret"' in html
        assert "Say hello" in html

    def test_default_note_when_none_is_set(self):
        html = render_block(factories.active_individual().user)
        assert "coming soon" in html

    @pytest.mark.parametrize("who", ["anonymous", "non_member", "lapsed_org_staff"])
    def test_others_see_the_call_to_join_never_the_url(self, settings, who):
        settings.WAGTAIL_PLEDGES = {"FORUM": OPEN}
        if who == "anonymous":
            user = AnonymousUser()
        elif who == "non_member":
            user = factories.UserFactory(verified=True)
        else:
            plan = factories.approved_plan()
            user = factories.UserFactory(verified=True)
            OrganisationRole.objects.create(organisation=plan.organisation, user=user,
                                            role="staff")
            lifecycle.lapse(plan.organisation.membership)
        html = render_block(user)
        assert "s3cret" not in html and "Say hello" not in html
        assert "pledges-cta--" in html

    def test_organisation_staff_are_members_of_the_forum(self, settings):
        settings.WAGTAIL_PLEDGES = {"FORUM": OPEN}
        plan = factories.approved_plan()
        staff = factories.UserFactory(verified=True)
        OrganisationRole.objects.create(organisation=plan.organisation, user=staff, role="staff")
        assert "s3cret" in render_block(staff)


def test_forum_block_is_offered_on_membership_pages():
    assert isinstance(MembershipBodyBlock().child_blocks["forum"], ForumBlock)


@pytest.mark.django_db
def test_dashboard_forum_section_for_members_and_others(client, settings):
    settings.WAGTAIL_PLEDGES = {"FORUM": OPEN}
    member = factories.active_individual().user
    client.force_login(member)
    body = client.get("/pledges/").content.decode()
    assert 'id="dash-forum"' in body and "forum.example.org/invite/s3cret" in body
    other = factories.UserFactory(verified=True)
    client.force_login(other)
    body = client.get("/pledges/").content.decode()
    assert 'id="dash-forum"' in body and "s3cret" not in body
    assert "Members talk and share practice" in body
    settings.WAGTAIL_PLEDGES = {"FORUM": SOON}
    client.force_login(member)
    assert "Our forum opens in summer 2020." in client.get("/pledges/").content.decode()
