"""A new person logs in with the one-time password, changes it, turns on two-factor login from the
account menu and logs in again with a code from the authenticator app (computed with pyotp).

Typed at a person's speed: neither the enrolment page nor the code step may move while the
person types (background polling must never reload them).
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import enrol_two_factor, launch_chromium, log_in, needs_chromium
from tests.browser.conftest import next_code as authenticator_code

pytestmark = [pytest.mark.browser, needs_chromium]

TYPING_DELAY_MS = 120  # about 8 keys a second, an ordinary typist

NEW_PASSWORD = "Hai@Buoc2026"


def _watch_navigations(page) -> list[str]:
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: frame == page.main_frame and navigations.append(frame.url))
    return navigations


async def test_a_new_person_enrols_and_logs_in_with_a_code(live_server):
    from playwright.async_api import async_playwright, expect

    base = live_server
    async with async_playwright() as p:
        browser = await launch_chromium(p)
        try:
            admin = await log_in(browser, base, "admin")  # administrators enrol at their first login
            await admin.goto(f"{base}/admin/users")
            await admin.fill("#username", "chuyenvien.haibuoc")
            await admin.fill("#full_name", "Lê Văn Bình")
            await admin.check("input[name=roles][value=chuyen_vien]")
            await admin.click("text=Tạo tài khoản >> nth=-1")
            notice = await admin.locator(".notice.success").inner_text()
            one_time = re.search(r"Mật khẩu dùng một lần: (\S+)", notice).group(1)

            context = await browser.new_context()
            page = await context.new_page()
            await page.goto(f"{base}/login")
            await page.type("#username", "chuyenvien.haibuoc", delay=TYPING_DELAY_MS)
            await page.type("#password", one_time, delay=TYPING_DELAY_MS)
            await page.click("button[type=submit]")
            await expect(page).to_have_url(f"{base}/account/password")
            await page.type("#current", one_time, delay=TYPING_DELAY_MS)
            await page.type("#new", NEW_PASSWORD, delay=TYPING_DELAY_MS)
            await page.type("#confirm", NEW_PASSWORD, delay=TYPING_DELAY_MS)
            await page.click("form[action='/account/password'] button[type=submit]")
            await page.click("text=Vào hộp công việc")
            await expect(page.locator("h1")).to_have_text("Hộp công việc")

            await page.click("text=Xác thực hai bước")
            await expect(page.locator("#two-factor-status")).to_contain_text("chưa bật")
            navigations = _watch_navigations(page)
            await page.type("#code", "12", delay=TYPING_DELAY_MS)  # a slow start: the page must stay put
            await page.wait_for_timeout(1500)
            assert navigations == [], f"the enrolment page moved while the person typed: {navigations}"
            await page.fill("#code", "")
            recovery = await enrol_two_factor(page, base, "chuyenvien.haibuoc")
            assert len(set(recovery)) == 10
            await page.reload()  # shown once: a new page shows neither the secret nor the codes
            await expect(page.locator("#two-factor-status")).to_contain_text("đang bật")
            await expect(page.locator("#recovery-codes")).to_have_count(0)
            await expect(page.locator("#two-factor-secret")).to_have_count(0)

            await page.click("text=Đăng xuất")
            await expect(page).to_have_url(re.compile(r"/login"))
            await page.type("#username", "chuyenvien.haibuoc", delay=TYPING_DELAY_MS)
            await page.type("#password", NEW_PASSWORD, delay=TYPING_DELAY_MS)
            await page.click("button[type=submit]")
            await expect(page).to_have_url(re.compile(r"/login/code"))
            await page.type("#code", "99999x", delay=TYPING_DELAY_MS)  # a typing slip
            await page.click("button[type=submit]")
            await expect(page.locator("#login-error")).to_contain_text("Mã xác thực không đúng")
            navigations = _watch_navigations(page)
            await page.type("#code", authenticator_code(base, "chuyenvien.haibuoc"), delay=TYPING_DELAY_MS)
            assert navigations == [], f"the code step moved while the person typed: {navigations}"
            await page.click("button[type=submit]")
            await expect(page.locator("h1")).to_have_text("Trang chủ")  # where a login lands
            await expect(page.locator("p.who")).to_contain_text("Lê Văn Bình")
            await context.close()
        finally:
            await browser.close()
