"""Writes made on every submission, written once per model instead of compiled by the
ORM each time: :func:`save_fields` (``save(update_fields=…)``), :func:`insert_rows`
(``bulk_create`` of a few rows), and a clustered model's parental many-to-many links
(:func:`set_parental_m2m`, committed with the row). Each writes the same rows and sends
the same signals as the ORM call it stands for; inside
:func:`.sql_writes.writes_together` their statements go with the block's other writes.

The compiled reads are in :mod:`wagtail_pledges.prepared`.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router
from django.db.models import Model, QuerySet
from django.db.models.constants import OnConflict
from django.db.models.signals import post_save, pre_save
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from modelcluster.utils import sort_by_fields

from .prepared import PreparedFamily
from .sql_writes import write

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
