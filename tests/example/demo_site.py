"""Run the example project's ``manage.py`` against a throwaway database.

Used by the example-project tests and the browser tests: each builds its own demo
site (SQLite file and media folder under a temporary directory) and never touches
``example_project/db.sqlite3``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

EXAMPLE_PROJECT = Path(__file__).resolve().parents[2] / "example_project"


def demo_env(workdir: Path, settings: str = "rrn.settings.dev", **extra: str) -> dict:
    """Environment for a demo site whose database and media live in ``workdir``."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update({
        "DJANGO_SETTINGS_MODULE": settings,
        "DATABASE_URL": f"sqlite:///{workdir / 'demo.sqlite3'}",
        "MEDIA_ROOT": str(workdir / "media"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(EXAMPLE_PROJECT),
                                                    env.get("PYTHONPATH", "")])),
        **extra,
    })
    return env


def manage(env: dict, *args: str, timeout: float = 300) -> str:
    """``manage.py <args>`` in the example project; its stdout, or the error shown."""
    result = subprocess.run(  # noqa: S603 - fixed command, our own interpreter
        [sys.executable, "manage.py", *args], cwd=EXAMPLE_PROJECT, env=env,
        capture_output=True, text=True, timeout=timeout, check=False,
    )
    if result.returncode:
        raise AssertionError(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
        )
    return result.stdout


def build_demo(env: dict) -> str:
    manage(env, "migrate", "--noinput")
    return manage(env, "load_rrn_demo")


def shell_json(env: dict, code: str) -> object:
    """Run ``code`` (which must ``print(json.dumps(...))`` last) in ``manage.py shell``."""
    out = manage(env, "shell", "-c", code)
    return json.loads(out.strip().splitlines()[-1])
