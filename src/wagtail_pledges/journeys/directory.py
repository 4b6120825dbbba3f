"""The public directory of published action plans: one routable page, one sub-route
per plan. Plans are rows, not pages: see docs/explanation/directory.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db import models
from django.db.models import Prefetch
from django.http import Http404
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField

from ..counts import directory_version, directory_version_expression, get_counts
from ..directory import (
    CACHEABLE_FILTERS,
    PlanDirectoryFilterSet,
    StoredWordsSearch,
    cached_for_directory,
    cached_per_plan,
    directory_key,
    published_locations,
)
from ..journey_urls import DIRECTORY
from ..models import ActionPlan, ProgressUpdate
from ..models.commitments import DIRECTORY_ORDER
from ..prepared import PreparedFamily, PreparedQuery
from ..slug_redirects import redirect_old_organisation_slug

# The search box's HTML with this in place of the value, per page class, form class and
# language (see PlansIndexPageMixin.search_box_html).
_SEARCH_PLACEHOLDER = "pledgessearchvalue7d1c"
_search_boxes: dict = {}

# Page numbers past this are read as this one: an OFFSET the database can always take.
MAX_PAGE_NUMBER = 10_000


# A search's first pages run a query compiled once per connection and page (the ORM
# builds and compiles the search's id query in about a fifth of the search's CPU).
PREPARED_SEARCH_PAGES = 5


def _search_query(window: tuple[int, int, int]):
    """``build(words)`` of the directory's id query (with the version) for a search
    alone, in this window (start, stop, walked rows): what ``index_route`` runs
    through the filter set, as the same query set."""
    start, stop, walk_rows = window

    def build(words):
        return (ActionPlan.objects.published().order_by(*DIRECTORY_ORDER)
                .filter(StoredWordsSearch(words, walk_rows))
                .annotate(_pledges_version=directory_version_expression())
                .values_list("pk", "_pledges_version")[start:stop])

    return build


_search_ids = PreparedFamily(_search_query, prepared=PreparedQuery, key_type=str)


@dataclass(frozen=True)
class PlanCard:
    """One plan as the directory lists it: its id and its rendered card (HTML)."""

    pk: int
    html: str

    def __str__(self) -> str:
        return self.html


@dataclass(frozen=True)
class ResultsPage:
    """A page of the directory's results, counted no further than it needs.

    The page's ids are read with up to ``counted`` more after them, in one query that
    stops there: ``total`` is exact when the matches end within that window, and
    ``None`` beyond it, when ``more_than`` is what the page can honestly say. No page
    view counts every match.
    """

    number: int
    per_page: int
    ids: list
    total: int | None
    more_than: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        if self.total is None:
            return not self.past_the_end
        return self.total > self.number * self.per_page

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def num_pages(self) -> int | None:
        """The number of pages, when the total is known."""
        if self.total is None:
            return None
        return max(1, -(-self.total // self.per_page))

    @property
    def past_the_end(self) -> bool:
        return not self.ids and self.number > 1


class PlansIndexPageMixin(RoutablePageMixin, models.Model):
    """A public directory of published action plans, one sub-route per plan.

    Filters come from ``filterset_class``, the same FilterSet the REST API uses.
    """

    # Found by this marker (see journey_urls), so core modules need not import pages.
    pledges_journey = DIRECTORY

    intro = RichTextField(gettext_lazy("introduction"), blank=True)

    pledges_panels = [FieldPanel("intro")]
    # Wagtail's API v2; the plans themselves are at /api/pledges/v1/plans/.
    api_fields = [APIField("intro")]
    template = "wagtail_pledges/pages/plans_index_page.html"
    directory_template = "wagtail_pledges/pages/_directory.html"
    plan_card_template = "wagtail_pledges/pages/_plan_card.html"
    plan_template = "wagtail_pledges/pages/plan_detail.html"
    plan_fragment_template = "wagtail_pledges/pages/_plan_detail.html"
    filter_field_template = "wagtail_pledges/includes/field.html"
    plans_per_page = 20
    # How many matches past a page's first are counted (in the page's one id query):
    # totals up to here are exact, beyond it the page says "more than".
    plans_counted = 100
    filterset_class = PlanDirectoryFilterSet

    class Meta:
        abstract = True

    # Filters whose values come from a closed set: only these results are cached, so
    # free-text searches cannot fill the cache with one entry per query.
    cacheable_filters = (*CACHEABLE_FILTERS, "page")
    fragment_timeout = 3600

    def cached_fragment(self, request, name: str, parts, build, version=None,
                        may_be_cached=True):
        """Render once per directory version; ``build() -> (value, cacheable)``.

        See :func:`~wagtail_pledges.directory.cached_for_directory`: every change to
        what the directory shows bumps the version in the key, so a cached fragment is
        never stale — in any process.
        """
        return cached_for_directory("fragment", (
            name, self.pk, self.last_published_at, get_language(), self.get_url(request),
            *parts), build, self.fragment_timeout, version=version,
            may_be_cached=may_be_cached)

    def filter_fields_parts(self, form) -> tuple:
        """What the closed-set fields' cached HTML is kept under (with the version)."""
        return (self.pk, get_language(), *((name, str(form[name].value() or ""))
                                           for name in CACHEABLE_FILTERS if name in form.fields))

    def filter_fields_html(self, request, filterset, version, cacheable: bool,
                           found: dict | None = None) -> list[str]:
        """The filter form's fields, rendered. The closed-set ones (their options and the
        one chosen) are kept per directory version in one entry, so a search renders
        only its search box afresh; a form with errors is rendered whole. ``found``:
        cache entries already read, by key."""
        def render(field):
            return render_to_string(self.filter_field_template, {"field": field})

        def render_closed():
            # Their options: the location filter's grouped by country.
            filterset.grouped_form(self.offered_locations(version))
            return {f.name: render(f) for f in form if f.name in CACHEABLE_FILTERS}

        form = filterset.form
        if cacheable:
            kept = cached_for_directory(
                "filters", self.filter_fields_parts(form), lambda: (render_closed(), True),
                self.fragment_timeout, version=version, found=found)
            if "q" in form.fields:
                kept = {**kept, "q": self.search_box_html(form["q"])}
        else:
            kept = render_closed()
        return [kept[field.name] if field.name in kept else render(field) for field in form]

    def search_box_html(self, field) -> str:
        """The search box of a valid form, as ``filter_field_template`` renders it, without
        rendering it: that template's HTML for a placeholder value is made once per
        process (per page class, form class and language) and the value, escaped as
        the template escapes it, put in its place. An empty box is rendered (it has no
        ``value`` attribute at all)."""
        value = field.value()
        if value in (None, ""):
            return render_to_string(self.filter_field_template, {"field": field})
        key = (type(self), self.filter_field_template, type(field.form), field.html_name,
               get_language())
        html = _search_boxes.get(key)
        if html is None:
            form = type(field.form)(data={field.html_name: _SEARCH_PLACEHOLDER},
                                    prefix=field.form.prefix)
            html = render_to_string(self.filter_field_template, {"field": form[field.name]})
            if html.count(_SEARCH_PLACEHOLDER) != 1:
                # A template that shows the value twice or never: render every time.
                return render_to_string(self.filter_field_template, {"field": field})
            _search_boxes[key] = html
        # One pass over the template's HTML: a value holding the placeholder's text is
        # inserted as it is (escaped), never replaced again.
        # The template's own output with an escaped value in it: as safe as the output.
        return mark_safe(html.replace(_SEARCH_PLACEHOLDER, escape(str(value))))  # noqa: S308

    def page_number(self, request) -> int:
        """The ``page`` asked for: a whole number from 1 (anything else is page 1)."""
        try:
            number = int(request.GET.get("page") or 1)
        except ValueError:
            return 1
        return min(max(number, 1), MAX_PAGE_NUMBER)

    def results_page(self, plans, number: int) -> ResultsPage:
        """One query: this page's ids and up to ``plans_counted`` after them."""
        return self._results_page(plans, number)[0]

    def _results_page(self, plans, number: int, with_version: bool = False,
                      words: tuple[str, int] | None = None):
        """``(results, version)``: with ``with_version``, the directory version is read
        in the same query (``None`` when no row came back). ``words``: ``plans`` is
        the whole directory, searched for these stored words alone
        (:meth:`~wagtail_pledges.directory.PlanDirectoryFilterSet.search_words`, and
        the filter set's ``search_walk_rows``), so the id query compiled once per
        connection and page is run with them instead."""
        per_page = self.plans_per_page
        start = (number - 1) * per_page
        counted = max(self.plans_counted, per_page)
        window = slice(start, start + counted + 1)
        version = None
        if with_version:
            if words is not None:
                rows = _search_ids.rows((window.start, window.stop, words[1]), words[0],
                                        plans.db)
            else:
                rows = list(plans.annotate(_pledges_version=directory_version_expression())
                            .values_list("pk", "_pledges_version")[window])
            ids = [pk for pk, _version in rows]
            version = rows[0][1] if rows else None
        else:
            ids = list(plans.values_list("pk", flat=True)[window])
        total = start + len(ids) if (len(ids) <= counted and (ids or start == 0)) else None
        return ResultsPage(number=number, per_page=per_page, ids=ids[:per_page],
                           total=total, more_than=start + counted), version

    def plan_cards(self, request, ids, version: int, also: dict | None = None
                   ) -> list[PlanCard]:
        """The plans' cards, each rendered once per directory version and read in one
        cache round trip: a search costs its id query and these reads, and the cache
        holds one card per plan whatever visitors search for. A card is rendered
        without the request (every visitor sees the same one)."""
        def build(missing):
            plans = ActionPlan.objects.published_for_directory().filter(pk__in=missing)
            return {plan.pk: render_to_string(self.plan_card_template, {
                "page": self, "plan": plan,
                "detail_url": self.plan_detail_url(request, plan)}) for plan in plans}

        cards = cached_per_plan("card", (
            self.pk, self.last_published_at, get_language(), self.get_url(request)),
            ids, build, self.fragment_timeout, version=version, also=also)
        # A plan unpublished between the id query and the build is left out.
        return [PlanCard(pk, html) for pk, html in cards.items()]

    def closed_set_request(self, request) -> bool:
        """Closed-set filters only, each given once: an answer that may be kept whole."""
        return set(request.GET) <= set(self.cacheable_filters) and all(
            len(values) == 1 for _name, values in request.GET.lists())

    def cacheable_request(self, request, results: ResultsPage) -> bool:
        """Whether this answer may be kept whole: closed-set filters only, each given
        once, and a page number that is canonical and holds plans. Anything else
        (a search, a repeated parameter, ``page=007``, a page past the end) is
        rendered from cached cards, so no query string adds an entry of its own."""
        page = request.GET.get("page")
        return (self.closed_set_request(request) and not results.past_the_end
                and (page is None or page == str(results.number)))

    def offered_locations(self, version: int) -> list:
        """The location filter's choices, kept per directory version (a plan's
        publication, an organisation's or a location's edit bumps it)."""
        return cached_for_directory("locations", (), lambda: (
            list(published_locations()), True), self.fragment_timeout, version=version)

    @path("", name="index")
    def index_route(self, request, *args, **kwargs):
        status = 200
        # A closed-set answer may be in the cache, under the directory version: read it
        # first. Anything else (a search) is built afresh, and reads the version in its
        # id query instead (one query fewer).
        closed = self.closed_set_request(request)
        version = directory_version() if closed else None

        def current_version() -> int:
            nonlocal version
            if version is None:
                version = directory_version()
            return version

        def build():
            nonlocal status, version
            # Only ids are read here; the cards' plans are loaded whole when rendered.
            plans = ActionPlan.objects.published().order_by(*DIRECTORY_ORDER)
            filterset = self.filterset_class(request.GET or None, queryset=plans)
            filter_form = filterset.form
            if request.GET.get("region"):
                # The offered locations validate the filter with no query of their own.
                filterset.grouped_form(self.offered_locations(current_version()))
            number = self.page_number(request)
            own_results_page = type(self).results_page is not PlansIndexPageMixin.results_page
            # A search alone, on one of its first pages, runs its id query compiled once
            # per connection (and builds no query set); anything else goes through the
            # filter set, or a site's own results_page.
            prepared = (not own_results_page and version is None
                        and number <= PREPARED_SEARCH_PAGES)
            words = None
            if filterset.is_bound:
                if filterset.is_valid():
                    words = filterset.search_words() if prepared else None
                    if words is None:
                        plans = filterset.qs
                else:
                    status = 400  # the form shows what was wrong; every plan is listed
            if words is not None:
                results, read = self._results_page(
                    plans, number, with_version=True,
                    words=(words, filterset.search_walk_rows))
            elif not own_results_page:
                results, read = self._results_page(plans, number,
                                                   with_version=version is None)
            else:  # a site's own results_page is asked, as before
                results, read = self.results_page(plans, number), None
            if version is None:
                version = read
            if results.total is None and set(request.GET) <= {"page"} and status == 200:
                # Unfiltered: every published plan, whose number the counters keep
                # (no COUNT(*)), so the whole directory still says how many there are.
                results = replace(results, total=max(
                    get_counts().plans_published,
                    (results.number - 1) * results.per_page + len(results.ids)))
            query = request.GET.copy()
            query.pop("page", None)
            # The cards and the closed-set fields' HTML in one cache round trip.
            found = {}
            if status == 200:
                found[directory_key("filters", current_version(),
                                    self.filter_fields_parts(filter_form))] = None
            cards = self.plan_cards(request, results.ids, current_version(), also=found)
            html = render_to_string(self.directory_template, {
                "page": self, "filter_form": filter_form, "plans_page": results,
                "filter_fields": self.filter_fields_html(
                    request, filterset, current_version(), cacheable=status == 200,
                    found=found),
                "cards": cards,
                "query_string": query.urlencode(),
            })  # no request: the fragment is shared by every visitor
            return html, status == 200 and self.cacheable_request(request, results)

        if closed:
            parts = sorted((k, tuple(v)) for k, v in request.GET.lists())
            html = self.cached_fragment(request, "index", parts, build, version=version)
        else:
            html, _kept = build()  # never kept (see cacheable_request)
        response = self.render(request, context_overrides={"directory_html": html})
        response.status_code = status
        return response

    def plan_detail_url(self, request, plan) -> str:
        return self.get_url(request) + self.reverse_subpage(
            "plan", kwargs={"slug": plan.organisation.slug}
        )

    @path("<slug:slug>/", name="plan")
    def plan_route(self, request, slug):
        moved = redirect_old_organisation_slug(self, request, slug)
        if moved is not None:  # renamed: the old address answers with a 301
            return moved

        def build():
            plan = (
                ActionPlan.objects.published_for_directory().filter(organisation__slug=slug)
                .prefetch_related(Prefetch(
                    "updates", queryset=ProgressUpdate.objects.order_by("-created_at"),
                    to_attr="update_list",
                )).first()
            )
            if plan is None:
                raise Http404
            html = render_to_string(self.plan_fragment_template, {
                "page": self, "plan": plan, "organisation": plan.organisation,
            }, request=request)
            return (plan.organisation.name, html), True

        title, html = self.cached_fragment(request, "plan", [slug], build)
        return self.render(request, template=self.plan_template, context_overrides={
            "plan_html": html, "organisation_name": title,
        })

    def get_sitemap_urls(self, request=None):
        urls = super().get_sitemap_urls(request)
        base = self.get_full_url(request)
        if not base:
            return urls
        for slug, decided_at in ActionPlan.objects.published_for_directory().values_list(
            "organisation__slug", "decided_at"
        ):
            urls.append({"location": base + self.reverse_subpage(
                "plan", kwargs={"slug": slug}).lstrip("/"), "lastmod": decided_at})
        return urls
