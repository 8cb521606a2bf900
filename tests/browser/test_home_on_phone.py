"""In a real browser at phone size (390×844): the head of the agency logs in, lands on Trang chủ,
sees the document waiting for their direction and opens it; nothing scrolls sideways.

The app runs under uvicorn in its own process (see ``conftest.py``); the task row is written
straight into the database, as the intake workflow's ``open_task`` would.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlmodel import select

from models.db import transaction, utcnow
from models.documents.tables import Document
from models.org.tables import User
from models.tasks.tables import Task
from models.vocab import Direction, DocumentStatus, Role
from tests.browser.conftest import launch_chromium, needs_chromium
from tests.conftest import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, needs_chromium]

SUBJECT = "V/v triển khai kế hoạch chuyển đổi số năm 2027 của tỉnh (chờ ý kiến chỉ đạo)"
PHONE = {"width": 390, "height": 844}


def _waiting_direction(engine) -> str:
    with transaction(engine) as session:
        clerk = session.exec(select(User).where(User.username == "vanthu")).one()
        document_id = str(uuid.uuid4())
        session.add(Document(id=document_id, direction=Direction.INCOMING, agency_id=clerk.agency_id,
                             status=DocumentStatus.REGISTERED, subject=SUBJECT, code_number="125",
                             code_notation="STC-NS", organ_name="Sở Tài chính tỉnh Hà Nam", type_name="Công văn",
                             workflow_id=f"incoming-{document_id}", created_by=clerk.id))
        session.flush()
        session.add(Task(workflow_id=f"incoming-{document_id}", task_key="direct:1", document_id=document_id,
                         step="direct", agency_id=clerk.agency_id, candidate_role=Role.AGENCY_LEADER,
                         actions=["giao_xu_ly", "luu_tham_khao"], due_at=utcnow() + timedelta(days=2)))
    return document_id


async def _no_sideways_scroll(page, what: str) -> None:
    wide = await page.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], f"{what} is {wide} px wide on a {PHONE['width']} px phone"


async def test_a_leader_lands_on_home_and_opens_the_waiting_direction(live_server, seeded_sqlite):
    from playwright.async_api import async_playwright, expect

    document_id = _waiting_direction(seeded_sqlite)
    async with async_playwright() as p:
        browser = await launch_chromium(p)
        try:
            context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
            page = await context.new_page()
            await page.goto(f"{live_server}/login")
            await _no_sideways_scroll(page, "the login page")
            await page.fill("#username", "lanhdao")
            await page.fill("#password", DEMO_PASSWORD)
            await page.click("button[type=submit]")
            await page.wait_for_url(lambda url: urlsplit(url).path != "/login")
            assert urlsplit(page.url).path == "/home"

            await expect(page.locator("h1")).to_have_text("Trang chủ")
            await expect(page.locator("#count-direction")).to_have_text("1")
            row = page.locator(f"#home-leader li[data-task-id] a[href='/documents/{document_id}']")
            await expect(row).to_contain_text(SUBJECT)
            await _no_sideways_scroll(page, "the home page")
            box = await row.bounding_box()
            assert box["height"] >= 44, f"the task row is {box['height']} px high, under a 44 px tap target"

            await row.tap()
            await page.wait_for_url(f"{live_server}/documents/{document_id}")
            await expect(page.locator("main")).to_contain_text(SUBJECT)
        finally:
            await browser.close()
