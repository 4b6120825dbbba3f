"""The directory's filter set copies its filters shallowly, and still shares nothing.

django-filter deep-copies every filter per filter set (with the choice filters' query
sets); ``PlanDirectoryFilterSet`` copies each shallowly and sets what differs per filter
set: its model, its parent, and a method filter's binding.
"""

import pytest
from django.http import QueryDict
from django_filters import filterset as django_filterset

from tests import factories
from wagtail_pledges.directory import PlanDirectoryFilterSet
from wagtail_pledges.models import ActionPlan

pytestmark = pytest.mark.django_db


def test_built_as_django_filter_builds_it_without_deep_copies(monkeypatch):
    data = QueryDict("q=trust&sector=health")
    queryset = ActionPlan.objects.published()
    theirs = object.__new__(PlanDirectoryFilterSet)
    django_filterset.BaseFilterSet.__init__(theirs, data, queryset, prefix="p")
    copies = []
    monkeypatch.setattr(django_filterset.copy, "deepcopy",
                        lambda *args: copies.append(args))
    ours = PlanDirectoryFilterSet(data, queryset, prefix="p")
    assert copies == []
    assert vars(ours).keys() == vars(theirs).keys()
    for name in ("is_bound", "data", "queryset", "request", "form_prefix"):
        assert getattr(ours, name) is getattr(theirs, name), name
    assert ours.filters.keys() == theirs.filters.keys()
    assert [type(f) for f in ours.filters.values()] == [
        type(f) for f in theirs.filters.values()]


def test_no_two_filter_sets_share_a_filter():
    first = PlanDirectoryFilterSet(QueryDict("q=one"), ActionPlan.objects.all())
    second = PlanDirectoryFilterSet(QueryDict("q=two"), ActionPlan.objects.all())
    base = PlanDirectoryFilterSet.base_filters
    for name in base:
        assert first.filters[name] is not second.filters[name] is not base[name]
        assert first.filters[name].parent is first and second.filters[name].parent is second
        assert first.filters[name].model is ActionPlan
        assert not hasattr(base[name], "parent")
    # A method filter calls its own filter set's method, not the base filter's.
    assert first.filters["q"].filter.f is first.filters["q"]
    assert second.filters["q"].filter.f is second.filters["q"]
    assert base["q"].filter.f is base["q"]


def test_each_filter_set_searches_with_its_own_value_and_method():
    for name in ("Northfield Trust", "Southgate Council"):
        organisation = factories.approved_plan().organisation
        organisation.name = name
        organisation.save()
    seen = []

    class Recording(PlanDirectoryFilterSet):
        def search(self, queryset, name, value):
            seen.append((self, value))
            return super().search(queryset, name, value)

    northern = Recording(QueryDict("q=northfield"), ActionPlan.objects.published())
    southern = Recording(QueryDict("q=southgate"), ActionPlan.objects.published())
    assert [p.organisation.name for p in southern.qs] == ["Southgate Council"]
    assert [p.organisation.name for p in northern.qs] == ["Northfield Trust"]
    assert seen == [(southern, "southgate"), (northern, "northfield")]
    everything = PlanDirectoryFilterSet(None, ActionPlan.objects.published())
    assert not everything.is_bound and everything.qs.count() == 2
