"""Migration 0012's stored search words: reversible on PostgreSQL, nothing at all
elsewhere (and no ``django.contrib.postgres`` needed anywhere)."""

import importlib
from contextlib import nullcontext
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.migrations.state import ProjectState

pytestmark = pytest.mark.django_db

migration = importlib.import_module("wagtail_pledges.migrations.0012_stored_search_words")


def columns() -> set[str]:
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(
            cursor, "wagtail_pledges_actionplan")}


def indexes() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, "wagtail_pledges_actionplan"))


def _no_sql(sql, params=()):
    raise AssertionError(f"no SQL expected outside PostgreSQL: {sql}")


def run(backwards: bool):
    from django.apps import apps

    state = ProjectState.from_apps(apps)
    operations = migration.Migration.operations
    if connection.vendor != "postgresql":
        # SQLite's schema editor cannot open inside a test's transaction; an editor
        # that fails on any statement shows that none is run.
        editor = SimpleNamespace(connection=connection, execute=_no_sql,
                                 quote_name=connection.ops.quote_name)
        editor_context = nullcontext(editor)
    else:
        editor_context = connection.schema_editor()
    with editor_context as editor:
        for operation in (reversed(operations) if backwards else operations):
            if backwards:
                operation.database_backwards("wagtail_pledges", editor, state, state)
            else:
                operation.database_forwards("wagtail_pledges", editor, state, state)


def test_the_migration_is_reversible_and_only_touches_postgresql():
    postgres = connection.vendor == "postgresql"
    stored = {"search_name", "search_summary"}
    assert (stored <= columns()) is postgres
    assert ("pledges_plan_search_name" in indexes()) is postgres
    assert ("pledges_plan_directory_words" in indexes()) is postgres
    run(backwards=True)
    assert not stored & columns()
    assert ("pledges_plan_summary_fts" in indexes()) is postgres  # 0008's, made again
    run(backwards=False)
    assert (stored <= columns()) is postgres
    assert "pledges_plan_summary_fts" not in indexes()
    assert ("pledges_plan_directory_words" in indexes()) is postgres
    # Django's own view of the model never includes the stored words.
    from wagtail_pledges.models import ActionPlan
    assert not stored & {f.column for f in ActionPlan._meta.get_fields() if hasattr(f, "column")}
