"""The opt-in wagtail-modeladmin admin (run with --ds=tests.settings_modeladmin)."""

import pytest
from django.core.checks import run_checks
from django.test import override_settings
from django.urls import reverse

from tests import factories
from wagtail_pledges.models import ActionPlan, Membership, ReviewStatus, Status

pytestmark = pytest.mark.django_db


def test_replaces_the_default_viewsets(client, reviewer):
    assert not hasattr(ActionPlan, "snippet_viewset")
    client.force_login(reviewer)
    html = client.get("/admin/").content.decode()
    assert html.count('"Membership"') <= 1
    assert "Membership reports" in html


def test_listings_and_export(client, reviewer, superuser):
    plan = factories.submitted_plan()
    client.force_login(reviewer)
    url = "/admin/wagtail_pledges/actionplan/"
    response = client.get(url)
    assert response.status_code == 200
    assert plan.organisation.name in response.content.decode()
    response = client.get(url + "?export=csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode() if response.streaming else \
        response.content.decode()
    assert plan.organisation.name in body
    # Lifecycle-owned rows are not created by hand, even by a superuser.
    client.force_login(superuser)
    assert client.get("/admin/wagtail_pledges/membership/create/").status_code in (302, 403)


def test_review_views_work_without_snippets(client, reviewer):
    plan = factories.submitted_plan()
    client.force_login(reviewer)
    response = client.post(reverse("wagtail_pledges_admin:approve", args=["plan", plan.pk]))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.review_status == ReviewStatus.APPROVED and plan.live
    assert Membership.objects.get(pk=plan.membership_id).status == Status.ACTIVE


def test_editor_cannot_see_memberships(client, db):
    from django.contrib.auth.models import Permission

    editor = factories.UserFactory(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    assert client.get("/admin/wagtail_pledges/membership/").status_code in (302, 403)


def test_half_done_switch_warns():
    from wagtail_pledges.contrib.modeladmin.checks import check_modeladmin_installed

    assert not [m for m in run_checks() if m.id == "wagtail_pledges.W001"]
    with override_settings(INSTALLED_APPS=["wagtail_pledges.contrib.modeladmin"]):
        assert [m.id for m in check_modeladmin_installed()] == ["wagtail_pledges.W001"]
