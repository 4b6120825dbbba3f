"""What ``wagtail_hooks.py`` registers, and whether the default viewsets are wanted."""

from __future__ import annotations

from django.apps import apps

MODELADMIN_APP = "wagtail_pledges.contrib.modeladmin"


def uses_modeladmin() -> bool:
    """The opt-in wagtail-modeladmin admin replaces the default viewsets."""
    return apps.is_installed(MODELADMIN_APP)
