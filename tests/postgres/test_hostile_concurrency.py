"""Issue 10 on real PostgreSQL: identical POSTs at the same moment make one record and
queue one email of each kind."""

import datetime
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.utils import timezone
from wagtail.models import Page, Site

from tests import factories
from wagtail_pledges.models import (
    ActionToken,
    OutboxMessage,
    Pledge,
    ProgressUpdate,
    VideoProgress,
)
from wagtail_pledges.pages.models import IndividualPledgePage

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
WORKERS = 8


def at_once(user, method, *args, **kwargs):
    """The same request from WORKERS threads released together; their status codes."""
    barrier = threading.Barrier(WORKERS)

    def one(_n):
        client = Client()
        client.force_login(user)
        try:
            barrier.wait(timeout=30)
            return getattr(client, method)(*args, **kwargs).status_code
        finally:
            close_old_connections()
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(one, range(WORKERS)))


def tree_root():
    """The page tree's root. transaction=True tests flush the database, the root page
    and the default locale (made by Wagtail's migrations) included: make them again."""
    from django.conf import settings as django_settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale

    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(django_settings.LANGUAGE_CODE))
    return Page.get_first_root_node() or Page.add_root(instance=Page(title="Root",
                                                                     slug="root"))


@pytest.fixture
def pledge_page(settings):
    settings.RATELIMIT_ENABLE = False
    root = tree_root()
    video = {"title": "V", "video_url": "https://cdn.example.org/v.mp4", "document": None,
             "captions": None, "transcript": "", "duration": 60}
    page = root.add_child(instance=IndividualPledgePage(
        title="Pledge", slug="pledge-pg", videos=[("video", video), ("video", dict(video,
                                                  video_url="https://cdn.example.org/w.mp4"))]))
    Site.objects.update_or_create(is_default_site=True, defaults={
        "hostname": "localhost", "root_page": page, "port": 80, "site_name": "Test"})
    return page


def test_the_action_form_submitted_at_once_sends_one_email_of_each_kind(pledge_page):
    user = factories.UserFactory()  # not yet verified: "received" + a confirmation link
    pledge = factories.draft_pledge(user)
    now = timezone.now()
    for video in pledge_page.video_blocks:
        VideoProgress.objects.create(
            user=user, video_key=video.video_key, duration=60, watched=[[0, 60]], position=60,
            first_report_at=now, last_report_at=now, completed_at=now)
    data = {"action": "Debrief after every incident", "strategy": factories.strategy().pk,
            "target_date": (timezone.localdate() + datetime.timedelta(days=60)).isoformat()}
    codes = at_once(user, "post", "/commit/", data)
    assert set(codes) <= {302, 400}, codes
    assert Pledge.objects.filter(user=user).count() == 1
    pledge.refresh_from_db()
    assert pledge.review_status == "submitted"
    assert sorted(OutboxMessage.objects.values_list("template", flat=True)) == [
        "confirm_email", "pledge_received"]
    live = ActionToken.objects.filter(purpose="verify_email", user=user, used_at__isnull=True,
                                      expires_at__gt=timezone.now())
    assert live.count() == 1


def test_a_progress_update_posted_at_once_is_stored_once(settings):
    settings.RATELIMIT_ENABLE = False
    pledge = factories.active_individual()
    data = {"pledge-update-once": uuid.uuid4().hex, "pledge-update-body": "Two debriefs"}
    codes = at_once(pledge.user, "post", f"/pledges/updates/pledge/{pledge.pk}/", data)
    assert set(codes) == {302}, codes
    assert ProgressUpdate.objects.filter(pledge=pledge).count() == 1


def test_invitations_sent_at_once_leave_one_live_link(settings):
    settings.RATELIMIT_ENABLE = False
    plan = factories.approved_plan()
    org = plan.organisation_id
    codes = at_once(plan.created_by, "post", f"/pledges/organisations/{org}/invite/",
                    {f"invite-{org}-email": "new@example.org", f"invite-{org}-role": "staff"})
    assert set(codes) == {302}, codes
    live = ActionToken.objects.filter(purpose="staff_invite", used_at__isnull=True,
                                      expires_at__gt=timezone.now())
    assert live.count() == 1


def test_a_plan_signed_off_at_once_is_submitted_once(settings):
    from wagtail_pledges.models import LifecycleEvent
    from wagtail_pledges.pages.models import OrganisationPledgePage

    settings.RATELIMIT_ENABLE = False
    page = tree_root().add_child(instance=OrganisationPledgePage(title="Orgs", slug="orgs-pg"))
    Site.objects.update_or_create(is_default_site=True, defaults={
        "hostname": "localhost", "root_page": page, "port": 80, "site_name": "Test"})
    plan = factories.complete_plan(factories.draft_plan())
    codes = at_once(plan.created_by, "post", f"/plan/{plan.pk}/sign-off/", {
        "signoff_name": "Dr Jo Bloggs", "signoff_role": "CEO", "signoff_confirmed": "on"})
    assert set(codes) == {302}, codes
    plan.refresh_from_db()
    assert plan.review_status == "submitted"
    assert LifecycleEvent.objects.filter(action="submit").count() == 1
    assert OutboxMessage.objects.filter(template="plan_submitted").count() == 1
