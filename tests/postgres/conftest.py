import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _require_postgres(db):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: run `make test-postgres` (DATABASE_URL=postgres://…)"
        )


@pytest.fixture(autouse=True)
def _seed_taxonomies(_require_postgres):
    """transaction=True tests flush the database, data migrations included: re-seed."""
    import importlib

    from django.apps import apps as django_apps

    from wagtail_pledges.models import RestrictivePractice, Sector, Strategy

    seed = importlib.import_module("wagtail_pledges.migrations.0002_seed_taxonomies_and_reviewers")
    for model, rows in ((Strategy, seed.STRATEGIES), (RestrictivePractice, seed.PRACTICES),
                        (Sector, seed.SECTORS)):
        for order, (slug, name) in enumerate(rows):
            model.objects.get_or_create(slug=slug, defaults={"name": name, "sort_order": order})
    locations = importlib.import_module("wagtail_pledges.migrations.0006_location_and_slug_history")
    locations.seed_locations(django_apps, None)
