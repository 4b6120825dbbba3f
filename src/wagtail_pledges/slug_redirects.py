"""Old organisation addresses keep working after a rename: a permanent redirect."""

from __future__ import annotations

from django.http import HttpResponsePermanentRedirect

from .models import organisation_for_slug


def redirect_old_organisation_slug(page, request, slug: str, route: str = "plan"):
    """A 301 to ``route`` with the organisation's current slug, if ``slug`` is an old one.

    ``page`` is a routable page with a ``route`` sub-route taking ``slug``. ``None``
    when ``slug`` is current or unknown (the caller answers as usual).
    """
    organisation, is_current = organisation_for_slug(slug)
    if organisation is None or is_current:
        return None
    return HttpResponsePermanentRedirect(
        page.get_url(request) + page.reverse_subpage(route, kwargs={"slug": organisation.slug})
    )
