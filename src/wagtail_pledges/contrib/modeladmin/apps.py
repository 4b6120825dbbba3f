from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesModelAdminConfig(AppConfig):
    name = "wagtail_pledges.contrib.modeladmin"
    label = "wagtail_pledges_modeladmin"
    verbose_name = _("Membership (wagtail-modeladmin)")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system check)
