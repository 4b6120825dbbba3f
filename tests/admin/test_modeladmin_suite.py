"""Run the wagtail-modeladmin tests under their own settings, as part of `make test`."""

import os
import subprocess
import sys
from pathlib import Path

from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]


def test_modeladmin_suite_passes():
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/contrib_modeladmin", "--ds=tests.settings_modeladmin"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "PLEDGES_TEST_DB_NAME": "test_pledges_modeladmin"},
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout


def test_half_done_switch_check():
    from wagtail_pledges.contrib.modeladmin.checks import check_modeladmin_installed

    with override_settings(INSTALLED_APPS=["wagtail_pledges.contrib.modeladmin"]):
        assert [m.id for m in check_modeladmin_installed()] == ["wagtail_pledges.W001"]


def test_default_admin_registers_the_viewsets():
    from wagtail_pledges.models import ActionPlan

    assert ActionPlan.snippet_viewset.workflow_enabled
