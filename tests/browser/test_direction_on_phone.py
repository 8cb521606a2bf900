"""The leader directs a received document from a phone (390×844, touch), as from a desktop.

The document is received and registered by the real workflow; the leader opens it from Trang chủ,
reads it on its page (the viewer's first page drawn), gives the direction with the lead unit and
an opinion, and the page says what happened. Nothing on the way is wider than the phone, and the
direction's controls are at least 44 px high.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import accept_confirmations, launch_chromium, needs_chromium
from tests.conftest import DEMO_PASSWORD, minimal_pdf
from tests.helpers import eventually, make_settings, running_worker, upload
from tests.outgoing_helpers import open_task_of

pytestmark = [pytest.mark.browser, needs_chromium]

PHONE = {"width": 390, "height": 844}
SUBJECT = "V/v chuẩn bị hội nghị tổng kết công tác văn thư năm 2026"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


async def _fits(page, what: str) -> None:
    wide = await page.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], f"{what} is {wide} px wide on a {PHONE['width']} px phone"


async def test_the_leader_directs_a_document_from_a_phone(live_server, seeded_sqlite, temporal_env, task_queue,
                                                          tmp_path):
    from playwright.async_api import async_playwright, expect

    settings = make_settings(tmp_path, task_queue)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    async with running_worker(temporal_env.client, seeded_sqlite, settings), async_playwright() as p:
        document = await upload(seeded_sqlite, temporal_env.client, settings, minimal_pdf(3), subject=SUBJECT)
        await eventually(lambda: open_task_of(seeded_sqlite, document.id, "direct"), timeout=60)
        browser = await launch_chromium(p)
        try:
            context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
            page = await context.new_page()
            page.on("dialog", accept_confirmations)
            await page.goto(f"{live_server}/login")
            await page.fill("#username", "lanhdao")
            await page.fill("#password", DEMO_PASSWORD)
            await page.tap("button[type=submit]")
            await page.wait_for_url(lambda url: urlsplit(url).path == "/home")

            await page.locator(f"#home-leader a[href='/documents/{document.id}']").tap()
            await page.wait_for_url(f"{live_server}/documents/{document.id}")
            await expect(page.locator("main")).to_contain_text(SUBJECT)
            await page.wait_for_function(
                "() => [...document.querySelectorAll('.pdf-pages canvas')].some(c => c.width > 0)", timeout=30_000)
            await _fits(page, "the document page")

            opinion = page.locator("#giao_xu_ly-opinion")
            await opinion.fill("Giao Phòng Tổng hợp chủ trì, báo cáo trước ngày 15/12")
            await page.select_option("#giao_xu_ly-lead_unit_id", label="Phòng Tổng hợp")
            button = page.locator("form >> text=Giao xử lý")
            box = await button.bounding_box()
            assert box["height"] >= 44, f"the direction button is {box['height']} px high"
            await _fits(page, "the direction form")
            await page.screenshot(path=str(ARTIFACTS / "direction-phone-form.png"), full_page=True)
            await button.tap()

            await expect(page.locator("#status-label")).to_have_text("Đã giao xử lý", timeout=30_000)
            await expect(page.locator("#flash")).to_contain_text("Giao xử lý")
            await expect(page.locator("dl.meta")).to_contain_text("Phòng Tổng hợp")
            await _fits(page, "the page after the direction")
            await page.screenshot(path=str(ARTIFACTS / "direction-phone-done.png"), full_page=True)
        finally:
            await browser.close()
