"""Where the individual and organisation journeys live: their pages' URLs, cached.

Journey page classes are found by their ``pledges_journey`` attribute (set by the
journey mixins), not by importing the mixins, so blocks and the call to action can use
this module without importing the page modules (which import the blocks).
"""

from __future__ import annotations

from wagtail.models import Page, Site, get_page_models

from .versioned_cache import page_cache

INDIVIDUAL = "individual"
ORGANISATION = "organisation"
JOURNEYS = (INDIVIDUAL, ORGANISATION)
# The published plans directory carries the same kind of marker.
DIRECTORY = "directory"

# Page URLs change only when pages are published, moved or unpublished; those bump the
# page cache's version (see signal_handlers), and entries expire after 5 minutes anyway.


def journey_page_models(journey: str) -> list[type[Page]]:
    """Concrete page classes that serve ``journey`` (``individual``, ``organisation``
    or ``directory``)."""
    return [model for model in get_page_models()
            if not model._meta.abstract and getattr(model, "pledges_journey", None) == journey]


def journey_page_urls(individual_page=None, organisation_page=None, request=None):
    """URLs of the individual and organisation journey pages.

    Each argument may be a page, a page id, or ``None`` (then the first live page built
    from the matching mixin is used). At most two queries.
    """
    cacheable = all(isinstance(v, int | None) for v in (individual_page, organisation_page))
    if cacheable:
        site = Site.find_for_request(request) if request is not None else None
        return page_cache.get(
            f"journey_urls:{getattr(site, 'pk', '')}:{individual_page}:{organisation_page}",
            lambda: _journey_page_urls(individual_page, organisation_page, request), request)
    return _journey_page_urls(individual_page, organisation_page, request)


def forget_journey_page_urls(**kwargs) -> None:
    """Make every cached journey URL stale (a page was published, moved or unpublished)."""
    page_cache.bump()


def _journey_page_urls(individual_page, organisation_page, request):
    wanted = {INDIVIDUAL: individual_page, ORGANISATION: organisation_page}
    ids = [value for value in wanted.values() if isinstance(value, int)]
    if ids:
        by_id = {page.pk: page for page in Page.objects.live().filter(pk__in=ids)}
        wanted = {k: by_id.get(v) if isinstance(v, int) else v for k, v in wanted.items()}
    if None in wanted.values():
        models = {journey: tuple(journey_page_models(journey)) for journey in JOURNEYS}
        every = [model for journey_models in models.values() for model in journey_models]
        if every:
            for page in Page.objects.live().type(*every).order_by("path"):
                for key, journey_models in models.items():
                    if wanted[key] is None and issubclass(page.specific_class, journey_models):
                        wanted[key] = page
    return tuple(
        (wanted[key].get_url(request) or "") if wanted[key] is not None else ""
        for key in JOURNEYS
    )


def directory_page() -> Page | None:
    """The first live published-plans directory page (in tree order), or ``None``."""
    models = journey_page_models(DIRECTORY)
    return Page.objects.live().type(*models).order_by("path").first() if models else None
