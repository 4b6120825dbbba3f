from django.apps import AppConfig


class RRNSiteConfig(AppConfig):
    name = "rrn.site"
    label = "rrn_site"
    verbose_name = "RRN site"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from wagtail_pledges.versioned_cache import page_cache

        from .models import ContactSettings

        # The footer's contact details are in the page cache: saving them makes it stale.
        post_save.connect(page_cache.bump, sender=ContactSettings,
                          dispatch_uid="rrn-contact-saved")
        post_delete.connect(page_cache.bump, sender=ContactSettings,
                            dispatch_uid="rrn-contact-deleted")
