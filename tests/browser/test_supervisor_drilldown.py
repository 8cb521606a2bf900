"""In a real browser: the supervisor of the Văn phòng UBND tỉnh opens the province dashboard on a
phone (390 px wide, nothing to scroll sideways), follows Sở Nội vụ's figure to the agency, then the
unit, then the late document, and reads its page.

The late document is written straight into the database (``tests.supervision_helpers``) and the
statistics rollups rebuilt, so no workflow has to run; the app runs under uvicorn (see ``conftest.py``).
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from models.db import reading
from models.org.repo import agency_by_code
from models.org.tables import OrgUnit
from tests.browser.conftest import launch_chromium, log_in, needs_chromium
from tests.supervision_helpers import late_document, refresh_statistics

pytestmark = [pytest.mark.browser, needs_chromium]

SNV = "000.00.02.H23"
SUBJECT = "V/v kiện toàn tổ chức bộ máy các phòng chuyên môn"


async def _fits(page, what: str) -> None:
    wide = await page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 390, f"{what} is {wide} px wide on a 390 px phone"


async def test_the_supervisor_drills_down_from_the_province_to_a_late_document(live_server, seeded_sqlite):
    from playwright.async_api import async_playwright, expect

    document_id = late_document(seeded_sqlite, agency_code=SNV, unit="TCBM", handler="vanthu.snv", subject=SUBJECT)
    refresh_statistics(seeded_sqlite)
    with reading(seeded_sqlite) as session:
        agency_id = agency_by_code(session, SNV).id
        unit_id = session.exec(select(OrgUnit.id).where(OrgUnit.agency_id == agency_id,
                                                        OrgUnit.abbreviation == "TCBM")).one()

    async with async_playwright() as p:
        browser = await launch_chromium(p)
        try:
            supervisor = await log_in(browser, live_server, "giamsat")
            await supervisor.set_viewport_size({"width": 390, "height": 844})
            await supervisor.click("header summary")  # on a phone the links are in the Menu
            await supervisor.click("nav >> text=Giám sát toàn tỉnh")
            await expect(supervisor.locator("h1")).to_have_text("Giám sát xử lý văn bản toàn tỉnh")
            row = supervisor.locator(f'#agency-figures tr[data-key="{agency_id}"]')
            await expect(row.locator('td[data-col="overdue"]')).to_contain_text("1")
            await expect(supervisor.locator("figure.chart svg title").first).to_contain_text("Văn bản toàn tỉnh theo tháng")
            await _fits(supervisor, "the province dashboard")

            await row.get_by_role("link", name="Sở Nội vụ tỉnh Hà Nam").click()
            await expect(supervisor.locator("h1")).to_have_text("Sở Nội vụ tỉnh Hà Nam")
            unit_row = supervisor.locator(f'#unit-figures tr[data-key="{unit_id}"]')
            await expect(unit_row.locator('td[data-col="overdue"]')).to_contain_text("1")
            await _fits(supervisor, "the agency page")

            await unit_row.get_by_role("link", name="Phòng Tổ chức, biên chế").click()
            await expect(supervisor.locator("h1")).to_contain_text("Phòng Tổ chức, biên chế")
            late = supervisor.locator(f'ol.overdue-list li[data-id="{document_id}"]')
            await expect(late).to_contain_text("quá hạn")

            await late.get_by_role("link").click()
            await expect(supervisor.locator("#document-subject")).to_have_text(SUBJECT)
            await expect(supervisor.locator("#supervision-notice")).to_contain_text("chỉ xem")
            await expect(supervisor.locator("#open-steps")).to_contain_text("Quá hạn")
            await _fits(supervisor, "the document page")
        finally:
            await browser.close()
