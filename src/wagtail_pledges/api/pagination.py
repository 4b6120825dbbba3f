"""Cursor pagination: no ``COUNT(*)`` per request, however many rows there are.

A page is the ordered rows after the cursor's position, one query; ``next`` and
``previous`` are links carrying opaque cursors. There is no total ``count`` — the
live totals are at ``/counts/``, kept by the lifecycle.
"""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


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
    """Alphabetical by the ``directory_name`` annotation, as the directory page lists."""

    ordering = ("directory_name", "pk")
