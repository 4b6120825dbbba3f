from django.apps import AppConfig


class RRNSiteConfig(AppConfig):
    name = "rrn.site"
    label = "rrn_site"
    verbose_name = "RRN site"
    default_auto_field = "django.db.models.BigAutoField"
