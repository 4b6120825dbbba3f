from django.conf import settings
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps import Sitemap
from wagtail.documents import urls as wagtaildocs_urls

from rrn.site.views import search

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("pledges/", include("wagtail_pledges.urls")),
    path("api/pledges/", include("wagtail_pledges.api.urls")),
    path("search/", search, name="search"),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": Sitemap}}),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    # MEDIA_ROOT only: members-only files live in "private-media" beside it and are
    # served by /pledges/files/… after the policy check, in DEBUG or not.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
