"""On PostgreSQL the directory's order comes off one partial index: no sort of every
published plan to show twenty of them."""

import pytest
from django.db import connection, transaction

from tests import factories
from wagtail_pledges.directory import PlanDirectoryFilterSet
from wagtail_pledges.models import ActionPlan

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def explain(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # A tiny test table would be read whole, or its three rows sorted after a walk
        # of any index with the same condition (pledges_plan_one_published_per_
        # organisation's); ask how the big one would be read. A Sort still shows when no
        # index gives the order: these settings only make it the last resort.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("query", [{}, {"sector": "health"}, {"q": "trust"}])
def test_a_page_is_a_walk_of_the_directory_index(query):
    for _ in range(3):
        factories.approved_plan()
    plans = ActionPlan.objects.published_for_directory()
    if query:
        plans = PlanDirectoryFilterSet(query, queryset=plans).qs
    plan = explain(plans[:21])
    assert "pledges_plan_directory" in plan
    assert "Sort" not in plan


def test_the_next_page_starts_inside_the_index():
    factories.approved_plan()
    plans = ActionPlan.objects.published_for_directory().filter(organisation_name__gt="M")
    plan = explain(plans[:21])
    assert "Index Cond: ((organisation_name)::text > 'M'::text)" in plan
    assert "Sort" not in plan
