"""Registers the wagtail-modeladmin listings (only when wagtail_modeladmin is installed)."""

from django.apps import apps

if apps.is_installed("wagtail_modeladmin"):
    from wagtail_modeladmin.options import modeladmin_register

    from .admin import MembershipAdminGroup

    modeladmin_register(MembershipAdminGroup)
