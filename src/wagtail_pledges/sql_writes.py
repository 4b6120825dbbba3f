"""SQL writes written by hand: statements written once per database vendor
(:func:`written_sql`), and writes whose outcome nobody reads at once, sent together in
one round trip at the end of a block (:func:`writes_together`, :func:`write`).

The compiled *reads* are in :mod:`wagtail_pledges.prepared`; ``save_fields`` and
``insert_rows``, which send their statements through :func:`write` where they can, in
:mod:`wagtail_pledges.row_writes`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

# -- statements written by hand, once per database vendor ----------------------------

_written: dict[tuple, str] = {}


def written_sql(key: str, model: type[Model], connection, write: Callable[..., str]) -> str:
    """The SQL ``write(table, column)`` returns for ``model`` on ``connection``'s
    vendor, written once: ``table`` is the quoted table name and ``column(name)`` the
    quoted column of a field, so the statement follows ``db_table`` and ``db_column``
    as the ORM's would. For the few conditional ``UPDATE`` statements run on every
    email or submission, which the ORM would compile every time."""
    cache_key = (key, model, connection.vendor)
    sql = _written.get(cache_key)
    if sql is None:
        meta, quote = model._meta, connection.ops.quote_name
        sql = _written.setdefault(cache_key, write(
            quote(meta.db_table), lambda name: quote(meta.get_field(name).column)))
    return sql


# -- writes sent together ------------------------------------------------------------

_together: ContextVar[dict | None] = ContextVar("wagtail_pledges_writes_together",
                                                default=None)


def write(sql: str, params: list, *, using: str = DEFAULT_DB_ALIAS,
          then: Callable[[int], None] | None = None, rows: Iterable[Hashable] = ()) -> None:
    """Run an ``INSERT``, ``UPDATE`` or ``DELETE`` (no ``RETURNING``) whose outcome the
    caller does not need at once: now, or, inside :func:`writes_together`, with the
    block's other writes when it ends. ``then(rowcount)`` is called once it has run
    (a fallback that depends on how many rows it touched runs there).

    ``rows`` names the existing rows an ``UPDATE`` changes (any hashable keys, such as
    ``(table, primary key)``). PostgreSQL applies only one of two changes to the same
    row made in one statement, so when the block already holds a write to one of
    them, what it holds is sent first and this write starts the next statement."""
    batch = _together.get()
    # Not from inside a savepoint the block opened: rolled back alone, its writes
    # would still be sent at the end.
    if batch is not None and batch["using"] == using \
            and len(connections[using].savepoint_ids) == batch["savepoints"]:
        rows = set(rows)
        if rows & batch["rows"]:
            _send_held(batch)
        batch["writes"].append((sql, list(params), then))
        batch["rows"] |= rows
        return
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        count = cursor.rowcount
    if then is not None:
        then(count)


@contextmanager
def writes_together(using: str = DEFAULT_DB_ALIAS):
    """Inside a transaction on PostgreSQL, the :func:`write` calls made in the block
    are sent when it ends as one statement — each a data-modifying ``WITH`` part,
    counted by the main ``SELECT`` — so a submission's counters, events, groups and
    email cost one round trip instead of four. Each write's ``then`` runs after that,
    in order. An exception in the block sends nothing (its transaction rolls back).
    ``row_writes.save_fields`` sends its row ``UPDATE`` this way too, its ``post_save``
    (and many-to-many commit) in its ``then``.

    The writes are not seen by reads made inside the block (they have not run yet),
    nor by one another (PostgreSQL runs a statement's parts on one snapshot): use it
    only around writes to tables the block does not read. A block inside another
    joins it (its writes go at the outer block's end). Anywhere else (another
    database, no transaction, a savepoint opened in the block) each write runs when
    it is made.
    """
    connection = connections[using]
    if (connection.vendor != "postgresql" or not connection.in_atomic_block
            or _together.get() is not None):
        yield
        return
    batch = {"using": using, "writes": [], "rows": set(),
             "savepoints": len(connection.savepoint_ids)}
    token = _together.set(batch)
    try:
        yield
    finally:
        _together.reset(token)
    _send_together(connection, batch["writes"])


def _send_held(batch: dict) -> None:
    """Send what ``batch`` holds now (a write to a row it already changes is next)."""
    writes, batch["writes"], batch["rows"] = batch["writes"], [], set()
    _send_together(connections[batch["using"]], writes)


def _send_together(connection, writes: list) -> None:
    if not writes:
        return
    if len(writes) == 1:
        sql, params, then = writes[0]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            counts = [cursor.rowcount]
    else:
        parts = ", ".join(f"w{n} AS ({sql} RETURNING 1)" for n, (sql, _p, _t) in
                          enumerate(writes))
        counted = ", ".join(f"(SELECT count(*) FROM w{n})"  # noqa: S608 (our own SQL)
                            for n in range(len(writes)))
        with connection.cursor() as cursor:
            cursor.execute(f"WITH {parts} SELECT {counted}",  # noqa: S608 (our own SQL)
                           [value for _s, params, _t in writes for value in params])
            counts = cursor.fetchone()
    for (_sql, _params, then), count in zip(writes, counts, strict=True):
        if then is not None:
            then(count)
