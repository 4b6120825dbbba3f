"""Opt-in admin for sites on wagtail-modeladmin; replaces the default viewsets."""
