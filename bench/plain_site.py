"""The baseline: a fresh ``wagtail start`` site on the same PostgreSQL and Redis.

Built in a temporary directory with the shared virtualenv's ``wagtail`` command (as
``scripts/test_wheel.sh`` does), plus one tiny app for the ceiling: a signed-in POST
whose view does one INSERT and one counter UPDATE in a transaction.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SETTINGS = '''
import os

import dj_database_url

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "bench-only-not-secret"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
# The same connection as the example's production settings (server-side binding,
# statements prepared by psycopg): the baseline runs on the same stack, so a ratio
# measures the code, not a database option.
DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                      "LOCATION": os.environ["REDIS_URL"]}}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
INSTALLED_APPS = [*INSTALLED_APPS, "benchceiling"]
ROOT_URLCONF = "benchceiling.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
'''

MODELS = '''
from django.conf import settings
from django.db import models


class Entry(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)


class Tally(models.Model):
    value = models.BigIntegerField(default=0)
'''

VIEWS = '''
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F
from django.http import HttpResponse
from django.views.decorators.http import require_POST

from .models import Entry, Tally


@require_POST
@login_required
def ceiling(request):
    """The least a signed-in submission can do: one INSERT and one counter UPDATE."""
    with transaction.atomic():
        Entry.objects.create(user=request.user)
        Tally.objects.filter(pk=1).update(value=F("value") + 1)
    return HttpResponse(status=204)
'''

URLS = '''
from django.urls import path

from benchceiling.views import ceiling
from plainsite.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("bench/ceiling/", ceiling), *site_urlpatterns]
'''


def build(workdir: Path, env: dict) -> Path:
    """Create the plain site in ``workdir/plainsite``, migrate it; return its directory."""
    wagtail = Path(sys.executable).with_name("wagtail")
    site = workdir / "plainsite"
    subprocess.run([str(wagtail), "start", "plainsite"], cwd=workdir, check=True,
                   stdout=subprocess.DEVNULL)
    (site / "plainsite" / "settings" / "bench.py").write_text(SETTINGS)
    app = site / "benchceiling"
    (app / "migrations").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "migrations" / "__init__.py").write_text("")
    (app / "models.py").write_text(MODELS)
    (app / "views.py").write_text(VIEWS)
    (app / "urls.py").write_text(URLS)
    manage = [sys.executable, "manage.py"]
    for args in (["makemigrations", "benchceiling", "-v0"], ["migrate", "--noinput", "-v0"],
                 ["shell", "-v0", "-c",
                  "from benchceiling.models import Tally; Tally.objects.get_or_create(pk=1)"]):
        subprocess.run([*manage, *args], cwd=site, env=env, check=True, capture_output=True)
    return site
