"""Writing many rows fast: reserved primary keys, then COPY (PostgreSQL) or bulk_create.

Only for seeding benchmark volumes (``pledges_seed_bench``). Rows are tuples of
column values; every column a caller leaves out takes the model field's default, so
a ``COPY`` never trips over a ``NOT NULL`` column that only has a Python-side default.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connections, models
from django.utils import timezone

BATCH = 5000


class BulkWriter:
    """Insert rows for one database connection, the fastest way it allows."""

    def __init__(self, using: str = "default"):
        self.connection = connections[using]
        self.using = using
        self.now = timezone.now()
        self.postgres = self.connection.vendor == "postgresql"

    def reserve_ids(self, model: type[models.Model], count: int) -> list[int]:
        """``count`` fresh primary keys for ``model``, so children can point at rows
        before they are written (one statement on PostgreSQL)."""
        table = model._meta.db_table
        pk = model._meta.pk.column
        with self.connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                    "FROM generate_series(1, %s)", [table, pk, count],
                )
                return [row[0] for row in cursor.fetchall()]
            # SQLite hands out max(rowid) + 1; the caller writes inside one
            # transaction, so nothing else takes these in between.
            quoted = self.connection.ops.quote_name
            cursor.execute(f"SELECT COALESCE(MAX({quoted(pk)}), 0) FROM {quoted(table)}")  # noqa: S608
            start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))

    def write(self, model: type[models.Model], columns: Sequence[str],
              rows: Iterable[Sequence]) -> int:
        """Insert ``rows`` (tuples in the order of ``columns``, field attnames).

        Columns not named take the field's default (``auto_now_add`` fields: now).
        Returns the number of rows written.
        """
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(columns) - set(fields)
        if unknown:
            raise ValueError(f"{model.__name__} has no column(s) {sorted(unknown)}")
        if not self.postgres:
            return self._bulk_create(model, columns, rows)
        defaults = {
            name: self._default(field) for name, field in fields.items()
            if name not in columns and not field.primary_key
        }
        json_at = [i for i, name in enumerate(columns)
                   if isinstance(fields[name], models.JSONField)]
        all_columns = [*columns, *defaults]
        tail = tuple(defaults.values())
        quoted = self.connection.ops.quote_name
        sql = (f"COPY {quoted(model._meta.db_table)} "
               f"({', '.join(quoted(fields[c].column) for c in all_columns)}) FROM STDIN")
        written = 0
        with self.connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        row[i] = fields[columns[i]].get_db_prep_save(row[i], self.connection)
                copy.write_row((*row, *tail))
                written += 1
        return written

    def _default(self, field: models.Field):
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            return self.now
        return field.get_db_prep_save(field.get_default(), self.connection)

    def _bulk_create(self, model, columns, rows) -> int:
        batch, written = [], 0
        for row in rows:
            batch.append(model(**dict(zip(columns, row, strict=True))))
            if len(batch) >= BATCH:
                written += len(model.objects.using(self.using).bulk_create(batch))
                batch = []
        if batch:
            written += len(model.objects.using(self.using).bulk_create(batch))
        return written
