from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WagtailPledgesConfig(AppConfig):
    name = "wagtail_pledges"
    label = "wagtail_pledges"
    verbose_name = _("Membership")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks, signal_handlers  # noqa: F401  (registers checks and receivers)
        from .files import checks as file_checks  # noqa: F401
        from .files import receivers

        receivers.connect()

        from django.db.models.signals import post_migrate

        from .notifications.tasks import ensure_wakeup_row

        post_migrate.connect(ensure_wakeup_row, sender=self,
                             dispatch_uid="wagtail_pledges.ensure_wakeup_row")

        from . import campaign, lifecycle

        lifecycle.register_daily_job(campaign.run_campaign)
