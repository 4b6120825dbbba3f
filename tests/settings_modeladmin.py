"""Test settings with the opt-in wagtail-modeladmin admin instead of the viewsets."""

from tests.settings import *  # noqa: F403

INSTALLED_APPS = [  # noqa: F405
    *INSTALLED_APPS,  # noqa: F405
    "wagtail_modeladmin",
    "wagtail_pledges.contrib.modeladmin",
]
