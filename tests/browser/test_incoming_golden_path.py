"""A person's path in a real browser: the văn thư registers a document, the leader directs it.

Headless Debian Chromium driven by Playwright (never ``playwright install``); the app runs under
uvicorn in its own process, the worker in this one, against the session's dev server.
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

from tests.conftest import DEMO_PASSWORD, minimal_pdf
from tests.helpers import make_settings, running_worker

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-quic", "--no-first-run", "--disable-default-apps", "--disable-extensions"]

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_server(seeded_sqlite, temporal_env, task_queue, tmp_path):
    """uvicorn serving the app on 127.0.0.1 with the seeded database."""
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
         "--port", str(port), "--log-level", "warning"],
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


async def test_it_registers_and_directs_a_document_in_the_browser(
        live_server, seeded_sqlite, temporal_env, task_queue, tmp_path):
    from playwright.async_api import async_playwright, expect

    pdf = tmp_path / "cong-van.pdf"
    pdf.write_bytes(minimal_pdf(2))
    async with running_worker(temporal_env.client, seeded_sqlite, make_settings(tmp_path, task_queue)), async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            clerk = await browser.new_page()
            await clerk.goto(f"{live_server}/login")
            await clerk.fill("#username", "vanthu")
            await clerk.fill("#password", DEMO_PASSWORD)
            await clerk.click("button[type=submit]")
            await clerk.click("text=Tiếp nhận văn bản đến")
            async with clerk.expect_response(lambda r: r.url.endswith("/documents/suggest")):
                await clerk.set_input_files("#file", str(pdf))  # the form re-renders with suggestions
            await clerk.wait_for_load_state("networkidle")
            await clerk.fill("#code_number", "318")
            await clerk.fill("#code_notation", "SNV-TCBM")
            await clerk.fill("#issued_date", "2026-11-18")
            await clerk.fill("#organ_name", "Sở Nội vụ tỉnh Hà Nam")
            await clerk.fill("#type_name", "Công văn")
            await clerk.fill("#subject", "V/v rà soát vị trí việc làm năm 2027")
            await clerk.select_option("#priority", "hoa_toc")
            await clerk.click("text=Vào sổ và trình lãnh đạo")
            await expect(clerk.locator("#arrival-number")).to_have_text("01", timeout=20_000)
            await expect(clerk.locator("h1")).to_contain_text("HỎA TỐC")
            await clerk.screenshot(path=str(tmp_path / "clerk.png"), full_page=True)

            leader_context = await browser.new_context()
            leader = await leader_context.new_page()
            await leader.goto(f"{live_server}/login")
            await leader.fill("#username", "lanhdao")
            await leader.fill("#password", DEMO_PASSWORD)
            await leader.click("button[type=submit]")
            await leader.click("text=Chờ nhận xử lý")
            row = leader.locator("tr", has_text="rà soát vị trí việc làm")
            await expect(row).to_contain_text("HỎA TỐC")
            await row.get_by_role("link", name="Xử lý", exact=True).click()
            await leader.fill("#giao_xu_ly-opinion", "Giao Phòng Tổng hợp chủ trì, báo cáo trong tuần")
            await leader.select_option("#giao_xu_ly-lead_unit_id", label="Phòng Tổng hợp")
            await leader.click("form >> text=Giao xử lý")
            await expect(leader.locator("#status-label")).to_have_text("Đã giao xử lý", timeout=20_000)
            await expect(leader.locator("ol.history")).to_contain_text("Lãnh đạo giao xử lý")
            await expect(leader.locator("dl.meta")).to_contain_text("Phòng Tổng hợp")
            await leader.screenshot(path=str(tmp_path / "leader.png"), full_page=True)
        finally:
            await browser.close()
