"""Browser tests: Debian's Chromium, driven by Playwright, against the example project.

One demo site per test session: a temporary SQLite database and media folder,
migrated and seeded with ``load_rrn_demo`` under ``rrn.settings.browser_test``, served
by ``manage.py runserver --noreload`` on a free loopback port. Screenshots of each
journey step go to ``docs/images/``.

Needs: ``apt-get install chromium`` (or ``CHROMIUM=/path/to/chrome``) and
``pip install playwright`` — never ``playwright install``: no browser is downloaded.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.example.demo_site import EXAMPLE_PROJECT, build_demo, demo_env

REPO = EXAMPLE_PROJECT.parent
IMAGES = REPO / "docs" / "images"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
VIEWPORT = {"width": 1024, "height": 768}


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class DemoServer:
    url: str
    env: dict
    db_path: Path

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Read the site's database directly (the server may be writing: short timeout)."""
        with sqlite3.connect(self.db_path, timeout=10) as conn:
            return conn.execute(sql, params).fetchall()

    def email_link(self, to: str, path_pattern: str) -> str:
        """The newest link matching ``path_pattern`` in an email queued for ``to``."""
        rows = self.query(
            "SELECT body_text FROM wagtail_pledges_outboxmessage WHERE lower(\"to\") = lower(?) "
            "ORDER BY id DESC", (to,),
        )
        for (body,) in rows:
            match = re.search(r"https?://\S*" + path_pattern + r"\S*", body)
            if match:
                return match.group(0).rstrip(".,)")
        raise AssertionError(f"No email to {to} has a link like {path_pattern!r}")


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("browser-demo")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = demo_env(workdir, settings="rrn.settings.browser_test", WAGTAILADMIN_BASE_URL=url)
    build_demo(env)
    log = (workdir / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=EXAMPLE_PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/", timeout=5):  # noqa: S310 - loopback
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        "runserver did not start:\n" + (workdir / "server.log").read_text()
                    ) from None
                time.sleep(0.3)
        yield DemoServer(url=url, env=env, db_path=workdir / "demo.sqlite3")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="pip install playwright (no `playwright install`)"
    )
    executable = chromium_path()
    if executable is None:
        pytest.skip("No Chromium found: apt-get install chromium, or set CHROMIUM=/path")
    playwright = sync_api.sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def page(browser, demo_server):
    context = browser.new_context(viewport=VIEWPORT, base_url=demo_server.url,
                                  locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def shot(page, name: str, full_page: bool = True) -> Path:
    """Save a small PNG of what the member sees now: docs/images/<name>.png."""
    from PIL import Image

    IMAGES.mkdir(parents=True, exist_ok=True)
    path = IMAGES / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    with Image.open(path) as image:
        image = image.convert("RGB")
        if image.height > 2400:  # very long pages: the top is what matters
            image = image.crop((0, 0, image.width, 2400))
        # A 64-colour palette keeps text crisp and files small.
        image.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    return path


def sign_up(page, email: str, password: str) -> None:
    """Register a new account with django-allauth's sign-up form."""
    page.goto("/accounts/signup/")
    page.get_by_label(re.compile(r"^Email", re.I)).first.fill(email)
    page.locator("input[name=password1]").fill(password)
    page.locator("input[name=password2]").fill(password)
    page.locator("form").filter(has=page.locator("input[name=password1]")).locator(
        "button[type=submit], input[type=submit]"
    ).first.click()
    page.wait_for_load_state()


def sign_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator(
        "button[type=submit], input[type=submit]"
    ).first.click()
    page.wait_for_load_state()


def sign_out(page) -> None:
    page.context.clear_cookies()
