"""The example's production settings connect to PostgreSQL with server-side binding
(docs/how-to/deploy.md, ``DATABASE_SERVER_SIDE_BINDING``), and only to PostgreSQL."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).parents[2]


def _database_settings(url: str, **env) -> dict:
    """``DATABASES["default"]`` as ``rrn.settings.production`` builds it (no server)."""
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", "import json, rrn.settings.production as s; "
         "print(json.dumps(s.DATABASES['default'], default=str))"],
        env={**{k: v for k, v in os.environ.items()
                if k not in ("DATABASE_SERVER_SIDE_BINDING", "DJANGO_SETTINGS_MODULE")},
             "SECRET_KEY": "x" * 50, "WAGTAILADMIN_BASE_URL": "https://rrn.example.org",
             "DATABASE_URL": url, **env,
             "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "example_project")])},
        capture_output=True, text=True, timeout=120, check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_postgresql_is_reached_with_server_side_binding_by_default():
    db = _database_settings("postgres://rrn@db-host:5432/rrn")
    assert db["OPTIONS"]["server_side_binding"] is True
    # Django turns psycopg's prepared statements off unless this is set.
    assert db["OPTIONS"]["prepare_threshold"] == 5
    assert db["CONN_MAX_AGE"] == 60  # the prepared statements live as long as this


@pytest.mark.parametrize("value", ["false", "False"])
def test_server_side_binding_can_be_turned_off(value):
    db = _database_settings("postgres://rrn@db-host:5432/rrn",
                            DATABASE_SERVER_SIDE_BINDING=value)
    assert "server_side_binding" not in db.get("OPTIONS", {})
    assert "prepare_threshold" not in db.get("OPTIONS", {})


def test_sqlite_is_not_given_a_postgresql_option(tmp_path):
    db = _database_settings(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert "server_side_binding" not in db["OPTIONS"]
