"""Directory search on PostgreSQL: full-text, prefix words, answered from GIN indexes."""

import pytest
from django.db import connection

from tests import factories
from wagtail_pledges.directory import PlanDirectoryFilterSet
from wagtail_pledges.models import ActionPlan

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def search(q):
    queryset = ActionPlan.objects.published_for_directory()
    return PlanDirectoryFilterSet({"q": q}, queryset=queryset).qs


@pytest.fixture
def plans():
    first = factories.approved_plan()
    first.organisation.name = "Oakfield Care Trust"
    first.organisation.save()
    ActionPlan.objects.filter(pk=first.pk).update(
        public_summary="We will end prone restraint with trauma-informed debriefing.")
    second = factories.approved_plan()
    second.organisation.name = "Riverside Health"
    second.organisation.save()
    ActionPlan.objects.filter(pk=second.pk).update(public_summary="Less seclusion, more care.")
    return first, second


def test_search_matches_words_and_prefixes_in_names_and_summaries(plans):
    first, second = plans
    assert list(search("oakfield")) == [first]
    assert list(search("Oakf")) == [first]  # a partial word is a prefix
    assert list(search("trauma restr")) == [first]  # every word, in any order
    assert list(search("informed")) == [first]  # hyphenated words are found apart
    assert set(search("care")) == {first, second}  # name of one, summary of the other
    assert list(search("riverside seclusion")) == []  # one in the name, one in summary
    assert list(search("nothing-like-this")) == []


def test_search_ignores_tsquery_syntax(plans):
    first, _second = plans
    assert list(search("oak & | ! ( :* '")) == [first]
    # No word at all: the substring fallback, never a syntax error.
    assert list(search("&&")) == []


def test_search_uses_the_gin_indexes(plans):
    queryset = search("oakfield")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert "pledges_plan_search_name" in plan
    assert "pledges_plan_search_summary" in plan
