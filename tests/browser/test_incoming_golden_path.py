"""A person's path in a real browser: the văn thư registers a document, the leader directs it.

The app runs under uvicorn in its own process, the worker in this one (see ``conftest.py``).
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import launch_chromium, log_in, needs_chromium
from tests.conftest import minimal_pdf
from tests.helpers import make_settings, running_worker

pytestmark = [pytest.mark.browser, needs_chromium]


async def test_it_registers_and_directs_a_document_in_the_browser(
        live_server, seeded_sqlite, temporal_env, task_queue, tmp_path):
    from playwright.async_api import async_playwright, expect

    pdf = tmp_path / "cong-van.pdf"
    pdf.write_bytes(minimal_pdf(2))
    async with running_worker(temporal_env.client, seeded_sqlite, make_settings(tmp_path, task_queue)), async_playwright() as p:
        browser = await launch_chromium(p)
        try:
            clerk = await log_in(browser, live_server, "vanthu")
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

            leader = await log_in(browser, live_server, "lanhdao")
            await leader.click("nav >> text=Hộp công việc")  # login lands on Trang chủ
            await leader.click("text=Chờ nhận việc")
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
