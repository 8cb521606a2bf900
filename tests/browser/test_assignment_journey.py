"""Giao việc in a real browser: the leader gives work to a unit (a form left without an assignee is
refused first), the unit head names the lead from the inbox on a phone, the lead reports progress
and the result on a phone, and the leader accepts it with a rating on a phone.

The app runs under uvicorn in its own process, the worker in this one (see ``conftest.py``).
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import launch_chromium, log_in, needs_chromium, reload_until
from tests.helpers import make_settings, running_worker

pytestmark = [pytest.mark.browser, needs_chromium]

PHONE = {"width": 390, "height": 844}


async def _fits_a_phone(page) -> None:
    """Nothing on the page is wider than a phone's screen (no sideways scrolling)."""
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


async def test_an_assignment_goes_from_the_leader_to_an_accepted_result(
        live_server, seeded_sqlite, temporal_env, task_queue, tmp_path):
    from playwright.async_api import async_playwright, expect

    async with running_worker(temporal_env.client, seeded_sqlite, make_settings(tmp_path, task_queue)), \
            async_playwright() as p:
        browser = await launch_chromium(p)
        try:
            leader = await log_in(browser, live_server, "lanhdao")
            await leader.click("nav >> text=Giao việc")
            await leader.click("#new-assignment")
            await leader.fill("#title", "Chuẩn bị báo cáo tổng kết năm 2026")
            await leader.fill("#content", "Tổng hợp số liệu các lĩnh vực, trình trước ngày 25/12.")
            await leader.fill("#working_days", "5")
            await leader.click("#assignment-form button[type=submit]")
            await expect(leader.locator("#form-error")).to_contain_text("Vui lòng chọn người hoặc đơn vị chủ trì")
            await expect(leader.locator("#title")).to_have_value("Chuẩn bị báo cáo tổng kết năm 2026")
            await leader.select_option("#lead_unit_id", label="Phòng Tổng hợp")
            await leader.click("#assignment-form button[type=submit]")
            await expect(leader.locator("h1")).to_have_text("Chuẩn bị báo cáo tổng kết năm 2026")
            await expect(leader.locator("#assignment-status")).to_contain_text("Chờ cử người chủ trì")
            await expect(leader.locator("#lead")).to_contain_text("Phòng Tổng hợp")
            assignment_url = leader.url

            head = await log_in(browser, live_server, "truongphong")
            await head.set_viewport_size(PHONE)
            await head.click("nav >> text=Hộp công việc")  # login lands on Trang chủ
            await head.click("text=Chờ nhận việc")
            await reload_until(head, head.locator("main"), "Việc được giao")  # once the worker opened the step
            row = head.locator("tr", has_text="Việc được giao")
            await row.get_by_role("link", name="Xử lý", exact=True).click()
            await expect(head.locator("h1")).to_have_text("Chuẩn bị báo cáo tổng kết năm 2026")
            await _fits_a_phone(head)
            naming = head.locator("form[data-action=cu_nguoi_chu_tri]")
            await naming.locator("select[name=handler_id]").select_option(label="Phạm Quốc Hùng · Chuyên viên")
            await naming.locator("button").click()
            await reload_until(head, head.locator("#assignment-status"), "Đang thực hiện")
            await expect(head.locator("#lead")).to_contain_text("Phạm Quốc Hùng")

            officer = await log_in(browser, live_server, "chuyenvien")
            await officer.set_viewport_size(PHONE)
            await officer.click("header summary")  # on a phone the links are in the Menu
            await officer.click("nav >> text=Giao việc")
            await _fits_a_phone(officer)
            await officer.click("text=Chuẩn bị báo cáo tổng kết năm 2026")
            await reload_until(officer, officer.locator("form[data-action=bao_cao_ket_qua]"), "Báo cáo kết quả")
            await officer.fill("#progress-note", "Đã có số liệu 4/6 lĩnh vực")
            await officer.fill("#progress-percent", "70")
            await officer.click("#progress-form button")
            await expect(officer.locator("#progress")).to_contain_text("70% · Đã có số liệu 4/6 lĩnh vực")
            report = officer.locator("form[data-action=bao_cao_ket_qua]")
            await report.locator("textarea[name=result]").fill("Đã hoàn thành dự thảo báo cáo tổng kết")
            await report.locator("button").click()
            await reload_until(officer, officer.locator("#assignment-status"), "Chờ đánh giá kết quả")
            await _fits_a_phone(officer)
            await officer.screenshot(path=str(tmp_path / "officer-phone.png"), full_page=True)

            await leader.set_viewport_size(PHONE)
            await leader.goto(assignment_url)
            await reload_until(leader, leader.locator("form[data-action=nghiem_thu_ket_qua]"), "Đánh giá")
            await expect(leader.locator("#result")).to_contain_text("Đã hoàn thành dự thảo báo cáo tổng kết")
            assess = leader.locator("form[data-action=nghiem_thu_ket_qua]")
            await assess.locator("select[name=rating]").select_option("4")
            await assess.locator("textarea[name=comment]").fill("Báo cáo đầy đủ, đúng hạn")
            await assess.locator("button").click()
            await reload_until(leader, leader.locator("#assignment-status"), "Hoàn thành")
            await expect(leader.locator("#rating")).to_contain_text("Hoàn thành tốt (4/5) · đúng hạn")
            await expect(leader.locator("#history")).to_contain_text("Đánh giá, công nhận kết quả")
            await _fits_a_phone(leader)
            await leader.screenshot(path=str(tmp_path / "leader-phone.png"), full_page=True)
        finally:
            await browser.close()
