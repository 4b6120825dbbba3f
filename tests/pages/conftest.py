import datetime

import pytest
from django.utils import timezone
from wagtail.models import Page, Site

from tests.testsite.models import PlainPage
from wagtail_pledges.models import VideoProgress
from wagtail_pledges.pages.models import (
    IndividualPledgePage,
    MembershipPage,
    OrganisationPledgePage,
    PlansIndexPage,
    ResourceIndexPage,
    ResourcePage,
)


def _video(n):
    return ("video", {"title": f"Video {n}", "video_url": f"https://cdn.example.org/v{n}.mp4",
                      "document": None, "captions": None, "transcript": "",
                      "duration": 60})


@pytest.fixture
def home(db):
    root = Page.objects.get(depth=1)
    home = root.add_child(instance=PlainPage(title="Home", slug="home-test"))
    Site.objects.update_or_create(is_default_site=True, defaults={
        "hostname": "localhost", "root_page": home, "port": 80, "site_name": "Test"})
    return home


@pytest.fixture
def plain_page(home):
    return home.add_child(instance=PlainPage(title="About", slug="about", body="<p>Hi</p>"))


@pytest.fixture
def individual_page(home):
    return home.add_child(instance=IndividualPledgePage(
        title="Individual pledge", slug="pledge", intro="<p>Watch two videos.</p>",
        videos=[_video(1), _video(2)], done_text="<p>Tell your colleagues.</p>",
    ))


@pytest.fixture
def organisation_page(home):
    return home.add_child(instance=OrganisationPledgePage(
        title="Organisation pledge", slug="organisations", done_text="<p>We will be in touch.</p>",
    ))


@pytest.fixture
def membership_page(home, individual_page, organisation_page):
    return home.add_child(instance=MembershipPage(
        title="Membership", slug="membership", intro="<p>Two kinds.</p>",
        individual_pledge_page=individual_page, organisation_pledge_page=organisation_page,
    ))


@pytest.fixture
def plans_page(home):
    return home.add_child(instance=PlansIndexPage(title="Action plans", slug="plans"))


@pytest.fixture
def resources(home):
    index = home.add_child(instance=ResourceIndexPage(title="Resources", slug="resources"))
    page = index.add_child(instance=ResourcePage(
        title="Debrief guide", slug="debrief", summary="How to debrief.",
        body=[("paragraph", "<p>Open to all.</p>"),
              ("members_only", {"teaser": "<p>A teaser.</p>",
                                "content": [("paragraph", "<p>Secret sauce.</p>")]})],
    ))
    return index, page


def watch(user, page, count=None):
    """Mark the page's videos as watched by ``user`` (as the server would record)."""
    now = timezone.now()
    for video in page.video_blocks[:count]:
        VideoProgress.objects.update_or_create(
            user=user, video_key=video.video_key,
            defaults={"duration": 60, "watched": [[0, 60]], "position": 60,
                      "first_report_at": now - datetime.timedelta(minutes=2),
                      "last_report_at": now, "completed_at": now},
        )
