"""Emailed links point at the site's own address, not a hard-coded host (issue 14)."""

import pytest
from django.core.checks import run_checks
from django.http import HttpResponse
from django.test import RequestFactory
from wagtail.models import Site

from wagtail_pledges import notify
from wagtail_pledges.middleware import RequestBaseURLMiddleware

pytestmark = pytest.mark.django_db


def test_base_url_setting_wins(settings):
    settings.WAGTAIL_PLEDGES = {"BASE_URL": "https://members.example.org/"}
    assert notify.url("dashboard") == "https://members.example.org/pledges/"


def test_wagtailadmin_base_url_next(settings):
    settings.WAGTAILADMIN_BASE_URL = "https://admin.example.org"
    assert notify.absolute_url("/x/") == "https://admin.example.org/x/"


def test_request_address_when_nothing_is_configured(settings):
    settings.WAGTAILADMIN_BASE_URL = None
    settings.ALLOWED_HOSTS = ["demo.local"]
    seen = {}

    def view(request):
        seen["url"] = notify.absolute_url("/pledges/")
        return HttpResponse()

    request = RequestFactory().get("/", HTTP_HOST="demo.local:8123")
    RequestBaseURLMiddleware(view)(request)
    assert seen["url"] == "http://demo.local:8123/pledges/"
    # Outside the request, the address is forgotten.
    Site.objects.filter(is_default_site=True).update(hostname="site.example", port=443)
    assert notify.absolute_url("/pledges/") == "https://site.example/pledges/"


def test_configured_base_url_beats_the_host_header(settings):
    settings.WAGTAILADMIN_BASE_URL = "https://real.example.org"
    settings.ALLOWED_HOSTS = ["*"]
    seen = {}

    def view(request):
        seen["url"] = notify.absolute_url("/a/")
        return HttpResponse()

    RequestBaseURLMiddleware(view)(RequestFactory().get("/", HTTP_HOST="evil.example"))
    assert seen["url"] == "https://real.example.org/a/"


@pytest.mark.parametrize("value", ["example.org", "https://example.org/path", 42])
def test_bad_base_url_is_a_check_error(settings, value):
    settings.WAGTAIL_PLEDGES = {"BASE_URL": value}
    assert "wagtail_pledges.E017" in [e.id for e in run_checks()]
