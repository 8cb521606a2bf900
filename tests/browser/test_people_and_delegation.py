"""In a real browser: the administrator creates a person (a deputy leader) and moves nothing by
accident; the leader then delegates signing to that deputy for a week (KT.), sees it in force,
and a period ending before it starts is refused in Vietnamese."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.delegation.repo import today
from tests.browser.conftest import launch_chromium, log_in, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]


async def test_an_administrator_creates_a_deputy_and_the_leader_delegates_signing_for_a_week(live_server):
    from playwright.async_api import async_playwright, expect

    start, end = today(), today() + timedelta(days=6)
    async with async_playwright() as p:
        browser = await launch_chromium(p)
        try:
            admin = await log_in(browser, live_server, "admin")
            await admin.goto(f"{live_server}/admin/users")
            await admin.fill("#username", "phochanh.moi")
            await admin.fill("#full_name", "Đặng Văn Phúc")
            await admin.fill("#position", "Phó Chánh Văn phòng")
            await admin.select_option("#agency_code", "000.00.01.H23")
            await admin.check("input[name=roles][value=lanh_dao_co_quan]")
            await admin.click("text=Tạo tài khoản >> nth=-1")
            await expect(admin.locator(".notice.success")).to_contain_text("Đã tạo tài khoản phochanh.moi")
            # The person's own page: details, unit, roles, the move form.
            await admin.click("a:text-is('phochanh.moi')")
            await expect(admin.locator("h1")).to_contain_text("Đặng Văn Phúc")
            await expect(admin.locator("#move-form")).to_be_visible()

            leader = await log_in(browser, live_server, "lanhdao")
            await leader.click("nav >> text=Ủy quyền")
            await expect(leader.locator("h1")).to_have_text("Ủy quyền ký, chỉ đạo")
            await leader.select_option("#deputy", "phochanh.moi")
            await leader.select_option("#kind", "ky")
            await leader.select_option("#form", "KT.")
            # A period that ends before it starts: refused, nothing recorded.
            await leader.fill("#starts_on", end.isoformat())
            await leader.fill("#ends_on", start.isoformat())
            await leader.click("#delegation-form button[type=submit]")
            await expect(leader.locator(".notice.error")).to_contain_text("ngày bắt đầu phải trước")
            await expect(leader.locator("#delegations")).to_contain_text("Chưa có ủy quyền nào")

            await leader.select_option("#deputy", "phochanh.moi")
            await leader.select_option("#form", "KT.")
            await leader.fill("#starts_on", start.isoformat())
            await leader.fill("#ends_on", end.isoformat())
            await leader.fill("#note", "Quyết định ủy quyền số 12/QĐ-VP")
            await leader.click("#delegation-form button[type=submit]")
            await expect(leader.locator(".notice.success")).to_contain_text("Đã ghi nhận ủy quyền (KT.)")
            row = leader.locator("#delegations tbody tr", has_text="Đặng Văn Phúc")
            await expect(row).to_contain_text("Đang hiệu lực")
            await expect(row).to_contain_text(f"{start:%d/%m/%Y} – {end:%d/%m/%Y}")
            await expect(row).to_contain_text("KT.")
        finally:
            await browser.close()
