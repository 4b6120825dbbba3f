from django.utils.functional import SimpleLazyObject
from wagtail.models import Site


def site_nav(request):
    """The site root's live children marked "show in menus", read only if a template asks."""

    def pages():
        site = Site.find_for_request(request)
        if site is None:
            return []
        return list(site.root_page.get_children().live().public().in_menu().order_by("path"))

    return {"site_nav": SimpleLazyObject(pages)}
