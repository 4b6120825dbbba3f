from django.apps import AppConfig, apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


class PledgesApiConfig(AppConfig):
    name = "wagtail_pledges.api"
    label = "wagtail_pledges_api"
    verbose_name = _("Membership API")

    def ready(self) -> None:
        # Without knox its token model cannot even be imported, so URL loading (and
        # with it the system checks that would name the app, E021) fails first:
        # say what to do here instead.
        if not apps.is_installed("knox"):
            raise ImproperlyConfigured(
                "'wagtail_pledges.api' needs 'knox' (django-rest-knox, API tokens) in "
                "INSTALLED_APPS: add it, as README.md's install snippet does "
                "(wagtail_pledges.E021)."
            )
        from .. import lifecycle
        from .auth import delete_expired_tokens

        lifecycle.register_daily_job(delete_expired_tokens)
