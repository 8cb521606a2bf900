"""Reading a document on its page, in a real browser at desktop (1280×800) and phone (390×844) sizes:
the PDF is drawn into canvases on the page with its thumbnails, the history names the unit
assigned and its deadline, and nothing scrolls sideways on the phone.

The document, its routing rows and audit events are written straight into the database as the
intake workflow and ``apply_decision`` would; the page only reads them.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from models.audit import record
from models.db import transaction
from models.documents.file_store import FileStore
from models.documents.repo import store_file
from models.documents.tables import Assignment, Document, DocumentFile
from models.org.tables import OrgUnit, User
from models.vocab import AssignmentRole, Direction, DocumentStatus
from tests.browser.conftest import launch_chromium, log_in, needs_chromium
from tests.browser.test_accessibility import violations
from tests.conftest import minimal_pdf
from tests.helpers import make_settings

pytestmark = [pytest.mark.browser, needs_chromium]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SUBJECT = "V/v báo cáo tình hình thực hiện nhiệm vụ chuyển đổi số quý IV năm 2026 của các sở, ngành"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def _directed_document(engine, var_dir: Path, task_queue: str) -> str:
    """A registered document with a 3-page PDF and an attachment, directed to Phòng Tổng hợp."""
    store = FileStore(make_settings(var_dir, task_queue).files_dir)
    with transaction(engine) as session:
        clerk = session.exec(select(User).where(User.username == "vanthu")).one()
        leader = session.exec(select(User).where(User.username == "lanhdao")).one()
        lead = session.exec(select(OrgUnit).where(OrgUnit.agency_id == clerk.agency_id,
                                                  OrgUnit.abbreviation == "TH")).one()
        files = []
        for pages in (3, 1):
            data = minimal_pdf(pages, "Bao cao chuyen doi so")
            files.append(store_file(session, sha256=store.put(data), size=len(data), content_type="application/pdf",
                                    filename="van-ban.pdf", user_id=clerk.id))
        document_id = str(uuid.uuid4())
        session.add(Document(id=document_id, direction=Direction.INCOMING, agency_id=clerk.agency_id,
                             status=DocumentStatus.DIRECTED, subject=SUBJECT, code_number="245",
                             code_notation="STTTT-CĐS", organ_name="Sở Thông tin và Truyền thông tỉnh Hà Nam",
                             type_name="Công văn", file_id=files[0].id, page_amount=3, due_date=date(2026, 12, 24),
                             workflow_id=f"incoming-{document_id}", created_by=clerk.id))
        session.flush()
        session.add(DocumentFile(document_id=document_id, file_id=files[1].id, role="attachment"))
        session.add(Assignment(document_id=document_id, role=AssignmentRole.LEAD, unit_id=lead.id,
                               due_date=date(2026, 12, 24), opinion="Giao Phòng Tổng hợp chủ trì",
                               assigned_by=leader.id))
        record(session, leader.id, "document.giao_xu_ly", "document", document_id,
               opinion="Giao Phòng Tổng hợp chủ trì", lead_unit_id=str(lead.id), due_date="2026-12-24")
    return document_id


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_the_pdf_is_read_on_the_page_beside_its_history(live_server, seeded_sqlite, task_queue, tmp_path,
                                                              size):
    from playwright.async_api import async_playwright, expect

    document_id = _directed_document(seeded_sqlite, tmp_path, task_queue)
    phone = size is PHONE
    async with async_playwright() as p:
        browser = await launch_chromium(p)
        try:
            page = await log_in(browser, live_server, "lanhdao")
            await page.set_viewport_size(size)
            failures: list[str] = []
            page.on("console", lambda m: failures.append(m.text) if m.type == "error" else None)
            await page.goto(f"{live_server}/documents/{document_id}")

            # The first page is drawn into a canvas on the page; one thumbnail per page.
            await expect(page.locator("#pdf-viewer .pdf-page canvas[data-rendered]").first).to_be_visible(
                timeout=20_000)
            await expect(page.locator("#pdf-viewer .pdf-thumb")).to_have_count(3)
            await expect(page.locator("#pdf-viewer .pdf-thumb canvas[data-rendered]").first).to_be_attached()
            drawn = await page.evaluate("""() => {
                const canvas = document.querySelector('#pdf-viewer .pdf-page canvas[data-rendered]');
                const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                let ink = 0;
                for (let i = 0; i < pixels.length; i += 4) if (pixels[i] < 128) ink += 1;
                return ink;
            }""")
            assert drawn > 0, "the page's text was not drawn"
            # A thumbnail brings its page into view.
            await page.locator("#pdf-viewer .pdf-thumb").nth(2).click()
            await expect(page.locator("#pdf-viewer .pdf-page").nth(2).locator("canvas[data-rendered]")).to_be_attached(
                timeout=10_000)
            # Zooming in widens the pages inside the viewer (never the page itself); "Vừa khổ" fits again.
            first_page = page.locator("#pdf-viewer .pdf-page").first
            fitted = (await first_page.bounding_box())["width"]
            await page.get_by_role("button", name="Phóng to").click()
            await expect(page.locator("#pdf-viewer [data-zoom-label]")).to_have_text("125%")
            assert (await first_page.bounding_box())["width"] > fitted * 1.2
            if phone:
                assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            await page.get_by_role("button", name="Vừa khổ").click()
            await expect(page.locator("#pdf-viewer [data-zoom-label]")).to_have_text("100%")
            assert abs((await first_page.bounding_box())["width"] - fitted) < 2
            # The attachment opens in the same viewer; its one page replaces the document's three.
            await page.locator("#pdf-viewer .pdf-files a", has_text="Phụ lục 1").click()
            await expect(page.locator("#pdf-viewer .pdf-thumb")).to_have_count(1)
            await expect(page.locator("#pdf-viewer .pdf-page canvas[data-rendered]")).to_have_count(1,
                                                                                                   timeout=10_000)

            # No reload: the page lists its reader the first time (commands.audit.read_anew).
            history = page.locator("#history")
            await expect(history.locator("ul.routing")).to_contain_text("Chủ trì")
            await expect(history.locator("ul.routing")).to_contain_text("Phòng Tổng hợp")
            await expect(history.locator("ul.routing")).to_contain_text("24/12/2026")
            await expect(history.locator("ul.deadlines")).to_contain_text("24/12/2026")
            await expect(history.locator("details.readers")).to_contain_text("Trần Văn Minh")

            box = {name: await page.locator(selector).bounding_box()
                   for name, selector in (("facts", ".document-facts"), ("viewer", "#pdf-viewer"))}
            if phone:
                assert box["viewer"]["y"] >= box["facts"]["y"] + box["facts"]["height"] - 1, "viewer below metadata"
                wide = await page.evaluate("document.documentElement.scrollWidth")
                assert wide <= PHONE["width"], f"the document page is {wide} px wide on a 390 px phone"
            else:
                assert box["viewer"]["x"] + box["viewer"]["width"] <= box["facts"]["x"] + 1, "viewer beside metadata"
            assert not [text for text in failures if "Content Security Policy" in text], failures
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = f"document-reading-{'phone' if phone else 'desktop'}.png"
            for folder in (tmp_path, ARTIFACTS):
                await page.screenshot(path=str(folder / name), full_page=True)

            # axe-core finds nothing serious on the page with the PDF drawn (its script needs the CSP
            # bypassed, in a context of its own with the same login).
            audited = await (await browser.new_context(
                viewport=size, bypass_csp=True, storage_state=await page.context.storage_state())).new_page()
            await audited.goto(f"{live_server}/documents/{document_id}")
            await expect(audited.locator("#pdf-viewer .pdf-thumb canvas[data-rendered]").first).to_be_attached(
                timeout=20_000)
            assert await violations(audited) == []
        finally:
            await browser.close()


async def _draft_with_two_revisions(engine, var_dir: Path, task_queue: str) -> str:
    """A draft written on the form, then revised by its drafter: one sentence changed."""
    from commands.drafting import revise_draft
    from tests.helpers import user_and_roles
    from tests.outgoing_helpers import draft_document

    settings = make_settings(var_dir, task_queue)
    document = draft_document(engine, settings, keep_layout=True)
    drafter, roles = user_and_roles(engine, "chuyenvien")
    await revise_draft(engine, settings, FileStore(settings.files_dir), user=drafter, roles=roles,
                       document_id=document.id, content_mode="form", note="Sửa thời hạn báo cáo",
                       raw={"body": "Văn phòng UBND tỉnh đề nghị Sở Tài chính báo cáo tình hình chuyển đổi số."})
    return document.id


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_two_revisions_compared_side_by_side(live_server, seeded_sqlite, task_queue, tmp_path, size):
    from playwright.async_api import async_playwright, expect

    document_id = await _draft_with_two_revisions(seeded_sqlite, tmp_path, task_queue)
    phone = size is PHONE
    async with async_playwright() as p:
        browser = await launch_chromium(p)
        try:
            page = await log_in(browser, live_server, "chuyenvien")
            await page.set_viewport_size(size)
            await page.goto(f"{live_server}/outgoing/{document_id}")
            await expect(page.locator("#pdf-viewer .pdf-page canvas[data-rendered]").first).to_be_visible(
                timeout=20_000)
            await page.get_by_role("button", name="So sánh", exact=True).click()

            changed = page.locator("#diff-text .diff-change").first
            await expect(changed.locator(".diff-old mark")).to_contain_text("Nội vụ")
            await expect(changed.locator(".diff-new mark")).to_contain_text("Tài chính")
            await expect(changed.locator(".diff-old .diff-no")).not_to_be_empty()
            # The form's fields by their names in the thể thức, not their keys.
            await expect(page.locator("#diff-form .diff-change").first).to_contain_text("Nội dung: ")
            await expect(page.locator("#diff-form")).not_to_contain_text("agency_name")
            old_box = await changed.locator(".diff-old").bounding_box()
            new_box = await changed.locator(".diff-new").bounding_box()
            if phone:
                assert new_box["y"] >= old_box["y"] + old_box["height"] - 1, "stacked: the new line under the old"
                wide = await page.evaluate("document.documentElement.scrollWidth")
                assert wide <= PHONE["width"], f"the comparison is {wide} px wide on a 390 px phone"
            else:
                assert new_box["x"] >= old_box["x"] + old_box["width"] - 1, "side by side"
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = f"revision-compare-{'phone' if phone else 'desktop'}.png"
            for folder in (tmp_path, ARTIFACTS):
                await page.screenshot(path=str(folder / name), full_page=True)
            audited = await (await browser.new_context(
                viewport=size, bypass_csp=True, storage_state=await page.context.storage_state())).new_page()
            await audited.goto(page.url)
            assert await violations(audited) == []
        finally:
            await browser.close()


@pytest.fixture
def signing_pki(tmp_path, task_queue):
    """The demo PKI in the test's var directory, made before the web app starts (it signs there)."""
    from models.signing.demo_pki import ensure_demo_pki

    settings = make_settings(tmp_path, task_queue)
    ensure_demo_pki(settings)
    return settings


async def test_the_leader_reads_approves_and_signs_on_a_phone(signing_pki, live_server, seeded_sqlite, temporal_env,
                                                              task_queue, tmp_path):
    """At 390×844 the signer reads the draft on its page and approves and signs it with one action."""
    from playwright.async_api import async_playwright, expect

    from tests.helpers import eventually, running_worker
    from tests.outgoing_helpers import act_on_step, draft_document, open_task_of, submit_draft

    engine, client = seeded_sqlite, temporal_env.client
    async with running_worker(client, engine, signing_pki), async_playwright() as p:
        document = draft_document(engine, signing_pki, keep_layout=True)
        await submit_draft(engine, client, signing_pki, document)
        await act_on_step(engine, client, "truongphong", document.id, "review", "duyet", "phone-r")
        await act_on_step(engine, client, "vanthu", document.id, "format_check", "duyet", "phone-f")
        await eventually(lambda: open_task_of(engine, document.id, "approve"))
        browser = await launch_chromium(p)
        try:
            page = await log_in(browser, live_server, "lanhdao")
            await page.set_viewport_size(PHONE)
            await page.goto(f"{live_server}/outgoing/{document.id}")
            await expect(page.locator("#pdf-viewer .pdf-page canvas[data-rendered]").first).to_be_visible(
                timeout=20_000)
            button = page.locator("section.task").get_by_role("button", name="Duyệt và ký số", exact=True)
            await expect(button).to_be_visible()
            assert (await button.bounding_box())["height"] >= 44
            wide = await page.evaluate("document.documentElement.scrollWidth")
            assert wide <= PHONE["width"], f"the signing page is {wide} px wide on a 390 px phone"
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            for folder in (tmp_path, ARTIFACTS):
                await page.screenshot(path=str(folder / "approve-and-sign-phone.png"), full_page=True)
            await button.click()  # the demo key's own password: the field is left empty
            await expect(page.locator("#status-label")).to_have_text("Đã ký", timeout=30_000)
            await expect(page.locator("#revisions tbody tr")).to_have_count(2)
            await expect(page.locator("#history ol.history")).to_contain_text("Ký số")
        finally:
            await browser.close()
