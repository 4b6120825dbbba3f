"""Queries asked on every signed-in page view (or every submission), compiled to SQL
once per connection.

Django turns a query set into SQL afresh each time it runs: for a wide query with a few
joins that costs more CPU than the database spends answering it (about 1 ms against
0.1 ms for the viewer's standing). :class:`PreparedQuery` compiles a ``values_list``
query once per database connection, with a stand-in for its one varying value (a
user's primary key), then runs the same SQL with the real value — through the same
cursor and the same value converters the ORM would use, so the rows are exactly the
ORM's. :class:`PreparedObjects` does the same for a query set of model instances
(with its ``select_related`` joins and its ``select_for_update``): the instances are
built by the ORM's own iterable from the compiler that was prepared. Anything they
cannot prepare (a primary key that is not an integer, a query whose parameters hide
the stand-in) runs through the ORM as before.

The writes a submission makes the same way (``save_fields``, ``insert_rows``, a
clustered model's many-to-many links) are in :mod:`wagtail_pledges.row_writes`.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from django.db.transaction import TransactionManagementError

# Never a real primary key (they are positive); only ever compiled, never executed.
_STAND_IN = -7_340_033
# Never a real text key: no form field lets a NUL character through (nor PostgreSQL).
TEXT_STAND_IN = "\x00wagtail-pledges-stand-in\x00"


class _Compiled:
    """What both kinds share: ``build(key)``, compiled once per connection with a
    stand-in in the key's place, and the test of which keys it can be run for.

    The key is an integer (a primary key) unless ``key_type=str`` is given: then it is
    a text (a search's words), compiled with :data:`TEXT_STAND_IN`, a value no form
    lets through (Django's form fields refuse a NUL character).
    """

    def __init__(self, build: Callable[[object], QuerySet], key_type: type = int):
        self.build = build
        self.key_type = key_type
        self.stand_in = TEXT_STAND_IN if key_type is str else _STAND_IN
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _runs_for(self, key) -> bool:
        """Whether the compiled query can be run for ``key`` (else the ORM runs it)."""
        return type(key) is self.key_type and key != self.stand_in

    def _positions(self, params) -> list[int]:
        """Where the stand-in went among the compiled query's parameters."""
        return [n for n, value in enumerate(params)
                if type(value) is self.key_type and value == self.stand_in]


class PreparedQuery(_Compiled):
    """``build(key)`` → a ``values_list`` query set; :meth:`rows` runs it for a key."""

    def _prepare(self, using: str, connection):
        queryset = self.build(self.stand_in).using(using)
        compiler = queryset.query.get_compiler(using=using, connection=connection)
        sql, params = compiler.as_sql()
        positions = self._positions(params)
        if not positions:
            return None
        fields = [select[0] for select in compiler.select[: compiler.col_count]]
        return sql, tuple(params), positions, tuple(compiler.get_converters(fields).items())

    def rows(self, key, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
        if not self._runs_for(key):
            return list(self.build(key).using(using))
        connection = connections[using]
        prepared = self._compiled.get(connection)
        if prepared is None:
            prepared = self._prepare(using, connection) or False
            self._compiled[connection] = prepared
        if prepared is False:
            return list(self.build(key).using(using))
        sql, template, positions, converters = prepared
        params = list(template)
        for position in positions:
            params[position] = key
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not converters:
            return rows
        converted = []
        for row in rows:  # as the ORM's compiler applies them (apply_converters)
            row = list(row)
            for position, (functions, expression) in converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            converted.append(tuple(row))
        return converted


class PreparedObjects(_Compiled):
    """``build(key)`` → a query set of model instances; :meth:`objects` runs it for a key.

    The query set is compiled once per connection; each run gives its compiler the
    same SQL with the real key and lets Django's ``ModelIterable`` build the instances
    (``from_db``, ``select_related`` objects, converters) as it always does.
    """

    def _prepare(self, queryset: QuerySet, using: str, connection):
        query = queryset.query
        compiler = query.get_compiler(using=using, connection=connection)
        sql, params = compiler.as_sql()  # also fills compiler.select, klass_info, …
        positions = self._positions(params)
        if not positions:
            return None
        # Every run of this query set asks its query for a compiler: the prepared one,
        # with its value converters found once too (they depend on the columns only).
        query.get_compiler = lambda *args, **kwargs: compiler
        converters = compiler.get_converters(
            [select[0] for select in compiler.select[: compiler.col_count]])
        compiler.get_converters = lambda expressions: converters
        return queryset, compiler, sql, tuple(params), positions

    def objects(self, key, using: str = DEFAULT_DB_ALIAS) -> list:
        if not self._runs_for(key):
            return list(self.build(key).using(using))
        connection = connections[using]
        prepared = self._compiled.get(connection)
        if prepared is None:
            queryset = self.build(self.stand_in).using(using)
            if _locks_outside_transaction(queryset, connection):
                # The ORM raises; nothing is kept, so a call in a transaction prepares.
                return list(self.build(key).using(using))
            prepared = self._prepare(queryset, using, connection) or False
            self._compiled[connection] = prepared
        if prepared is False:
            return list(self.build(key).using(using))
        queryset, compiler, sql, template, positions = prepared
        if _locks_outside_transaction(queryset, connection):
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction.")
        params = list(template)
        for position in positions:
            params[position] = key
        compiler.as_sql = lambda *args, **kwargs: (sql, tuple(params))
        return list(ModelIterable(queryset))


class PreparedFamily:
    """One :class:`PreparedObjects` (or, with ``prepared=PreparedQuery``, one
    :class:`PreparedQuery`) per kind — a model, a field, a page's window — made on
    first use: ``build(kind)`` gives that kind's ``build(key)``; ``options`` (such as
    ``key_type``) go to each."""

    def __init__(self, build: Callable[[object], Callable[[object], QuerySet]],
                 prepared: type[_Compiled] | None = None, **options):
        self.build = build
        self.prepared = prepared or PreparedObjects
        self.options = options
        self._members: dict = {}

    def member(self, kind) -> _Compiled:
        found = self._members.get(kind)
        if found is None:
            found = self._members.setdefault(
                kind, self.prepared(self.build(kind), **self.options))
        return found

    def objects(self, kind, key, using: str = DEFAULT_DB_ALIAS) -> list:
        return self.member(kind).objects(key, using)

    def rows(self, kind, key, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
        return self.member(kind).rows(key, using)


def _locks_outside_transaction(queryset: QuerySet, connection) -> bool:
    """``select_for_update`` in autocommit mode, which the ORM refuses (as it does)."""
    features = connection.features
    return bool(queryset.query.select_for_update and features.has_select_for_update
                and features.supports_transactions and connection.get_autocommit())
