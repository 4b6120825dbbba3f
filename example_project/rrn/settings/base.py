"""RRN site settings shared by every environment."""

import datetime
import os
from pathlib import Path

import dj_database_url
import django

from wagtail_pledges.task_framework import task_backend

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

INSTALLED_APPS = [
    "rrn.site",
    "wagtail_pledges",
    "wagtail_pledges.pages",
    "wagtail_pledges.api",
    "rest_framework",
    "knox",
    "drf_spectacular_sidecar",
    "django_filters",
    # The task queue production's worker reads (rrn.settings.production).
    "django_tasks_db",
    "wagtail.api.v2",
    "allauth",
    "allauth.account",
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
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Wagtail's site lookup from the cache (one query less on every page view).
    "wagtail_pledges.middleware.CachedSiteMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Wagtail's page routing and view-restriction check from the cache (no queries).
    "wagtail_pledges.middleware.CachedRouteMiddleware",
    "wagtail_pledges.middleware.RequestBaseURLMiddleware",
]

ROOT_URLCONF = "rrn.urls"
WSGI_APPLICATION = "rrn.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "rrn.site.context_processors.site_nav",
                "rrn.site.context_processors.site_contact",
            ]
        },
    }
]

# SQLite by default; set DATABASE_URL for PostgreSQL (postgres://user@host/db).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue up at BEGIN instead of failing mid-transaction.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif os.environ.get("DATABASE_SERVER_SIDE_BINDING", "true").lower() == "true":
    # PostgreSQL binds the parameters and psycopg prepares a statement it has run five
    # times on a connection, so the server plans it once, not on every request: a
    # pledge submission costs PostgreSQL about half the CPU and the web worker about
    # 13 % less (docs/explanation/performance.md). Behind PgBouncer in transaction
    # mode, use PgBouncer >= 1.21 with max_prepared_statements, or set this to false.
    # (Django turns psycopg's preparing off unless OPTIONS sets prepare_threshold.)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Django's and allauth's backends, each reading a signed-in user with their membership
# standing and admin access in one query (wagtail_pledges.auth).
AUTHENTICATION_BACKENDS = [
    "wagtail_pledges.auth.ModelBackend",
    "rrn.auth.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/pledges/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# allauth sends no "Hello from …" confirmation: wagtail-pledges confirms the address
# itself when a member joins (one email), and EMAIL_VERIFIED_HOOK below still counts
# any address allauth has verified.
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static"
STATICFILES_DIRS = [PROJECT_DIR / "static"]
MEDIA_URL = "/media/"
# MEDIA_ROOT may be set in the environment (tests build throwaway demo sites).
MEDIA_ROOT = os.environ.get("MEDIA_ROOT") or BASE_DIR / "media"
# Files of members-only collections are kept in "private-media" beside MEDIA_ROOT
# (never under it) and served only through policy-checked views: see
# docs/how-to/serve-private-files.md.
STORAGES = {
    "default": {"BACKEND": "wagtail_pledges.files.storage.CollectionPrivacyStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

WAGTAIL_SITE_NAME = "Restraint Reduction Network"
# Emailed links: set WAGTAILADMIN_BASE_URL in production. Unset (the demo), links use
# the address the request came in on (RequestBaseURLMiddleware), whatever the port.
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL") or None
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_SERVE_METHOD = "serve_view"
DEFAULT_FROM_EMAIL = "Restraint Reduction Network <network@restraintreductionnetwork.org>"

# The demo sends emails in the request, after commit; production queues them in the
# database for the `db_worker` process (see rrn.settings.production).
# The built-in backend of this Django line's task framework (django.tasks on Django 6,
# the django-tasks backport on 5.2): see wagtail_pledges.task_framework.
TASKS = {"default": {"BACKEND": task_backend("immediate")}}

# The membership API needs no REST_FRAMEWORK or SPECTACULAR_SETTINGS: its views set
# their own schema, authentication, throttles and error format.

WAGTAIL_PLEDGES = {
    # RRN's real deadline was 30 September 2020. The demo keeps its campaign live: the
    # deadline is 75 days after the day the site starts, unless RRN_LEGACY_DEADLINE
    # (YYYY-MM-DD) names one.
    "LEGACY_DEADLINE": os.environ.get("RRN_LEGACY_DEADLINE")
    or (datetime.date.today() + datetime.timedelta(days=75)).isoformat(),
    "HISTORIC_BASELINE": {
        "individuals": 1613,
        "organisations": 375,
        "label": "June 2014 – June 2019",
    },
    "EMAIL_VERIFIED_HOOK": "wagtail_pledges.accounts.allauth_email_verified",
    # Announced as "coming soon"; switch to {"STATUS": "open", "URL": "https://…"}.
    "FORUM": {
        "STATUS": "coming_soon",
        "NOTE": "The members' forum is coming soon: we plan to open it in summer 2020.",
        "URL": "",
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# The SMTP backend's options (Django 6.1's MAILERS OPTIONS) and the settings Django 5.2
# reads for them.
SMTP_OPTIONS = {"host": "EMAIL_HOST", "port": "EMAIL_PORT", "username": "EMAIL_HOST_USER",
                "password": "EMAIL_HOST_PASSWORD", "use_tls": "EMAIL_USE_TLS",
                "use_ssl": "EMAIL_USE_SSL", "timeout": "EMAIL_TIMEOUT"}


def mail_settings(backend: str, **options) -> dict:
    """The settings that make ``backend`` send this site's email, with its ``options``
    (``SMTP_OPTIONS``' names): ``MAILERS`` from Django 6.1, which deprecates
    ``EMAIL_BACKEND`` and the other ``EMAIL_*`` settings and refuses them beside it;
    those settings on 5.2. Use as ``globals().update(mail_settings(...))``."""
    if django.VERSION >= (6, 1):
        mailer = {"BACKEND": backend}
        if options:
            mailer["OPTIONS"] = options
        return {"MAILERS": {"default": mailer}}
    return {"EMAIL_BACKEND": backend, **{SMTP_OPTIONS[name]: value
                                         for name, value in options.items()}}
