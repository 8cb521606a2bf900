"""In a real browser, at desktop (1280×800) and phone (390×844) size: the văn thư ticks two received
documents in the inbox (with the keyboard on the desktop, by tapping on the phone), registers both
with one button and reads the result message; the văn bản đến list pages forward and back.
Nothing scrolls sideways at 390 px.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from commands.intake import receive_upload
from models.db import transaction, utcnow
from models.documents.file_store import FileStore
from models.documents.tables import Document
from models.org.tables import User
from models.tasks.tables import Task
from models.vocab import Direction, DocumentSource, DocumentStatus
from tests.browser.conftest import accept_confirmations, launch_chromium, log_in, needs_chromium
from tests.conftest import minimal_pdf
from tests.helpers import eventually, make_settings, rows, running_worker, sample_metadata, user_and_roles

pytestmark = [pytest.mark.browser, needs_chromium]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


async def _received(engine, client, settings, number: str) -> str:
    clerk, roles = user_and_roles(engine, "vanthu")
    document = await receive_upload(engine, client, settings, FileStore(settings.files_dir), clerk=clerk,
                                    roles=roles, data=minimal_pdf(), filename="cv.pdf",
                                    raw_metadata=sample_metadata(code_number=number,
                                                                 subject=f"Công văn liên thông số {number}"),
                                    source=DocumentSource.INTERNAL)
    await eventually(lambda: rows(engine, Task, Task.document_id == document.id, Task.step == "accept",
                                  Task.status == "open"), timeout=30)
    return document.id


def _older_documents(engine, count: int) -> None:
    """Registered documents of the agency received over the past days: more than one page."""
    with transaction(engine) as session:
        clerk = session.exec(select(User).where(User.username == "vanthu")).one()
        for n in range(count):
            document_id = str(uuid.uuid4())
            session.add(Document(id=document_id, direction=Direction.INCOMING, agency_id=clerk.agency_id,
                                 status=DocumentStatus.REGISTERED, subject=f"Văn bản cũ số {n}",
                                 code_number=str(500 + n), code_notation="UBND-VP", type_name="Công văn",
                                 organ_name="Ủy ban nhân dân huyện Kim Bảng", workflow_id=f"incoming-{document_id}",
                                 created_by=clerk.id, created_at=utcnow() - timedelta(days=1, minutes=n)))


async def _no_sideways_scroll(page, what: str) -> None:
    wide = await page.evaluate("document.documentElement.scrollWidth")
    width = page.viewport_size["width"]
    assert wide <= width, f"{what} is {wide} px wide on a {width} px screen"


async def _register_two(page, base: str, *, keyboard: bool) -> None:
    from playwright.async_api import expect

    await page.goto(f"{base}/?scope=unit")
    boxes = page.locator("#rows input[name=task_id]")
    await expect(boxes.first).to_be_visible()
    if keyboard:
        await page.locator("h1").click()  # nothing focused: the keys go to the page
        for key in ("j", "x", "j", "x"):
            await page.keyboard.press(key)
    else:
        await boxes.nth(0).tap()
        await boxes.nth(1).tap()
    await expect(page.locator("#rows input[name=task_id]:checked")).to_have_count(2)
    await expect(page.locator("#bulk-count")).to_have_text("Đã chọn 2 công việc:")
    await _no_sideways_scroll(page, "the inbox with two rows ticked")
    await page.click("#bulk-form button[value=vao_so]")
    await page.wait_for_url(f"{base}/?scope=unit")
    await expect(page.locator("#flash")).to_contain_text("Đã vào sổ 2 văn bản")


async def _file_one_for_reference(browser, base: str, engine) -> None:
    """The leader ticks one direction step and presses "Lưu tham khảo": refusing the question
    sends nothing; agreeing files it and says so."""
    from playwright.async_api import expect

    page = await log_in(browser, base, "lanhdao")
    page.remove_listener("dialog", accept_confirmations)
    asked: list[str] = []

    async def refuse(dialog):
        asked.append(dialog.message)
        await dialog.dismiss()

    page.on("dialog", refuse)
    await page.goto(f"{base}/?scope=unit")
    box = page.locator("#rows tr[data-bulk~=luu_tham_khao] input[name=task_id]").first
    task_id = int(await box.get_attribute("value"))
    await box.check()
    await page.click("#bulk-form button[value=luu_tham_khao]")
    await expect(box).to_be_checked()  # still on the page: nothing was sent
    assert asked == ["Lưu tham khảo các văn bản đã chọn? Thao tác không hoàn tác được."]
    assert rows(engine, Task, Task.id == task_id)[0].status == "open"
    page.remove_listener("dialog", refuse)
    page.on("dialog", accept_confirmations)
    await page.click("#bulk-form button[value=luu_tham_khao]")
    await page.wait_for_url(f"{base}/?scope=unit")
    await expect(page.locator("#flash")).to_contain_text("Đã lưu tham khảo 1 văn bản")
    await page.context.close()


async def _page_through(page, base: str) -> None:
    from playwright.async_api import expect

    await page.goto(f"{base}/documents")
    table_rows = page.locator("table.doc-list tbody tr")
    await expect(table_rows).to_have_count(50)
    first_page = await table_rows.evaluate_all("rows => rows.map(r => r.dataset.documentId)")
    await _no_sideways_scroll(page, "the văn bản đến list")
    await page.click("a[rel=next]")
    await expect(page.locator("a[rel=first]")).to_be_visible()
    second_page = await table_rows.evaluate_all("rows => rows.map(r => r.dataset.documentId)")
    assert second_page and not set(second_page) & set(first_page)
    assert "after=" in page.url  # the place is in the address: a bookmark or a reload keeps it
    await page.click("a[rel=prev]")
    await expect(table_rows.first).to_have_attribute("data-document-id", first_page[0])
    # A filter narrows the list and is kept in the address.
    await page.select_option("select[name=status]", "registered")
    await page.wait_for_url(lambda url: "status=registered" in url)
    await expect(table_rows.first).to_be_visible()


async def test_bulk_register_and_paging_at_desktop_and_phone(live_server, seeded_sqlite, temporal_env, task_queue,
                                                             tmp_path):
    from playwright.async_api import async_playwright

    settings = make_settings(tmp_path, task_queue)
    async with running_worker(temporal_env.client, seeded_sqlite, settings), async_playwright() as p:
        received = [await _received(seeded_sqlite, temporal_env.client, settings, str(n)) for n in (71, 72, 73, 74)]
        _older_documents(seeded_sqlite, 60)
        browser = await launch_chromium(p)
        try:
            page = await log_in(browser, live_server, "vanthu")
            await page.set_viewport_size(DESKTOP)
            await _register_two(page, live_server, keyboard=True)
            await _page_through(page, live_server)

            phone = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                              storage_state=await page.context.storage_state())
            small = await phone.new_page()
            await _register_two(small, live_server, keyboard=False)
            await _page_through(small, live_server)
            await small.goto(f"{live_server}/help")
            await _no_sideways_scroll(small, "the help page")

            await eventually(lambda: len(rows(seeded_sqlite, Task, Task.step == "direct",
                                              Task.status == "open")) >= 1, timeout=30)
            await _file_one_for_reference(browser, live_server, seeded_sqlite)
        finally:
            await browser.close()
    await eventually(lambda: len(rows(seeded_sqlite, Document, Document.id.in_(received),
                                      Document.arrival_number.is_not(None))) == 4, timeout=30)
