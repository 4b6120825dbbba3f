"""Benchmark settings: the test settings on a throwaway database.

BENCH_DATABASE_URL picks the database (default: a temporary SQLite file).
"""

import os
import tempfile

import dj_database_url

from tests.settings import *  # noqa: F403
from wagtail_pledges.task_framework import task_backend

DEBUG = False
_default = "sqlite:///" + os.path.join(tempfile.gettempdir(), "pledges-bench.sqlite3")
DATABASES = {"default": dj_database_url.parse(os.environ.get("BENCH_DATABASE_URL", _default))}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 30}
# Delivery is a task worker's job after commit; benchmarks time the request's work.
TASKS = {"default": {"BACKEND": task_backend("dummy")}}
ROOT_URLCONF = "bench.urls"
# As the example runs in production: the site and the page route from the page cache.
MIDDLEWARE = [*MIDDLEWARE,  # noqa: F405
              "wagtail_pledges.middleware.CachedSiteMiddleware",
              "wagtail_pledges.middleware.CachedRouteMiddleware"]
if os.environ.get("BENCH_PREPARED") == "1" and "postgresql" in DATABASES["default"]["ENGINE"]:
    # The example's production connection: server-side binding, statements prepared.
    DATABASES["default"]["OPTIONS"] = dict(POSTGRES_PREPARED)  # noqa: F405
