"""Taxonomy terms from the page cache: the strategies, practices, sectors and locations
a member picks by id (the commit step's form) or by slug (the API) are a handful of
rows, read on every submission. They are kept in
:data:`~wagtail_pledges.versioned_cache.page_cache` (as field values; each caller gets
new objects), made stale whenever a term is saved or deleted (``signal_handlers``), so
a warm submission finds its strategy with no query — and, during a request served
through ``CachedSiteMiddleware``, with no cache round trip either (the page cache's
version is read once per request).

Only the models in :data:`TERM_MODELS` are kept, and only their whole table (a field
whose queryset is narrowed is read as Django reads it); another model's terms are read
by a query compiled once per connection. A term written without a signal
(``QuerySet.update``, raw SQL, a data migration) is seen once the page cache's entries
expire (five minutes), or at once after ``page_cache.bump()``.
"""

from __future__ import annotations

from contextvars import ContextVar

from .models import Location, RestrictivePractice, Sector, Strategy
from .prepared import PreparedFamily
from .versioned_cache import field_names, field_values, page_cache

#: The taxonomies kept in the page cache (``signal_handlers`` bumps it when one changes).
TERM_MODELS = (Strategy, RestrictivePractice, Sector, Location)

#: The request being served, set by ``CachedSiteMiddleware``: the page cache's version
#: is then the one read once for it, not read again per lookup.
current_request: ContextVar = ContextVar("wagtail_pledges_current_request", default=None)

# ``pk > 0``: every row (keys are positive), with a key for prepared.py to stand in for.
_all_rows = PreparedFamily(lambda model: lambda above: model._default_manager.filter(
    pk__gt=above))
_by_pk = PreparedFamily(lambda model: lambda pk: model._default_manager.filter(pk=pk))


def _rows(model, using: str) -> tuple:
    def read():
        return tuple(field_values(term) for term in _all_rows.objects(model, 0, using))

    return page_cache.get(f"terms:{model._meta.label_lower}:{using}", read,
                          current_request.get())


def all_terms(model, using: str) -> list:
    """Every row of taxonomy ``model`` on database ``using``, as new objects in no
    particular order."""
    if model not in TERM_MODELS:
        return _all_rows.objects(model, 0, using)
    names = field_names(model)
    return [model.from_db(using, names, values) for values in _rows(model, using)]


def term_by_pk(model, pk, using: str):
    """The row of taxonomy ``model`` whose key is ``pk``, as a new object, or None."""
    if model not in TERM_MODELS:
        return next(iter(_by_pk.objects(model, pk, using)), None)
    names = field_names(model)
    at = names.index(model._meta.pk.attname)
    for values in _rows(model, using):
        if values[at] == pk:
            return model.from_db(using, names, values)
    return None
