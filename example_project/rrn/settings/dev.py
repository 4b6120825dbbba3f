from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = "rrn-demo-insecure-key-change-me"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
globals().update(mail_settings("django.core.mail.backends.console.EmailBackend"))  # noqa: F405
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
