"""The core's services import each other at module level: no import hidden in a
function to dodge a cycle (a cycle means a helper lives in the wrong module)."""

import ast
from pathlib import Path

import pytest

import wagtail_pledges

PACKAGE = Path(wagtail_pledges.__file__).parent
CORE = [
    "accounts.py", "counts.py", "email_verification.py", "groups.py", "legacy.py",
    "notify.py", "organisations.py", "policy.py", "privacy.py", "signals.py", "tokens.py",
    "videos.py", *sorted(str(p.relative_to(PACKAGE)) for p in (PACKAGE / "lifecycle").glob("*.py")),
    *sorted(str(p.relative_to(PACKAGE)) for p in (PACKAGE / "notifications").glob("*.py")),
]


def _imports_inside_functions(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom) and (
                inner.level or (inner.module or "").startswith("wagtail_pledges")
            ):
                found.append(f"{path.name}:{inner.lineno} {ast.unparse(inner)}")
    return found


@pytest.mark.parametrize("module", CORE)
def test_no_package_import_inside_a_function(module):
    assert _imports_inside_functions(PACKAGE / module) == []


def test_names_callers_use_are_still_importable():
    from wagtail_pledges.accounts import (  # noqa: F401
        allauth_email_verified,
        confirm_email,
        email_is_verified,
        send_verification,
    )
    from wagtail_pledges.lifecycle import MAY_START, TransitionError, run_daily  # noqa: F401
    from wagtail_pledges.notifications.outbox import deliver, deliver_due, retry_now  # noqa: F401
