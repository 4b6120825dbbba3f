"""Counters moved in place by the lifecycle (``counts.move_membership``)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail_pledges import counts
from wagtail_pledges.models import Counter

pytestmark = pytest.mark.django_db


def values():
    return dict(Counter.objects.filter(key__startswith="members:test:")
                .values_list("key", "value"))


def test_a_move_is_one_statement_when_both_counters_exist():
    Counter.objects.create(key="members:test:draft", value=5)
    Counter.objects.create(key="members:test:active", value=7)
    with CaptureQueriesContext(connection) as queries:
        counts.move_membership("test", "draft", "active")
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert values() == {"members:test:draft": 4, "members:test:active": 8}
    counts.move_membership("test", "active", None)  # a membership deleted
    counts.move_membership("test", "active", "active")  # no move
    assert values() == {"members:test:draft": 4, "members:test:active": 7}


def test_a_counters_first_use_creates_it_and_moves_the_other_once():
    Counter.objects.create(key="members:test:draft", value=1)
    counts.move_membership("test", "draft", "submitted")
    counts.move_membership("test", None, "draft")
    assert values() == {"members:test:draft": 1, "members:test:submitted": 1}
