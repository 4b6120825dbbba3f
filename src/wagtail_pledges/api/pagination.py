"""Cursor pagination: no ``COUNT(*)`` per request, however many rows there are.

A page is the ordered rows after the cursor's position, one query; ``next`` and
``previous`` are links carrying opaque cursors. There is no total ``count`` — the
live totals are at ``/counts/``, kept by the lifecycle.
"""

from __future__ import annotations

from rest_framework.pagination import CursorPagination

from ..models.commitments import DIRECTORY_ORDER


class PledgesCursorPagination(CursorPagination):
    """20 rows a page by default, up to 100 with ``page_size``; ordered by ``ordering``.

    The first ordering field should be (nearly) unique and unchanging; ties are
    walked with the cursor's offset.
    """

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-pk",)


class NameCursorPagination(PledgesCursorPagination):
    """Alphabetical by organisation, ties by plan, as the directory page lists.

    ``organisation_name`` is the plan's copy of its organisation's name, which the
    ``pledges_plan_directory`` index holds in this order: a page, and the next one
    after a cursor's name, is a short walk of that index.
    """

    ordering = DIRECTORY_ORDER
