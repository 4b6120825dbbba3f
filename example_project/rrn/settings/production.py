import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
# Emailed links must not depend on a request's Host header in production.
WAGTAILADMIN_BASE_URL = os.environ["WAGTAILADMIN_BASE_URL"]
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "").split(",")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o
]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "true").lower() == "true"
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "3600"))
# `manage.py check --deploy` is clean with these (a CI test keeps it so). Turn them
# off only if a subdomain must still be served over plain HTTP.
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("SECURE_HSTS_INCLUDE_SUBDOMAINS",
                                                "true").lower() == "true"
SECURE_HSTS_PRELOAD = os.environ.get("SECURE_HSTS_PRELOAD", "true").lower() == "true"
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            # Django's Redis backend, building its client once per pool (docs: settings).
            "BACKEND": "wagtail_pledges.redis_cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
    # Sessions stay in PostgreSQL, read through the shared cache: a signed-in page
    # view costs one query fewer.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# The mail server from the environment (EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT,
# EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_USE_SSL, EMAIL_TIMEOUT):
# MAILERS["default"] on Django 6.1, those settings on 5.2 (rrn.settings.base).
_smtp = {name: os.environ[variable] for name, variable in SMTP_OPTIONS.items()  # noqa: F405
         if variable in os.environ}
for _name, _convert in (("port", int), ("timeout", float),
                        ("use_tls", lambda v: v.lower() == "true"),
                        ("use_ssl", lambda v: v.lower() == "true")):
    if _name in _smtp:
        _smtp[_name] = _convert(_smtp[_name])
globals().update(mail_settings(  # noqa: F405
    os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"), **_smtp))
# Behind a proxy, rate limits must count the client's address, not the proxy's: name
# the request.META key your proxy sets to it (e.g. HTTP_X_REAL_IP).
if os.environ.get("RATELIMIT_IP_META_KEY"):
    RATELIMIT_IP_META_KEY = os.environ["RATELIMIT_IP_META_KEY"]
# Emails are queued in the database and sent by a separate worker process
# (`manage.py db_worker`), never inside a web request: docs/how-to/deploy.md.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
