"""The pages of the main journeys, made real for the look, weight and accessibility tests.

``journey_documents`` registers an incoming document with a PDF (the văn thư's intake form, the
worker running) and saves an outgoing draft (the chuyên viên's form), so the document page and the
outgoing page show what a person sees, file viewer included. Screenshots go to
``test-artifacts/screenshots/`` (git-ignored), named after the page, the role and the size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tests.browser.conftest import log_in
from tests.conftest import minimal_pdf

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SIZES = {"desktop": DESKTOP, "phone": PHONE}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"

INCOMING_SUBJECT = "V/v rà soát, đề xuất nhu cầu đào tạo, bồi dưỡng cán bộ, công chức năm 2027"
OUTGOING_SUBJECT = "V/v cử cán bộ tham dự Hội nghị tổng kết công tác văn thư, lưu trữ năm 2026"


@dataclass(frozen=True)
class JourneyDocuments:
    incoming_id: str
    outgoing_id: str


async def register_incoming(browser, base: str, pdf: Path) -> str:
    """The văn thư receives and registers a PDF; returns the document's id."""
    from playwright.async_api import expect

    clerk = await log_in(browser, base, "vanthu")
    await clerk.goto(f"{base}/documents/new")
    async with clerk.expect_response(lambda r: r.url.endswith("/documents/suggest")):
        await clerk.set_input_files("#file", str(pdf))
    await clerk.wait_for_load_state("networkidle")
    await clerk.fill("#code_number", "215")
    await clerk.fill("#code_notation", "SNV-TCBM")
    await clerk.fill("#issued_date", "2026-11-20")
    await clerk.fill("#organ_name", "Sở Nội vụ tỉnh Hà Nam")
    await clerk.fill("#type_name", "Công văn")
    await clerk.fill("#subject", INCOMING_SUBJECT)
    await clerk.get_by_role("button", name="Vào sổ và trình lãnh đạo").click()
    await expect(clerk.locator("#arrival-number")).not_to_be_empty(timeout=30_000)
    document_id = re.search(r"/documents/([0-9a-f-]{36})", clerk.url).group(1)
    await clerk.context.close()
    return document_id


async def save_outgoing_draft(browser, base: str) -> str:
    """The chuyên viên saves a công văn draft written in the form; returns its id."""
    from playwright.async_api import expect

    drafter = await log_in(browser, base, "chuyenvien")
    await drafter.goto(f"{base}/outgoing/new")
    await drafter.select_option("#doc_type_id", label="Công văn")
    await drafter.fill("#subject", OUTGOING_SUBJECT)
    await drafter.fill("#body", "Văn phòng Ủy ban nhân dân tỉnh đề nghị các cơ quan cử đại biểu dự hội nghị.\n\nTrân trọng.")
    await drafter.select_option("#signer_id", label="Trần Văn Minh · Chánh Văn phòng")
    await drafter.get_by_label("Sở Nội vụ tỉnh Hà Nam", exact=True).check()
    await drafter.get_by_role("button", name="Lưu dự thảo").click()
    await expect(drafter).to_have_url(re.compile(r"/outgoing/[0-9a-f-]+$"))
    document_id = drafter.url.rsplit("/", 1)[1]
    await drafter.context.close()
    return document_id


async def journey_documents(browser, base: str, tmp_path: Path) -> JourneyDocuments:
    pdf = tmp_path / "cong-van-den.pdf"
    pdf.write_bytes(minimal_pdf(3, "Cong van de nghi ra soat nhu cau dao tao"))
    return JourneyDocuments(await register_incoming(browser, base, pdf), await save_outgoing_draft(browser, base))


def journey_pages(documents: JourneyDocuments) -> dict[str, str]:
    """The main journeys' pages (name → path) as the agency leader sees them."""
    return {
        "home": "/home",
        "inbox": "/",
        "document": f"/documents/{documents.incoming_id}",
        "outgoing": f"/outgoing/{documents.outgoing_id}",
        "search": "/search?q=b%E1%BB%93i+d%C6%B0%E1%BB%A1ng",
        "schedule": "/schedule",
        "statistics": "/statistics",
        "notifications": "/notifications",
        "incoming-list": "/documents",
        "outgoing-list": "/outgoing",
    }


async def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def sideways_overflow(page) -> int:
    """How many pixels the page is wider than its viewport (0: no sideways scrolling)."""
    return await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
