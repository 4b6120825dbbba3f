"""Full-text search that uses an index on PostgreSQL and still works on SQLite.

On PostgreSQL, :func:`matches` is ``to_tsvector('simple', column) @@ to_tsquery(…)``,
answered from a GIN expression index (:class:`TextSearchIndex`, added by migration
0008) with every word of the query matched as a prefix, so "trau inf" finds
"trauma-informed". Other databases keep the ``icontains`` substring match. The
``simple`` configuration neither stems nor drops stop words: it behaves like the
substring search it replaces, whatever the site's language.

:class:`StoredTextSearch` keeps ``to_tsvector('simple', column)`` in a column of its
own on PostgreSQL (``GENERATED ALWAYS AS … STORED``: the database writes it with the
row, so it is never stale) with a GIN index, so a search need not compute
``to_tsvector`` again (the directory's: ``directory.StoredWordsSearch``). The column is
not a model field: Django never reads or writes it, and other databases never have it.

Nothing here imports ``django.contrib.postgres``, so a site without psycopg is fine.
"""

from __future__ import annotations

import re

from django.db import DEFAULT_DB_ALIAS, connections, migrations
from django.db.models import BooleanField, F, Func, Q, Value

CONFIG = "simple"
# A word is anything between spaces and tsquery's own operators: PostgreSQL's parser
# then splits it as it split the indexed text (an email address or a hyphenated word
# stays whole, as in the index), and no input is tsquery syntax.
_WORD = re.compile(r"[^\s&|!():*'\\<>]+")


def prefix_query(value: str) -> str:
    """``"trau  inf!"`` → ``"trau:* & inf:*"``: every word, as a prefix. No tsquery
    operator reaches ``to_tsquery``, so no input is tsquery syntax (or an error)."""
    return " & ".join(f"{word}:*" for word in _WORD.findall(value.lower()))


class _Matches(Func):
    """``to_tsvector('simple', column) @@ to_tsquery('simple', query)``: written out
    so the expression is the GIN index's, character for character."""

    output_field = BooleanField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        (column, column_params), (query, query_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        return (
            f"to_tsvector('{CONFIG}'::regconfig, {column}) @@ "
            f"to_tsquery('{CONFIG}'::regconfig, {query})",
            (*column_params, *query_params),
        )


def uses_index(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether searches run as full-text queries (PostgreSQL) or substring scans."""
    return connections[using].vendor == "postgresql"


def matches(field: str, value: str, *, using: str = DEFAULT_DB_ALIAS) -> Q:
    """A filter for rows whose ``field`` contains every word of ``value``: a full-text
    prefix match on PostgreSQL, a substring match elsewhere."""
    query = prefix_query(value)
    if uses_index(using) and query:
        return Q(_Matches(F(field), Value(query)))
    return Q(**{f"{field}__icontains": value.strip()})


class _PostgresIndex(migrations.operations.base.Operation):
    """An index made only on PostgreSQL, named ``self.name``, outside the model state
    (the database's business); reversed, it is dropped."""

    reversible = True
    reduces_to_sql = True

    def state_forwards(self, app_label, state):
        pass  # the model state does not change

    def index_sql(self, quote) -> str:
        """What follows ``CREATE INDEX … ON table``."""
        raise NotImplementedError

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        quote = schema_editor.quote_name
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(self.name)} ON {quote(model._meta.db_table)} "
            f"{self.index_sql(quote)}")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(self.name)}")


class TextSearchIndex(_PostgresIndex):
    """A GIN index on ``to_tsvector('simple', column)``, made only on PostgreSQL.

    A migration operation rather than ``Meta.indexes``: a ``GinIndex`` would need
    ``django.contrib.postgres`` on every database, and SQLite has no GIN.
    """

    def __init__(self, model_name: str, column: str, name: str):
        self.model_name, self.column, self.name = model_name, column, name

    def deconstruct(self):
        return (self.__class__.__qualname__, [],
                {"model_name": self.model_name, "column": self.column, "name": self.name})

    def index_sql(self, quote) -> str:
        return f"USING gin (to_tsvector('{CONFIG}'::regconfig, {quote(self.column)}))"

    def describe(self):
        return f"Full-text GIN index {self.name} on {self.model_name}.{self.column} (PostgreSQL)"


class DropTextSearchIndex(TextSearchIndex):
    """Drops a :class:`TextSearchIndex` (PostgreSQL only); reversed, it makes it again."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        super().database_backwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"Drop full-text GIN index {self.name} (PostgreSQL)"


class StoredTextSearch(migrations.operations.base.Operation):
    """``column tsvector GENERATED ALWAYS AS (to_tsvector('simple', source)) STORED``
    and a GIN index on it, made only on PostgreSQL (elsewhere: nothing).

    PostgreSQL computes the column whenever the row is written, so it is as true as
    ``source``. It is not in the model's state: Django never selects, inserts or
    updates it. While it exists, ``source``'s type cannot be altered (PostgreSQL
    refuses to change a column a generated column uses): a migration altering it must
    drop this first (reverse this operation) and make it again afterwards.
    """

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str, source: str, column: str, index_name: str):
        self.model_name, self.source = model_name, source
        self.column, self.index_name = column, index_name

    def deconstruct(self):
        return (self.__class__.__qualname__, [],
                {"model_name": self.model_name, "source": self.source,
                 "column": self.column, "index_name": self.index_name})

    def state_forwards(self, app_label, state):
        pass  # not a model field: the column is the database's business

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        quote = schema_editor.quote_name
        table = quote(model._meta.db_table)
        source = quote(model._meta.get_field(self.source).column)
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {quote(self.column)} tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('{CONFIG}'::regconfig, {source})) STORED")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(self.index_name)} ON {table} "
            f"USING gin ({quote(self.column)})")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        model = from_state.apps.get_model(app_label, self.model_name)
        quote = schema_editor.quote_name
        schema_editor.execute(f"DROP INDEX IF EXISTS {quote(self.index_name)}")
        schema_editor.execute(f"ALTER TABLE {quote(model._meta.db_table)} "
                              f"DROP COLUMN IF EXISTS {quote(self.column)}")

    def describe(self):
        return (f"Stored tsvector {self.column} of {self.model_name}.{self.source} and "
                f"its GIN index {self.index_name} (PostgreSQL)")


class CoveringIndex(_PostgresIndex):
    """A partial B-tree index on ``columns`` that also carries ``include`` (columns that
    need not be model fields, such as :class:`StoredTextSearch`'s), made only on
    PostgreSQL: a walk of it that reads only these columns never visits the table."""

    def __init__(self, model_name: str, name: str, columns: list, include: list,
                 condition: str):
        self.model_name, self.name = model_name, name
        self.columns, self.include, self.condition = list(columns), list(include), condition

    def deconstruct(self):
        return (self.__class__.__qualname__, [],
                {"model_name": self.model_name, "name": self.name, "columns": self.columns,
                 "include": self.include, "condition": self.condition})

    def index_sql(self, quote) -> str:
        return (f"({', '.join(map(quote, self.columns))}) "
                f"INCLUDE ({', '.join(map(quote, self.include))}) WHERE {self.condition}")

    def describe(self):
        return f"Covering index {self.name} on {self.model_name} (PostgreSQL)"
