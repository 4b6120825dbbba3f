"""Test settings: a custom user model; SQLite by default, DATABASE_URL for PostgreSQL."""

import os

import dj_database_url
import django

from wagtail_pledges.task_framework import task_backend

BASE_DIR = os.path.dirname(os.path.abspath(__file__))
SECRET_KEY = "tests-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
TIME_ZONE = "Europe/London"
LANGUAGE_CODE = "en-gb"

INSTALLED_APPS = [
    "tests.testapp",
    "tests.testsite",
    "wagtail_pledges",
    "wagtail_pledges.pages",
    "wagtail_pledges.api",
    "rest_framework",
    "knox",
    "drf_spectacular_sidecar",
    "django_filters",
    # The production task worker's queue (tests/core/test_task_worker.py).
    "django_tasks_db",
    "wagtail.api.v2",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "tests.urls"
AUTH_USER_MODEL = "testapp.User"
# The package's backend: a signed-in user is read with their standing and admin access
# in one query (wagtail_pledges.auth), so every signed-in test goes through it.
AUTHENTICATION_BACKENDS = ["wagtail_pledges.auth.ModelBackend"]
LOGIN_URL = "/login/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(BASE_DIR, "templates")],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ]
        },
    }
]

# The example's production connection to PostgreSQL (bench/settings.py uses it too).
POSTGRES_PREPARED = {"server_side_binding": True, "prepare_threshold": 5}
_db = dj_database_url.config(default="sqlite:///" + os.path.join(BASE_DIR, "test.sqlite3"))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db.setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
else:
    # PostgreSQL as the example's production settings connect to it: parameters bound
    # by the server, statements prepared once per connection (docs: how-to/deploy.md).
    # PLEDGES_TEST_SERVER_SIDE_BINDING=0 runs the suite with Django's default instead.
    if os.environ.get("PLEDGES_TEST_SERVER_SIDE_BINDING", "1") != "0":
        _db.setdefault("OPTIONS", {}).update(POSTGRES_PREPARED)
    if os.environ.get("PLEDGES_TEST_DB_NAME"):
        # A nested test run (e.g. the modeladmin suite) must not clobber ours.
        _db["TEST"] = {"NAME": os.environ["PLEDGES_TEST_DB_NAME"]}
DATABASES = {"default": _db}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": task_backend("immediate")}}
memory_mail = "django.core.mail.backends.locmem.EmailBackend"
if django.VERSION >= (6, 1):  # MAILERS replaces EMAIL_BACKEND (deprecated; not both)
    MAILERS = {"default": {"BACKEND": memory_mail}}
else:
    EMAIL_BACKEND = memory_mail
DEFAULT_FROM_EMAIL = "network@example.org"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

STATIC_URL = "/static/"
STATIC_ROOT = os.path.join(BASE_DIR, "static-collected")
MEDIA_URL = "/media/"
# PLEDGES_TEST_MEDIA_ROOT: a folder of its own for a run beside another (.ci/run runs
# the Django 6 leg beside make test, and the browser tests beside the PostgreSQL leg).
MEDIA_ROOT = os.environ.get("PLEDGES_TEST_MEDIA_ROOT") or os.path.join(BASE_DIR, "media")
# Files of restricted collections go to a private folder beside MEDIA_ROOT.
STORAGES = {
    "default": {"BACKEND": "wagtail_pledges.files.storage.CollectionPrivacyStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

WAGTAIL_SITE_NAME = "Test network"
WAGTAILADMIN_BASE_URL = "http://testserver"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

WAGTAIL_PLEDGES = {
    "HISTORIC_BASELINE": {"individuals": 1613, "organisations": 375, "label": "2014–2019"},
}
