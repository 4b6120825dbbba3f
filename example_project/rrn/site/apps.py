from django.apps import AppConfig


class RRNSiteConfig(AppConfig):
    name = "rrn.site"
    label = "rrn_site"
    verbose_name = "RRN site"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .context_processors import contact_cache
        from .models import ContactSettings

        # The footer's contact details are cached: saving them makes the cache stale.
        post_save.connect(contact_cache.bump, sender=ContactSettings,
                          dispatch_uid="rrn-contact-saved")
        post_delete.connect(contact_cache.bump, sender=ContactSettings,
                            dispatch_uid="rrn-contact-deleted")
