"""System check for a half-done switch to the wagtail-modeladmin admin."""

from __future__ import annotations

from django.apps import apps
from django.core import checks


@checks.register(checks.Tags.compatibility)
def check_modeladmin_installed(app_configs=None, **kwargs):
    """``wagtail_pledges.W001``: the contrib app needs ``wagtail_modeladmin`` too."""
    if apps.is_installed("wagtail_modeladmin"):
        return []
    return [
        checks.Warning(
            '"wagtail_pledges.contrib.modeladmin" is installed without "wagtail_modeladmin".',
            hint=(
                'Add "wagtail_modeladmin" to INSTALLED_APPS, or remove '
                '"wagtail_pledges.contrib.modeladmin" to use the default Membership '
                "viewsets. Until then the site has no Membership listings."
            ),
            id="wagtail_pledges.W001",
        )
    ]
