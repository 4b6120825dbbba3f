"""The test site plus a public ``/media/`` route, as the example project mounts in
DEBUG (and a web server's /media/ location): whatever is under MEDIA_ROOT."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve as static_serve

from tests.urls import urlpatterns as site_urlpatterns


def _media(request, path):
    # MEDIA_ROOT is read per request: each test has its own.
    return static_serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [re_path(r"^media/(?P<path>.*)$", _media), *site_urlpatterns]
