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
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import DEMO_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-quic", "--no-first-run", "--disable-default-apps", "--disable-extensions"]

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")


def _listening_socket() -> socket.socket:
    """A socket already bound and listening on a free loopback port, handed to uvicorn (``--fd``).

    Picking a free port and letting the server bind it later races with every other process of
    the machine (the other test worker, the other suite's servers): the port can be taken in
    between ("address already in use"). Binding here first leaves no gap.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


@pytest.fixture
def live_server(seeded_sqlite, temporal_env, task_queue, tmp_path):
    """uvicorn serving the app on 127.0.0.1 with the seeded database; var directory = tmp_path."""
    listening = _listening_socket()
    port = listening.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": str(seeded_sqlite.url),
        "QLVB_VAR_DIR": str(tmp_path),
        "TEMPORAL_ADDRESS": temporal_env.client.service_client.config.target_host,
        "QLVB_TEMPORAL_TASK_QUEUE": task_queue,
    }
    with listening:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app:create_app", "--factory", "--fd", str(listening.fileno()),
             "--log-level", "warning", "--no-server-header"],
            env=env, cwd=Path(__file__).resolve().parents[2], pass_fds=(listening.fileno(),),
        )
    base = f"http://127.0.0.1:{port}"
    # Importing the app takes a few seconds, half a minute on two busy cores (the suite running).
    deadline = time.monotonic() + 90
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


# Second factors enrolled during a test: (server, username) → [secret, last time step used].
_TOTP: dict[tuple[str, str], list] = {}


def next_code(base: str, username: str) -> str:
    """A code the server has not accepted yet (the current step's, else the next one's), as the
    authenticator app of a person enrolled by ``enrol_two_factor`` shows it."""
    import pyotp

    record = _TOTP[(base, username)]
    step = max(int(time.time()) // 30, record[1] + 1)
    record[1] = step
    return pyotp.TOTP(record[0]).generate_otp(step)


async def enrol_two_factor(page, base: str, username: str) -> list[str]:
    """On the enrolment page: read the secret shown beside the QR code, confirm with a code and
    return the recovery codes the page shows once."""
    from playwright.async_api import expect

    await expect(page.locator("#two-factor-qr svg")).to_be_visible()
    secret = (await page.inner_text("#two-factor-secret")).replace(" ", "")
    _TOTP[(base, username)] = [secret, 0]
    await page.fill("#code", next_code(base, username))
    await page.click("form[action='/account/two-factor/enable'] button[type=submit]")
    await expect(page.locator("#recovery-codes li")).to_have_count(10)
    return [code.strip() for code in await page.locator("#recovery-codes li").all_inner_texts()]


async def accept_confirmations(dialog) -> None:
    """The person agrees to every "cannot be undone" question (web/flash.py IRREVERSIBLE); a test
    about the question itself removes this listener (``page.remove_listener("dialog", …)``)."""
    await dialog.accept()


async def log_in(browser, base: str, username: str, password: str = DEMO_PASSWORD):
    """A page in a browser context of its own (own cookies), logged in through the form.

    A person with two-factor login types the code of the second step; an administrator not yet
    enrolled lands on the enrolment page and enrols there.
    """
    from playwright.async_api import expect

    context = await browser.new_context()
    page = await context.new_page()
    page.on("dialog", accept_confirmations)
    await page.goto(f"{base}/login")
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.click("button[type=submit]")
    await page.wait_for_url(lambda url: urlsplit(url).path != "/login")
    if urlsplit(page.url).path == "/login/code":
        await page.fill("#code", next_code(base, username))
        await page.click("button[type=submit]")
        await page.wait_for_url(lambda url: urlsplit(url).path != "/login/code")
    if urlsplit(page.url).path == "/account/two-factor":
        await enrol_two_factor(page, base, username)
    await expect(page.locator("p.who")).to_be_visible()
    return page


async def reload_until(page, locator, text: str, timeout: float = 30.0) -> None:
    """Reload the page until ``locator`` shows ``text``: for what the worker does after a request.

    A person would press F5; the pages only poll every 30 s.
    """
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import expect

    deadline = time.monotonic() + timeout
    while True:
        try:
            await expect(locator).to_contain_text(text, timeout=1_000)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        try:
            await page.reload()
        except PlaywrightError:
            # The navigation the last click started (a form's POST, its redirect) was still under
            # way and cut the reload short, or the other way round: let it land and look again.
            await page.wait_for_load_state()
