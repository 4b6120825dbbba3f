from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesApiConfig(AppConfig):
    name = "wagtail_pledges.api"
    label = "wagtail_pledges_api"
    verbose_name = _("Membership API")
