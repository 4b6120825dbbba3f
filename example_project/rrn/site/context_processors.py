from django.utils.functional import SimpleLazyObject
from wagtail.models import Site

from wagtail_pledges.visibility import menu_pages


def site_nav(request):
    """The site root's live in-menu children the viewer may see, read only if a template asks."""

    def pages():
        site = Site.find_for_request(request)
        if site is None:
            return []
        return list(menu_pages(site.root_page, request))

    return {"site_nav": SimpleLazyObject(pages)}
