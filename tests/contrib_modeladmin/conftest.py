"""These tests need tests.settings_modeladmin; under the default settings they are
skipped at collection and run in a subprocess by tests/admin/test_modeladmin_suite.py."""

from django.apps import apps

collect_ignore_glob = (
    [] if apps.is_installed("wagtail_pledges.contrib.modeladmin") else ["test_*.py"]
)
