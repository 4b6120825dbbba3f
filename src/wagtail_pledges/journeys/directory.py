"""The public directory of published action plans: one routable page, one sub-route
per plan. Plans are rows, not pages: see docs/explanation/directory.md.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import models
from django.db.models import Prefetch
from django.http import Http404
from django.template.loader import render_to_string
from django.utils.translation import get_language, gettext_lazy
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField

from ..counts import directory_version
from ..directory import CACHEABLE_FILTERS, PlanDirectoryFilterSet, cached_for_directory
from ..journey_urls import DIRECTORY
from ..models import ActionPlan, ProgressUpdate
from ..slug_redirects import redirect_old_organisation_slug


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
    plan_template = "wagtail_pledges/pages/plan_detail.html"
    plan_fragment_template = "wagtail_pledges/pages/_plan_detail.html"
    filter_field_template = "wagtail_pledges/includes/field.html"
    plans_per_page = 20
    filterset_class = PlanDirectoryFilterSet

    class Meta:
        abstract = True

    # Filters whose values come from a closed set: only these results are cached, so
    # free-text searches cannot fill the cache with one entry per query.
    cacheable_filters = (*CACHEABLE_FILTERS, "page")
    fragment_timeout = 3600

    def cached_fragment(self, request, name: str, parts, build, version=None):
        """Render once per directory version; ``build() -> (value, cacheable)``.

        See :func:`~wagtail_pledges.directory.cached_for_directory`: every change to
        what the directory shows bumps the version in the key, so a cached fragment is
        never stale — in any process.
        """
        return cached_for_directory("fragment", (
            name, self.pk, self.last_published_at, get_language(), self.get_url(request),
            *parts), build, self.fragment_timeout, version=version)

    def filter_fields_html(self, request, form, version, cacheable: bool) -> list[str]:
        """The filter form's fields, rendered. The closed-set ones (their options and the
        one chosen) are kept per directory version in one entry, so a search renders
        only its search box afresh; a form with errors is rendered whole."""
        def render(field):
            return render_to_string(self.filter_field_template, {"field": field},
                                    request=request)

        closed = [field for field in form if field.name in CACHEABLE_FILTERS]
        if cacheable:
            kept = cached_for_directory("filters", (
                self.pk, get_language(), *((f.name, str(f.value() or "")) for f in closed)),
                lambda: ({f.name: render(f) for f in closed}, True), self.fragment_timeout,
                version=version)
        else:
            kept = {f.name: render(f) for f in closed}
        return [kept[field.name] if field.name in kept else render(field) for field in form]

    @path("", name="index")
    def index_route(self, request, *args, **kwargs):
        status = 200

        def build():
            nonlocal status
            plans = ActionPlan.objects.published_for_directory()
            filterset = self.filterset_class(request.GET or None, queryset=plans)
            # The page shows the locations anyway: loading them first also validates
            # the location filter without another query.
            filter_form = filterset.grouped_form()
            if filterset.is_bound:
                if filterset.is_valid():
                    plans = filterset.qs
                else:
                    status = 400  # the form shows what was wrong; every plan is listed
            page = Paginator(plans, self.plans_per_page).get_page(request.GET.get("page"))
            query = request.GET.copy()
            query.pop("page", None)
            plans = list(page.object_list)
            for plan in plans:
                plan.detail_url = self.plan_detail_url(request, plan)
            html = render_to_string(self.directory_template, {
                "page": self, "filter_form": filter_form, "plans_page": page,
                "filter_fields": self.filter_fields_html(request, filter_form, version,
                                                         cacheable=status == 200),
                "plans": plans, "query_string": query.urlencode(),
            }, request=request)
            return html, status == 200 and set(request.GET) <= set(self.cacheable_filters)

        parts = sorted((k, tuple(v)) for k, v in request.GET.lists())
        version = directory_version()
        html = self.cached_fragment(request, "index", parts, build, version=version)
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
