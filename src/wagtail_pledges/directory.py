"""The published plans directory's filters: one FilterSet for the page and the API.

The directory page (:mod:`wagtail_pledges.journeys.directory`) and the REST API's
plan list (:mod:`wagtail_pledges.api.views`) both filter
``ActionPlan.objects.published_for_directory()`` with :class:`PlanDirectoryFilterSet`,
so a query string means the same in both places and an unknown value is an error
(a 400) in both.
"""

from __future__ import annotations

import copy
import hashlib

import django_filters
from django.core.cache import cache
from django.db.models import BooleanField, F, Func, Q, Value
from django.db.models.expressions import Col
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES
from django_filters.filters import FilterMethod

from .counts import directory_version
from .location_fields import LocationChoiceField
from .models import (
    ActionPlan,
    Location,
    Organisation,
    Priority,
    RestrictivePractice,
    ReviewStatus,
    Sector,
    Strategy,
)
from .text_search import CONFIG, matches, prefix_query, uses_index


def published_locations(request=None):
    """Where organisations with a published plan are, and their countries: the
    location filter's choices (a filter on a country matches every place within it)."""
    return Location.objects.with_country().in_use_by(ActionPlan.objects.published()).order_by(
        "parent__name", "name"
    )


class LocationFilter(django_filters.ModelChoiceFilter):
    """A location slug; a country matches every place within it."""

    field_class = LocationChoiceField

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.filter(organisation__location__in=value.places())


class StoredWordsSearch(Func):
    """A published plan has every word of the query, as a prefix, in its organisation's
    name or in its summary: read from the words PostgreSQL stores for each plan
    (``search_name``, ``search_summary``: migration 0012), never computed per row.

    Its cost follows what a page needs. A page is a walk of the directory's index
    (``pledges_plan_directory``) in order, stopped by its ``LIMIT``. Over the first
    ``walk_rows`` published plans of that order each row's stored words are checked
    (``ts_match_vq``, the function behind ``@@``, which the planner cannot turn into a
    GIN scan): a common word fills its page there, after a few dozen rows, and no set
    of matches is built. Past them, a plan is looked up in the set of matches read
    once from the GIN indexes (two hashed subqueries), so a rare word costs its few
    matches and a hash probe per plan. See docs/explanation/performance.md, "A stored
    tsvector".
    """

    output_field = BooleanField()

    def __init__(self, query: str, walk_rows: int):
        super().__init__(F("pk"), Value(query))
        self.walk_rows = int(walk_rows)

    def as_sql(self, compiler, connection, **extra_context):
        pk, query = self.get_source_expressions()
        if not isinstance(pk, Col):
            raise ValueError("StoredWordsSearch filters action plans")
        quote = connection.ops.quote_name
        meta = ActionPlan._meta
        # Django 6.1 quotes every alias (compiler.quote_name); 5.2 leaves its own
        # aliases bare (quote_name_unless_alias, deprecated in 6.1).
        quote_alias = getattr(compiler, "quote_name", None) or compiler.quote_name_unless_alias
        plan = quote_alias(pk.alias) if pk.alias else quote(meta.db_table)
        table, ident = quote(meta.db_table), quote(meta.pk.column)
        name, words_of_name, words_of_summary = (
            quote(column) for column in ("organisation_name", "search_name", "search_summary"))
        status, live = (quote(meta.get_field(f).column) for f in ("review_status", "live"))
        query_sql, query_params = compiler.compile(query)
        tsquery = f"to_tsquery('{CONFIG}'::regconfig, {query_sql})"
        # Identifiers quoted, an int, and the query as a parameter.
        sql = (
            # Where the walked window ends: the name of the published plan walk_rows
            # into the directory's order (none: every plan is in the window).
            f"CASE WHEN {plan}.{name} <= COALESCE((SELECT w.{name} FROM {table} w "  # noqa: S608
            f"WHERE w.{status} = %s AND w.{live} ORDER BY w.{name}, w.{ident} "
            f"LIMIT 1 OFFSET {self.walk_rows}), {plan}.{name}) "
            f"THEN (ts_match_vq({plan}.{words_of_name}, {tsquery}) "
            f"OR ts_match_vq({plan}.{words_of_summary}, {tsquery})) "
            f"ELSE ({plan}.{ident} IN (SELECT n.{ident} FROM {table} n "
            f"WHERE n.{words_of_name} @@ {tsquery}) "
            f"OR {plan}.{ident} IN (SELECT s.{ident} FROM {table} s "
            f"WHERE s.{words_of_summary} @@ {tsquery})) END"
        )
        return sql, (ReviewStatus.APPROVED, *query_params * 4)


class PlanDirectoryFilterSet(django_filters.FilterSet):
    """Search, sector, location (``region``), strategy and practice filters over published
    plans.

    Every filter narrows by a join or subquery that cannot repeat a plan, so no
    ``DISTINCT`` is needed and pagination counts stay right.
    """

    q = django_filters.CharFilter(label=_("Search"), max_length=100, method="search")
    sector = django_filters.ModelChoiceFilter(
        label=_("Sector"), field_name="organisation__sector", to_field_name="slug",
        queryset=Sector.objects.all(), empty_label=_("Any sector"),
    )
    region = LocationFilter(
        label=_("Location"), to_field_name="slug", queryset=published_locations,
        empty_label=_("Anywhere"),
        help_text=_("A location's slug; a country matches every place within it."),
    )
    strategy = django_filters.ModelChoiceFilter(
        label=_("Strategy"), to_field_name="slug", queryset=Strategy.objects.all(),
        empty_label=_("Any strategy"), method="with_strategy",
    )
    practice = django_filters.ModelChoiceFilter(
        label=_("Restrictive practice"), field_name="practices", to_field_name="slug",
        queryset=RestrictivePractice.objects.all(), empty_label=_("Any practice"),
    )

    class Meta:
        model = ActionPlan
        fields = ["q", "sector", "region", "strategy", "practice"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # django-filter's own __init__, but for one line: it deep-copies every declared
        # filter for each filter set, and with the choice filters their query sets'
        # whole query trees (about 0.15 ms a search), where nothing in a filter is
        # changed per filter set but its model and parent. Each filter here is a
        # shallow copy given those two; one with a ``method`` gets its own
        # FilterMethod, bound to the copy (the base filter's points at the base
        # filter). tests/core/test_directory_filters.py checks the attributes
        # against django-filter's and that no two filter sets share a filter.
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        model = queryset.model
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, base in self.base_filters.items():
            copied = copy.copy(base)
            if isinstance(base.__dict__.get("filter"), FilterMethod):
                copied.filter = FilterMethod(copied)
            copied.model, copied.parent = model, self
            self.filters[name] = copied

    def get_form_class(self):
        # The same for every request (no field holds request state: the location
        # choices are a lazy queryset, and each form copies its fields), so it is built
        # once per class rather than on every request (about 1 ms of CPU).
        cls = type(self)
        if "_pledges_form_class" not in cls.__dict__:
            cls._pledges_form_class = super().get_form_class()
        return cls._pledges_form_class

    def grouped_form(self, locations=None):
        """The form, its locations grouped by country for display (one query, none
        if ``locations`` gives the rows of :func:`published_locations`; the API,
        which renders no form, never pays it)."""
        field = self.form.fields["region"]
        if not hasattr(field, "_offered"):
            field.group_choices(_("Anywhere"), locations)
        return self.form

    # On PostgreSQL, the plans this far into the directory's order are searched by
    # checking each one's stored words as the index is walked; those after it from the
    # GIN indexes (see search()).
    search_walk_rows = 1000

    def search(self, queryset, name, value):
        using = queryset.db
        if uses_index(using) and prefix_query(value):
            return queryset.filter(self.stored_search(value))
        # Elsewhere, a substring in either (two subqueries; a plan is kept when either
        # finds it, so no DISTINCT).
        return queryset.filter(
            Q(organisation__in=Organisation.objects.filter(matches("name", value, using=using)))
            | Q(pk__in=ActionPlan.objects.filter(matches("public_summary", value, using=using))
                .values("pk"))
        )

    def search_words(self) -> str | None:
        """The stored-words query of a valid form that asks for a search alone (no other
        filter given a value), on PostgreSQL, with this class's own ways of searching:
        what a directory page may run as a query compiled once (see
        ``PlansIndexPageMixin``). ``None`` for anything else, which goes through
        :attr:`qs`."""
        cls = type(self)
        if (cls.search is not PlanDirectoryFilterSet.search
                or cls.stored_search is not PlanDirectoryFilterSet.stored_search
                or cls.filter_queryset is not PlanDirectoryFilterSet.filter_queryset
                or getattr(self.filters.get("q"), "method", None) != "search"
                or not uses_index(self.queryset.db)):
            return None
        data = self.form.cleaned_data
        if any(value not in EMPTY_VALUES for name, value in data.items() if name != "q"):
            return None
        return prefix_query(data.get("q") or "") or None

    def stored_search(self, value):
        """PostgreSQL: the condition of :class:`StoredWordsSearch` (one expression,
        written out: building it costs no ORM subqueries)."""
        return StoredWordsSearch(prefix_query(value), self.search_walk_rows)

    def with_strategy(self, queryset, name, value):
        # A subquery, not a join: a plan with two such priorities is listed once.
        return queryset.filter(pk__in=Priority.objects.filter(strategy=value).values("plan_id"))


# Query parameters whose values come from closed sets (taxonomy slugs, page numbers,
# the cursors and page sizes the API hands out): only answers to these are cached, so
# free-text searches cannot fill the cache with one entry per query.
CACHEABLE_FILTERS = ("sector", "region", "strategy", "practice")


def directory_key(kind: str, version: int, parts) -> str:
    """The cache key :func:`cached_for_directory` keeps ``kind``/``parts`` under."""
    return f"wagtail_pledges:{kind}:" + hashlib.sha1(  # noqa: S324 - a cache key
        repr((version, *parts)).encode()).hexdigest()


def cached_for_directory(kind: str, parts, build, timeout: int = 3600, *,
                         version: int | None = None, may_be_cached: bool = True,
                         found: dict | None = None):
    """``build() -> (value, cacheable)``, kept once per directory version.

    The key holds :func:`~wagtail_pledges.counts.directory_version`, which every change
    to a plan, organisation, priority, update, location or taxonomy bumps, so a cached
    answer is never stale, in any process. The directory page caches its HTML
    fragments here and the API its plan list pages. ``version``: already read in
    this request (it is one query). ``may_be_cached=False``: the answer is known not
    to be kept (a search), so the cache is not even read. ``found``: entries already
    read from the cache, by key (None: read, and not there).
    """
    version = directory_version() if version is None else version
    key = directory_key(kind, version, parts)
    if found is not None and key in found:
        value = found[key]  # already read (None: missing; see cached_per_plan's ``also``)
    else:
        value = cache.get(key) if may_be_cached else None
    if value is None:
        value, cacheable = build()
        if cacheable:
            cache.set(key, value, timeout)
    return value


def cached_per_plan(kind: str, parts, plan_ids, build, timeout: int = 3600, *,
                    version: int, also: dict | None = None) -> dict:
    """One cached value per plan and directory version, read in one round trip:
    ``build(missing_ids) -> {id: value}`` makes the values not in the cache (a plan it
    leaves out is left out of the answer). ``{id: value}`` in ``plan_ids``' order.

    What a search shows is assembled from these: the cache holds at most one entry
    per published plan and version, whatever visitors search for. ``also``: a dict
    whose keys are other cache keys to read in the same round trip; on return it
    holds their values (None for those not in the cache).
    """
    prefix = directory_key(kind, version, parts)  # hashed once for the whole page
    keys = {pk: f"{prefix}:{pk}" for pk in plan_ids}
    wanted = [*keys.values(), *(also or ())]
    found = cache.get_many(wanted) if wanted else {}
    if also:
        # Other entries the page needs, read in the same round trip: ``also`` gets
        # their values (None: not in the cache).
        for key in also:
            also[key] = found.get(key)
    values = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in plan_ids if pk not in values]
    if missing:
        made = build(missing)
        cache.set_many({keys[pk]: value for pk, value in made.items()}, timeout)
        values.update(made)
    return {pk: values[pk] for pk in plan_ids if pk in values}


def published_plans():
    """Approved, live plans with everything the directory shows (kept for old imports;
    the same as ``ActionPlan.objects.published_for_directory()``)."""
    return ActionPlan.objects.published_for_directory()
