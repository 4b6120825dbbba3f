"""What the example's base template shows on every page: the menu and the footer's
contact details, both from the cache (no query on a warm cache)."""

from django.utils.functional import SimpleLazyObject
from wagtail.models import Site

from wagtail_pledges.versioned_cache import VersionedCache
from wagtail_pledges.visibility import menu_items

# Bumped when the contact settings are saved (rrn.site.apps).
contact_cache = VersionedCache("rrn_contact", timeout=3600)


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
    """The request's site's ``ContactSettings`` as ``{"phone", "email"}``, cached per site."""

    def contact():
        from .models import ContactSettings

        site = Site.find_for_request(request)
        if site is None:
            return {}

        def read():
            found = ContactSettings.objects.filter(site=site).values("phone", "email").first()
            return found or {"phone": "", "email": ""}

        return contact_cache.get(str(site.pk), read)

    return {"site_contact": SimpleLazyObject(contact)}
