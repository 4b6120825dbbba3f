from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesPagesConfig(AppConfig):
    name = "wagtail_pledges.pages"
    label = "wagtail_pledges_pages"
    verbose_name = _("Membership pages")
    default_auto_field = "django.db.models.BigAutoField"
