"""Wagtail's page routing and view-restriction check, answered from the page cache.

Optional: add ``"wagtail_pledges.middleware.CachedRouteMiddleware"`` to ``MIDDLEWARE``
(after ``CachedSiteMiddleware``). On every page view Wagtail finds the page with two
queries per level of its URL (``/membership/``: the root page, the child with that
slug, the child's own fields) and then reads its view restrictions with two more (the
page's ancestors, then their restrictions). The middleware walks the same tree from
:data:`~wagtail_pledges.versioned_cache.page_cache` instead, and puts the result where
Wagtail keeps a request's route (``request._wagtail_route_for_request``), so
``wagtail.views.serve`` and everything after it see exactly the page Wagtail would
have found — a new object for each request, built from cached field values.

What it keeps, one entry per page at most (a URL that finds no page is never cached,
so a visitor cannot fill the cache with made-up addresses):

* a page's own field values (``page:<id>``), for page types whose fields hold plain
  values (text, numbers, dates, stream fields); a page type with any other kind of
  field is read from the database as before;
* a page's child by slug (``child:<id>:<slug>``);
* the view restrictions that apply to a page (``restrictions:<id>``), handed to
  Wagtail's own check as the query set it asks for, already evaluated.

The walk follows Wagtail's ``Page.route`` only where a page type keeps it: a page type
that overrides ``route`` (``RoutablePageMixin``, the package's journeys) is asked
itself, with the rest of the path, as Wagtail would ask it. Every page, site and view
restriction change bumps the page cache's version, so a published, moved, unpublished
or newly private page is routed and checked afresh on the next request in every
process. Sites with ``WAGTAIL_I18N_ENABLED`` are routed by Wagtail as before (their
root page depends on the active language).
"""

from __future__ import annotations

import datetime
import decimal
import functools
import hashlib
import json
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import router
from django.db.models import signals
from django.http import Http404
from wagtail.fields import StreamField
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.url_routing import RouteResult

from .versioned_cache import field_names, field_values, page_cache

# Values a process may share between requests: immutable, so one cached tuple serves all.
_PLAIN = (str, int, float, bool, type(None), datetime.datetime, datetime.date,
          datetime.time, datetime.timedelta, decimal.Decimal, uuid.UUID)
_UNCACHEABLE = ()  # a page whose fields cannot be kept: read it from the database


def _page_entry(page) -> tuple:
    """``(content type id, values)`` of ``page``'s specific fields, or ``()``."""
    values = []
    for field in type(page)._meta.concrete_fields:
        value = field.value_from_object(page)
        if isinstance(field, StreamField):
            value = json.dumps(field.get_prep_value(value), cls=DjangoJSONEncoder)
        elif not isinstance(value, _PLAIN):
            return _UNCACHEABLE
        values.append(value)
    return (page.content_type_id, tuple(values))


def _from_entry(entry: tuple, db: str):
    """A new page object from a cached entry: a copy of one built once per process for
    that entry, its stream fields parsed again from their stored text (as
    ``Model.from_db`` would), so no request sees another's objects."""
    built = _built_page(entry, db)
    if built is None:
        return None
    template, streams = built
    model = type(template)
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        # Receivers expect every object to be constructed: built as Django builds it.
        return model.from_db(db, field_names(model), entry[1])
    page = model.__new__(model)
    # Django's own copy of an instance's state (what pickling takes): its own
    # ``__dict__``, ``_state`` and fields cache.
    page.__dict__.update(template.__getstate__())
    for name, text in streams:
        setattr(page, name, text)  # the field's descriptor makes a new StreamValue
    return page


@functools.lru_cache(maxsize=256)
def _built_page(entry: tuple, db: str):
    """``(page, stream fields)`` for a cached entry, built once per process: the page
    is never handed out, only copied. Entries of one version are equal tuples, so a
    new version's entry (a page edited) builds afresh; a page type whose code is gone
    gives ``None``. Stream fields are ``(name, stored text)``."""
    model = ContentType.objects.get_for_id(entry[0]).model_class()
    if model is None:  # a page type whose code is gone
        return None
    streams = tuple((field.attname, value) for field, value
                    in zip(model._meta.concrete_fields, entry[1], strict=True)
                    if isinstance(field, StreamField))
    return model.from_db(db, field_names(model), entry[1]), streams


def cached_page(page_id: int, request=None, model=None):
    """A new specific page object for ``page_id`` (``None`` if there is no such page).
    ``model``: the page type the caller expects, read in one query on a cache miss
    (any page type is found, in two)."""

    def read():
        if model is not None:
            page = model.objects.filter(pk=page_id).first()
            if page is not None and page.specific_class is model:
                return _page_entry(page)
        page = Page.objects.filter(pk=page_id).first()
        if page is None:  # raised, not returned: nothing is cached for it
            raise Http404
        return _page_entry(page.specific)

    try:
        entry = page_cache.get(f"page:{page_id}", read, request)
    except Http404:
        return None
    if entry == _UNCACHEABLE:
        return Page.objects.get(pk=page_id).specific
    return _from_entry(entry, router.db_for_read(Page))


def _child(parent, slug: str, request):
    """``parent``'s child with ``slug`` (a new specific object), or raise Http404."""

    def read():
        found = parent.get_children().filter(slug=slug).values_list("pk", flat=True).first()
        if found is None:  # raised, not returned: a made-up slug makes no entry
            raise Http404
        return found

    # A slug (up to 255 characters) is hashed when long: memcached takes 250 at most.
    part = slug if len(slug) <= 100 else "#" + hashlib.sha256(slug.encode()).hexdigest()
    child = cached_page(page_cache.get(f"child:{parent.pk}:{part}", read, request), request)
    if child is None:
        raise Http404
    return child


def _default_route(page) -> bool:
    return type(page).route is Page.route


def route(request, site, path: str):
    """What ``Page.route_for_request`` returns for ``path`` on ``site``."""
    components = [component for component in path.split("/") if component]
    page = cached_page(site.root_page_id, request)
    if page is None:
        raise Http404
    while components:
        if not _default_route(page):
            return page.route(request, components)
        child = _child(page, components[0], request)
        child._cached_parent_obj = page  # as Wagtail's route does: get_parent() is free
        page, components = child, components[1:]
    if not _default_route(page):
        return page.route(request, components)
    if not page.live:
        raise Http404
    return RouteResult(page)


def view_restrictions(page_id: int, request=None):
    """``get_view_restrictions()`` of page ``page_id``, evaluated from the cache.

    The query set Wagtail builds, with its results already in place: iterating it (as
    Wagtail's check does) runs no query, and anything that refines it (``order_by``,
    ``filter``) asks the database as before.
    """
    def read():
        ids = set()

        def add(page):  # Wagtail's rule: an alias is restricted as its source page is
            if page.alias_of_id:
                add(page.alias_of)
            else:
                ids.add(page.pk)

        page = Page.objects.filter(pk=page_id).first()
        if page is None:  # deleted since it was routed: its own restrictions, if any
            ids.add(page_id)
        else:
            for each in (page, *page.get_ancestors().only("alias_of")):
                add(each)
        rows = PageViewRestriction.objects.filter(page_id__in=ids)
        return tuple(sorted(ids)), tuple(field_values(row) for row in rows)

    ids, rows = page_cache.get(f"restrictions:{page_id}", read, request)
    queryset = _restrictions_of(ids)._chain()  # a copy: built once per set of pages
    names = field_names(PageViewRestriction)
    queryset._result_cache = [PageViewRestriction.from_db(queryset.db, names, row)
                              for row in rows]
    queryset._prefetch_done = True
    return queryset


@functools.lru_cache(maxsize=1024)
def _restrictions_of(ids: tuple[int, ...]):
    """``PageViewRestriction.objects.filter(page_id__in=ids)``, built once per process
    and set of pages (building the filter cost more than the rest of a cached check);
    never evaluated itself, only copied."""
    return PageViewRestriction.objects.filter(page_id__in=ids)


class _CachedRestrictions:
    """Stands in for a routed page's ``get_view_restrictions`` during its request; a
    page pickled meanwhile (a site caching it) takes a plain, picklable stand-in."""

    def __init__(self, page_id: int, request):
        self.page_id, self.request = page_id, request

    def __call__(self):
        return view_restrictions(self.page_id, self.request)

    def __reduce__(self):
        return functools.partial, (view_restrictions, self.page_id)


def route_from_cache(request, path: str) -> None:
    """Put the route for ``path`` on ``request`` where Wagtail looks for it."""
    if hasattr(request, "_wagtail_route_for_request"):
        return
    if getattr(settings, "WAGTAIL_I18N_ENABLED", False) or page_cache.version(request) is None:
        return  # Wagtail's own routing: per-language roots, or no shared cache
    site = Site.find_for_request(request)
    if site is None:
        request._wagtail_route_for_request = None
        return
    try:
        result = route(request, site, path)
    except Http404:
        result = None
    page = result[0] if result is not None else None
    if page is not None and type(page).get_view_restrictions is Page.get_view_restrictions:
        # Wagtail's view-restriction check (its on_serve_page hook) asks the page.
        page.get_view_restrictions = _CachedRestrictions(page.pk, request)
    request._wagtail_route_for_request = result
