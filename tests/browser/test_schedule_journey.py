"""In a real browser: a weekly work schedule drafted by the văn thư, approved by the head of the
agency on a phone (390 px wide, nothing to scroll sideways), published, then changed in a round
of its own, which the participant is told about.

The app runs under uvicorn in its own process, the worker in this one (see ``conftest.py``).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.browser.conftest import launch_chromium, log_in, needs_chromium, reload_until
from tests.helpers import make_settings, running_worker

pytestmark = [pytest.mark.browser, needs_chromium]

TODAY = date.today()
MONDAY = TODAY - timedelta(days=TODAY.weekday())
WEEK = "{}-W{:02d}".format(*MONDAY.isocalendar()[:2])
TUESDAY = MONDAY + timedelta(days=1)
MEETING = "Họp giao ban triển khai nhiệm vụ tháng"


async def approve_on_phone(leader, base: str) -> None:
    """The head of the agency opens the step from the inbox at phone width and approves it."""
    from playwright.async_api import expect

    await leader.set_viewport_size({"width": 390, "height": 844})
    await leader.goto(f"{base}/?scope=unit")
    row = leader.locator("table.inbox tr", has_text="Lịch công tác tuần")
    await reload_until(leader, row, "Duyệt lịch công tác tuần")
    await row.get_by_role("link", name="Xử lý", exact=True).click()
    task = leader.locator("section.task")
    await expect(task).to_contain_text("Duyệt lịch công tác tuần")
    await expect(leader.locator("#week-events")).to_contain_text(MEETING)
    wide = await leader.evaluate("document.documentElement.scrollWidth")
    assert wide <= 390, f"the week page is {wide} px wide on a 390 px phone"
    await task.get_by_role("button", name="Duyệt, ban hành lịch").click()
    await expect(leader.locator("section.task")).to_have_count(0, timeout=20_000)


async def test_a_schedule_drafted_approved_published_and_changed(live_server, seeded_sqlite, temporal_env,
                                                                task_queue, tmp_path):
    from playwright.async_api import async_playwright, expect

    settings = make_settings(tmp_path, task_queue)
    async with running_worker(temporal_env.client, seeded_sqlite, settings), async_playwright() as p:
        browser = await launch_chromium(p)
        try:
            clerk = await log_in(browser, live_server, "vanthu")
            await clerk.click("nav >> text=Lịch công tác")
            await clerk.goto(f"{live_server}/schedule?week={WEEK}")
            await clerk.click("#open-week")
            await clerk.select_option("#new-day", TUESDAY.isoformat())
            await clerk.fill("#new-start", "08:00")
            await clerk.fill("#new-end", "07:00")  # ends before it starts: refused, nothing saved
            await clerk.fill("#new-content", MEETING)
            await clerk.fill("#new-place", "Phòng họp tầng 2")
            await clerk.check("#new-form input[name=leader_ids] >> nth=0")
            await clerk.select_option("#new-people", label="Phạm Quốc Hùng – Chuyên viên")
            await clerk.click("#new-form button[type=submit]")
            await expect(clerk.locator(".notice.error")).to_contain_text("Giờ kết thúc (07:00) phải sau giờ bắt đầu")
            await expect(clerk.locator("#week-events article.event")).to_have_count(0)
            await clerk.fill("#new-end", "10:00")
            await clerk.click("#new-form button[type=submit]")
            await expect(clerk.locator(".notice.success")).to_contain_text("Đã thêm nội dung vào lịch")
            await expect(clerk.locator("#week-events")).to_contain_text(MEETING)
            await clerk.click("#submit-schedule")
            await expect(clerk.locator("#schedule-status")).to_have_text("Chờ lãnh đạo duyệt")

            leader = await log_in(browser, live_server, "lanhdao")
            await approve_on_phone(leader, live_server)
            await expect(leader.locator("#schedule-status")).to_contain_text("Đã ban hành")

            # Published: everyone of the agency reads it; a change is a round of its own.
            await clerk.goto(f"{live_server}/schedule?week={WEEK}")
            await expect(clerk.locator("#schedule-status")).to_have_text("Đã ban hành")
            await expect(clerk.locator("#print")).to_be_visible()
            await clerk.click("#open-change")
            await expect(clerk.locator("#schedule-status")).to_contain_text("đang dự thảo điều chỉnh")
            event = clerk.locator("#week-events article.event", has_text=MEETING)
            await event.locator("summary", has_text="Sửa").click()
            await event.locator("input[name=start_time]").fill("14:00")
            await event.locator("input[name=end_time]").fill("16:00")
            await event.locator("input[name=place]").fill("Hội trường tầng 3")
            await event.get_by_role("button", name="Lưu thay đổi").click()
            await expect(clerk.locator("#changes")).to_contain_text("14:00–16:00")
            await clerk.click("#submit-schedule")
            await expect(clerk.locator("#schedule-status")).to_contain_text("điều chỉnh chờ lãnh đạo duyệt")

            officer = await log_in(browser, live_server, "chuyenvien")
            await officer.goto(f"{live_server}/schedule?week={WEEK}")
            await expect(officer.locator("#week-events")).to_contain_text("08:00–10:00")  # the published copy, until approved

            await approve_on_phone(leader, live_server)

            await officer.goto(f"{live_server}/schedule?week={WEEK}")
            await expect(officer.locator("#week-events")).to_contain_text("14:00–16:00")
            await expect(officer.locator("#week-events")).to_contain_text("Hội trường tầng 3")
            await officer.goto(f"{live_server}/notifications")
            changed = officer.locator("ul.notifications li", has_text="Lịch công tác tuần có thay đổi")
            await expect(changed).to_contain_text("14:00–16:00")
            await changed.get_by_role("link", name="Xem").click()
            await expect(officer.locator("h1")).to_contain_text("Lịch công tác tuần")
        finally:
            await browser.close()
