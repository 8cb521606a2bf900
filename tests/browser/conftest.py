"""Browser-tier fixtures: the app under uvicorn in its own process, and helpers for the pages.

Headless Debian Chromium driven by Playwright (never ``playwright install``); the worker runs in
the test process, against the session's dev server, on the same database and var directory.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import DEMO_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-quic", "--no-first-run", "--disable-default-apps", "--disable-extensions"]

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_server(seeded_sqlite, temporal_env, task_queue, tmp_path):
    """uvicorn serving the app on 127.0.0.1 with the seeded database; var directory = tmp_path."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": str(seeded_sqlite.url),
        "QLVB_VAR_DIR": str(tmp_path),
        "TEMPORAL_ADDRESS": temporal_env.client.service_client.config.target_host,
        "QLVB_TEMPORAL_TASK_QUEUE": task_queue,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-server-header"],
        env=env, cwd=Path(__file__).resolve().parents[2],
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise RuntimeError("the web app did not start")
        time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=10)


async def launch_chromium(playwright):
    return await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


async def log_in(browser, base: str, username: str, password: str = DEMO_PASSWORD):
    """A page in a browser context of its own (own cookies), logged in through the form."""
    from playwright.async_api import expect

    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{base}/login")
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.click("button[type=submit]")
    await expect(page.locator("p.who")).to_be_visible()
    return page


async def reload_until(page, locator, text: str, timeout: float = 30.0) -> None:
    """Reload the page until ``locator`` shows ``text``: for what the worker does after a request.

    A person would press F5; the pages only poll every 30 s.
    """
    from playwright.async_api import expect

    deadline = time.monotonic() + timeout
    while True:
        try:
            await expect(locator).to_contain_text(text, timeout=1_000)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        await page.reload()
