"""Issue 10 (CI): `manage.py check --deploy` is clean with the example's production
settings; ruff's security rules (S, bandit's) are clean on the package."""

import os
import pathlib
import secrets
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).parents[2]


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    """(The check connects to no cache or database server.)"""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rrn.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "rrn.example.org",
        "WAGTAILADMIN_BASE_URL": "https://rrn.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "example_project")]),
    }
    # Production shares one cache between processes (docs/how-to/deploy.md); without
    # it check W015 warns that privacy changes would reach other processes late.
    env["REDIS_URL"] = "redis://127.0.0.1:6379/9"
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "example_project/manage.py"), "check", "--deploy",
         "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_security_lint_is_clean_on_the_package():
    ruff = shutil.which("ruff") or str(pathlib.Path(sys.executable).with_name("ruff"))
    if not pathlib.Path(ruff).exists():
        pytest.skip("ruff is not installed")
    result = subprocess.run(  # noqa: S603 - a fixed command line
        [ruff, "check", "--select", "S", "--no-cache", str(ROOT / "src")],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stdout
