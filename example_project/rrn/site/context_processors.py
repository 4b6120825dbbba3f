"""What the example's base template shows on every page: the menu and the footer's
contact details, both from the page cache (no query on a warm cache)."""

from django.utils.functional import SimpleLazyObject
from wagtail.models import Site

from wagtail_pledges.versioned_cache import page_cache
from wagtail_pledges.visibility import menu_items


def site_nav(request):
    """The site root's live in-menu children the viewer may see, read only if a template
    asks (cached per site; see ``wagtail_pledges.visibility.menu_items``)."""

    def pages():
        site = Site.find_for_request(request)
        if site is None:
            return []
        return menu_items(site.root_page, request)

    return {"site_nav": SimpleLazyObject(pages)}


def site_contact(request):
    """The request's site's ``ContactSettings`` as ``{"phone", "email"}``, cached per site
    (rrn.site.apps makes the page cache stale when they are saved)."""

    def contact():
        from .models import ContactSettings

        site = Site.find_for_request(request)
        if site is None:
            return {}

        def read():
            found = ContactSettings.objects.filter(site=site).values_list(
                "phone", "email").first()
            return tuple(found or ("", ""))

        phone, email = page_cache.get(f"rrn_contact:{site.pk}", read, request)
        return {"phone": phone, "email": email}

    return {"site_contact": SimpleLazyObject(contact)}
