"""The published plans directory's filters: one FilterSet for the page and the API.

The directory page (:mod:`wagtail_pledges.journeys.directory`) and the REST API's
plan list (:mod:`wagtail_pledges.api.views`) both filter
``ActionPlan.objects.published_for_directory()`` with :class:`PlanDirectoryFilterSet`,
so a query string means the same in both places and an unknown value is an error
(a 400) in both.
"""

from __future__ import annotations

import functools

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import ActionPlan, Priority, RestrictivePractice, Sector, Strategy


def published_regions() -> list[str]:
    """The regions of organisations with a published plan: the region filter's choices."""
    return list(
        ActionPlan.objects.published().exclude(organisation__region="")
        .order_by("organisation__region")
        .values_list("organisation__region", flat=True).distinct()
    )


def _region_choices() -> list[tuple[str, str]]:
    return [(region, region) for region in published_regions()]


class RegionField(django_filters.fields.ChoiceField):
    """A region from the list, matched without regard to case (``scotland`` = ``Scotland``)."""

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return value
        for choice, _label in self.choices:
            if choice and str(choice).lower() == value.lower():
                return choice
        return value


class RegionFilter(django_filters.ChoiceFilter):
    field_class = RegionField


class PlanDirectoryFilterSet(django_filters.FilterSet):
    """Search, sector, region, strategy and practice filters over published plans.

    Every filter narrows by a join or subquery that cannot repeat a plan, so no
    ``DISTINCT`` is needed and pagination counts stay right.
    """

    q = django_filters.CharFilter(label=_("Search"), max_length=100, method="search")
    sector = django_filters.ModelChoiceFilter(
        label=_("Sector"), field_name="organisation__sector", to_field_name="slug",
        queryset=Sector.objects.all(), empty_label=_("Any sector"),
    )
    region = RegionFilter(
        label=_("Region"), field_name="organisation__region", lookup_expr="iexact",
        choices=_region_choices, empty_label=_("Any region"),
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # At most one query for the regions, and none unless they are needed: cleaning,
        # validating and rendering each ask for the choices again.
        self.filters["region"].extra["choices"] = functools.cache(_region_choices)

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(organisation__name__icontains=value)
            | Q(public_summary__icontains=value)
        )

    def with_strategy(self, queryset, name, value):
        # A subquery, not a join: a plan with two such priorities is listed once.
        return queryset.filter(pk__in=Priority.objects.filter(strategy=value).values("plan_id"))


def published_plans():
    """Approved, live plans with everything the directory shows (kept for old imports;
    the same as ``ActionPlan.objects.published_for_directory()``)."""
    return ActionPlan.objects.published_for_directory()
