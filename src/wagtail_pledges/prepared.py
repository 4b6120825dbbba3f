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
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router
from django.db.models import Model, QuerySet
from django.db.models.constants import OnConflict
from django.db.models.query import ModelIterable
from django.db.models.signals import post_save, pre_save
from django.db.transaction import TransactionManagementError
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from modelcluster.utils import sort_by_fields

from .sql_writes import write

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


# -- UPDATE of a few fields of one row -------------------------------------------------

_SAVES = {Model.save, ClusterableModel.save}
_update_sql: dict[tuple, str] = {}


def save_fields(instance: Model, names: list[str] | tuple[str, ...]) -> None:
    """``instance.save(update_fields=names)``, its ``UPDATE`` written once per model,
    fields and database vendor instead of compiled by the ORM on every save.

    The same row written the same way: each field's ``pre_save`` and
    ``get_db_prep_save`` give the values, ``pre_save`` and ``post_save`` are sent
    with ``update_fields`` (so every receiver runs as before), a row that is gone
    raises as Django does, and a clustered model's many-to-many fields among
    ``names`` are committed after the row, as modelcluster does. A model whose
    ``save`` is its own, one with parent tables, a field with a placeholder of its
    own, a value that is an expression (``F()``) or a name that is not a plain
    column goes through ``save()``.

    Inside a :func:`.sql_writes.writes_together` block (PostgreSQL) the ``UPDATE`` is
    one of the block's writes, sent with them when it ends; ``post_save`` and the
    many-to-many commit then run there, after it, so a receiver still sees the row as
    saved. Reads made in the block before it ends see the row as it was.
    """
    model = type(instance)
    meta = model._meta
    m2m = [name for name in names if isinstance(meta.get_field(name), ParentalManyToManyField)]
    columns = [name for name in names if name not in m2m]
    fields = [meta.get_field(name) for name in columns]
    if (model.save not in _SAVES or meta.parents or meta.proxy or not names
            or any(not getattr(f, "concrete", False) or f.many_to_many or f.primary_key
                   or hasattr(f, "get_placeholder")
                   or hasattr(getattr(instance, f.attname), "resolve_expression")
                   for f in fields)
            or (m2m and not isinstance(instance, ClusterableModel))):
        instance.save(update_fields=list(names))
        return
    if not columns:  # save(update_fields=[]) writes nothing and sends no signal
        for name in m2m:
            _commit_parental_m2m(instance, meta.get_field(name))
        return
    using = router.db_for_write(model, instance=instance)
    connection = connections[using]
    update_fields = frozenset(names)
    instance._prepare_related_fields_for_save(operation_name="save", fields=fields)
    pre_save.send(sender=model, instance=instance, raw=False, using=using,
                  update_fields=update_fields)
    values = [f.get_db_prep_save(f.pre_save(instance, False), connection) for f in fields]
    key = (model, tuple(columns), connection.vendor)
    sql = _update_sql.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        sql = _update_sql.setdefault(key, (
            f"UPDATE {quote(meta.db_table)} SET {assignments} "  # noqa: S608 (quoted names)
            f"WHERE {quote(meta.pk.column)} = %s"))

    def saved(count: int) -> None:
        if count < 1:
            raise DatabaseError("Save with update_fields did not affect any rows.")
        instance._state.db, instance._state.adding = using, False
        post_save.send(sender=model, instance=instance, created=False,
                       update_fields=update_fields, raw=False, using=using)
        for name in m2m:  # as ClusterableModel.save: the row first, then its relations
            _commit_parental_m2m(instance, meta.get_field(name))

    # At once, or with a writes_together block's other writes when it ends (then
    # ``saved`` runs there: post_save still follows the row's UPDATE).
    write(sql, [*values, meta.pk.get_db_prep_value(instance.pk, connection)], using=using,
          then=saved, rows=[(meta.db_table, instance.pk)])


def set_parental_m2m(instance: ClusterableModel, name: str, objs) -> None:
    """``setattr(instance, name, objs)`` for a parental many-to-many field given model
    instances (a form's cleaned data): the list modelcluster's manager would keep in
    memory (sorted as the related model orders), without building the manager — which
    costs more than the rest of setting it. :func:`save_fields` writes it with the row."""
    field = type(instance)._meta.get_field(name)
    # Nothing ticked is a form's ``queryset.none()``: known empty without asking the
    # compiler to find out.
    objs = [] if isinstance(objs, QuerySet) and objs.query.is_empty() else list(objs)
    if not _in_related_order(field, objs):
        setattr(instance, name, objs)  # primary keys: modelcluster's own way
        return
    if not hasattr(instance, "_cluster_related_objects"):
        instance._cluster_related_objects = {}
    instance._cluster_related_objects[name] = objs


def _in_related_order(field, objs: list) -> bool:
    """Sort ``objs`` (in place) as ``field``'s related model orders its rows, if they
    are all instances of it; whether they were."""
    if any(not isinstance(obj, field.related_model) for obj in objs):
        return False
    ordering = field.related_model._meta.ordering
    if ordering and len(objs) > 1:
        sort_by_fields(objs, ordering)
    return True


def _related_query(field):
    related, lookup = field.related_model, field.related_query_name()
    return lambda pk: related._default_manager.filter(**{lookup: pk})


_related = PreparedFamily(_related_query)


def related_objects(field, pk, using: str = DEFAULT_DB_ALIAS) -> list:
    """The objects many-to-many ``field`` links to row ``pk`` (in the related model's
    own order), read by a query compiled once per connection."""
    return _related.objects(field, pk, using)


def live_links_attribute(field: ParentalManyToManyField) -> str:
    """The attribute that may carry the ids ``field`` links to now, read with the row
    (a pledge's lock on PostgreSQL): :func:`save_fields` then diffs against them
    instead of reading the links again. Used once; a later save reads them."""
    return f"pledges_live_{field.name}"


def _commit_parental_m2m(instance: ClusterableModel, field: ParentalManyToManyField) -> None:
    """modelcluster's ``DeferringManyRelatedManager.commit()``, with the live links
    read by a query compiled once per connection (or with the row, see
    :func:`live_links_attribute`): the items set in memory replace the stored ones,
    through Django's own ``remove`` and ``add`` (which send ``m2m_changed``), only
    where they differ."""
    final = getattr(instance, "_cluster_related_objects", {}).get(field.name)
    live_ids = instance.__dict__.pop(live_links_attribute(field), None)
    if final is None:  # never set in memory: nothing to write
        return
    original = getattr(instance, field.name).get_original_manager()
    if live_ids is not None:
        kept, live = {item.pk for item in final}, set(live_ids)
        to_remove = [pk for pk in live_ids if pk not in kept]
        to_add = [item for item in final if item.pk not in live]
    else:
        live = related_objects(field, instance.pk,
                               router.db_for_write(type(instance), instance=instance))
        to_remove = [item for item in live if item not in final]
        to_add = [item for item in final if item not in live]
    if to_remove:
        original.remove(*to_remove)
    if to_add:
        original.add(*to_add)
    del instance._cluster_related_objects[field.name]
    # What the links are now, in the related model's order: a caller answering with
    # them (the API's pledge state) need not read them back.
    linked = list(final)
    if _in_related_order(field, linked):
        instance.__dict__[saved_links_attribute(field)] = linked


def saved_links_attribute(field: ParentalManyToManyField) -> str:
    """The attribute that carries the objects a save of this instance has just linked
    ``field`` to (in the related model's order), set when :func:`save_fields` wrote
    them; absent when nothing was written."""
    return f"pledges_saved_{field.name}"


# -- INSERT of a few new rows -------------------------------------------------------------

_insert_sql: dict[tuple, str] = {}


# Values written as SQL literals by insert_rows: None, and the empty string (the
# literal is coerced to the column's type, as a parameter would be).
_LITERAL_TYPES = {type(None), str}
_LITERALS = {None: "NULL", "": "''"}


def insert_rows(objs: list[Model], *, ignore_conflicts: bool = False,
                keys: bool = True) -> None:
    """``bulk_create(objs, ignore_conflicts=…)`` for a few new rows of one model, its
    ``INSERT`` written once per model, row count and vendor instead of compiled by the
    ORM on every call.

    The same rows: each field's ``pre_save(add=True)`` and ``get_db_prep_save`` give
    the values; primary keys are set from ``RETURNING`` where the database returns
    them and ``bulk_create`` would (not with ``ignore_conflicts``); no signal is sent,
    as ``bulk_create`` sends none. Rows that carry their own primary key or an
    expression, models with parent tables and fields with placeholders of their own
    go through ``bulk_create``.

    Without ``RETURNING`` (``ignore_conflicts``, or ``keys=False`` from a caller that
    never reads the new rows' keys) the insert is a :func:`.sql_writes.write`: inside
    :func:`.sql_writes.writes_together` it goes with the block's other writes, and the
    rows keep no primary key.
    """
    objs = list(objs)
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    if (meta.parents or meta.proxy or len(objs) > 20
            or not getattr(meta.pk, "db_returning", False)  # not a database-made key
            or any(type(obj) is not model or obj.pk is not None for obj in objs)
            or any(getattr(f, "generated", False) or hasattr(f, "get_placeholder")
                   for f in fields)
            or any(hasattr(getattr(obj, f.attname), "resolve_expression")
                   for obj in objs for f in fields)):
        model._base_manager.bulk_create(objs, ignore_conflicts=ignore_conflicts)
        return
    using = router.db_for_write(model)
    connection = connections[using]
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection)
              for obj in objs for f in fields]
    # NULL and '' are written into the statement, not sent as parameters: the same
    # rows, and a submission's batch stays within the parameters psycopg keeps its
    # conversion of a query for (50), instead of parsing it again on every call.
    literals = tuple(_LITERALS.get(value) if type(value) in _LITERAL_TYPES else None
                     for value in values)
    params = [value for value, literal in zip(values, literals, strict=True)
              if literal is None]
    returning = (keys and not ignore_conflicts
                 and connection.features.can_return_rows_from_bulk_insert)
    key = (model, len(objs), ignore_conflicts, returning, connection.vendor, literals)
    sql = _insert_sql.get(key)
    if sql is None:
        ops, quote = connection.ops, connection.ops.quote_name
        on_conflict = OnConflict.IGNORE if ignore_conflicts else None
        cells = [literal or "%s" for literal in literals]
        width = len(fields)
        rows = ["(" + ", ".join(cells[n:n + width]) + ")" for n in range(0, len(cells), width)]
        sql = " ".join(part for part in (
            ops.insert_statement(on_conflict=on_conflict), quote(meta.db_table),
            "(" + ", ".join(quote(f.column) for f in fields) + ")",
            "VALUES " + ", ".join(rows),
            ops.on_conflict_suffix_sql(fields, on_conflict, None, None),
            _returning_sql(ops, meta.pk) if returning else "",
        ) if part)
        sql = _insert_sql.setdefault(key, sql)
    if returning:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            returned = _fetch_returned(connection.ops, cursor)
    else:
        returned = None
        write(sql, params, using=using)
    for n, obj in enumerate(objs):
        if returned is not None:
            setattr(obj, meta.pk.attname, returned[n][0])
        obj._state.db, obj._state.adding = using, False


def _returning_sql(ops, pk) -> str:
    """``RETURNING <pk>``, as the backend writes it (Django 6 renamed the method)."""
    if hasattr(ops, "returning_columns"):  # Django 6
        return ops.returning_columns([pk])[0]
    return ops.return_insert_columns([pk])[0]


def _fetch_returned(ops, cursor) -> list:
    """The rows a ``RETURNING`` gave, read as the backend reads them (Django 6 renamed
    the method)."""
    if hasattr(ops, "fetch_returned_rows"):  # Django 6
        return ops.fetch_returned_rows(cursor, ())
    return ops.fetch_returned_insert_rows(cursor)
