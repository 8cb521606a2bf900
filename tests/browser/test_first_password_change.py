"""An account the administrator created, then reset, gets through its forced password change.

Typed at a person's speed: the page must stay put while the person types (background polling
once reloaded it several times a second), and the change must lead into the inbox.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import accept_confirmations, launch_chromium, log_in, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]

TYPING_DELAY_MS = 120  # about 8 keys a second, an ordinary typist


async def _one_time_password(admin, notice_text: str) -> str:
    notice = admin.locator(".notice.success")
    await notice.wait_for()
    text = await notice.inner_text()
    assert notice_text in text, text
    # Earlier messages stay until read (web/flash.py): the newest password is the last one.
    return re.findall(r"Mật khẩu dùng một lần: (\S+)", text)[-1]


async def _change_password_slowly(browser, base: str, username: str, one_time: str, new: str) -> None:
    from playwright.async_api import expect

    context = await browser.new_context()
    page = await context.new_page()
    page.on("dialog", accept_confirmations)
    await page.goto(f"{base}/login")
    await page.type("#username", username, delay=TYPING_DELAY_MS)
    await page.type("#password", one_time, delay=TYPING_DELAY_MS)
    await page.click("button[type=submit]")
    await expect(page).to_have_url(f"{base}/account/password")

    navigations: list[str] = []
    page.on("framenavigated", lambda frame: frame == page.main_frame and navigations.append(frame.url))
    await page.type("#current", one_time, delay=TYPING_DELAY_MS)
    await page.type("#new", new, delay=TYPING_DELAY_MS)
    await page.type("#confirm", new, delay=TYPING_DELAY_MS)
    assert navigations == [], f"the page moved while the person typed: {navigations}"
    assert await page.input_value("#confirm") == new

    await page.click("form[action='/account/password'] button[type=submit]")
    await expect(page.locator(".notice.success")).to_contain_text("Đã đổi mật khẩu")
    await page.reload()  # the result page is a GET: reloading sends nothing again
    await expect(page.locator(".notice.success")).to_contain_text("Đã đổi mật khẩu")
    await page.click("text=Vào hộp công việc")
    await expect(page.locator("h1")).to_have_text("Hộp công việc")
    await context.close()


async def test_a_new_account_changes_its_password_at_typing_speed(live_server):
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await launch_chromium(p)
        try:
            admin = await log_in(browser, live_server, "admin")
            await admin.goto(f"{live_server}/admin/users")
            await admin.fill("#username", "chuyenvien.moi")
            await admin.fill("#full_name", "Ngô Thị Hạnh")
            await admin.fill("#position", "Chuyên viên")
            await admin.check("input[name=roles][value=chuyen_vien]")
            await admin.click("text=Tạo tài khoản >> nth=-1")
            one_time = await _one_time_password(admin, "Đã tạo tài khoản chuyenvien.moi")
            await _change_password_slowly(browser, live_server, "chuyenvien.moi", one_time, "Hanh@Moi2026")

            await admin.goto(f"{live_server}/admin/users")
            row = admin.locator("tr", has_text="chuyenvien.moi")
            await row.get_by_role("button", name="Đặt lại mật khẩu").click()
            reset = await _one_time_password(admin, "Đã đặt lại mật khẩu tài khoản chuyenvien.moi")
            await _change_password_slowly(browser, live_server, "chuyenvien.moi", reset, "Hanh@Lan2-2026")
        finally:
            await browser.close()
