"""The example project as production runs it, for the real-server benchmark.

``rrn.settings.production`` (DEBUG off, Redis cache from REDIS_URL, PostgreSQL from
DATABASE_URL) with what a loopback benchmark needs: plain HTTP, no e-mail leaving the
machine, static files named without a manifest (so no ``collectstatic`` is needed;
the plain Wagtail site is served the same way).
"""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("WAGTAILADMIN_BASE_URL", "http://127.0.0.1")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")

from rrn.settings.production import *  # noqa: E402, F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", STATIC_ROOT)  # noqa: F405
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", MEDIA_ROOT)  # noqa: F405
# wrk sends every request from one address: the API's per-IP read throttle (600 a
# minute by default) would answer most of the benchmark's requests with 429. The
# benchmark measures serving, so the read throttle is off here (and only here).
WAGTAIL_PLEDGES = {**WAGTAIL_PLEDGES,  # noqa: F405
                   "API_THROTTLE_RATES": {"read": None}}
# For comparing runs only: BENCH_OUTBOX_GATHER_SECONDS=0 asks for delivery tasks that
# run at once (the package's default gathers for a second).
if os.environ.get("BENCH_OUTBOX_GATHER_SECONDS"):
    WAGTAIL_PLEDGES["OUTBOX_GATHER_SECONDS"] = float(os.environ["BENCH_OUTBOX_GATHER_SECONDS"])
