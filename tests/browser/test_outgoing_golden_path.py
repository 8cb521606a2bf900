"""A person's path in a real browser for a văn bản đi: drafted, reviewed, checked, approved,
signed, issued, delivered to Sở Nội vụ, then recalled and given back.

The app runs under uvicorn in its own process, the worker in this one (see ``conftest.py``); both
use the test's var directory, where the demo PKI signs (the leader's PKCS#12 and the agency seal).
"""

from __future__ import annotations

import re

import pytest

from models.documents.tables import Document
from models.org.tables import User
from models.outgoing.tables import Recipient
from models.signing.demo_pki import ensure_demo_pki
from tests.browser.conftest import launch_chromium, log_in, needs_chromium, reload_until
from tests.helpers import make_settings, rows, running_worker

pytestmark = [pytest.mark.browser, needs_chromium]

SUBJECT = "V/v cử cán bộ tham dự tập huấn nghiệp vụ văn thư, lưu trữ năm 2027"
BODY = ("Văn phòng Ủy ban nhân dân tỉnh đề nghị Sở Nội vụ cử 02 công chức làm công tác văn thư, "
        "lưu trữ tham dự lớp tập huấn ngày 15/12/2027.\n\nTrân trọng.")
SNV_NAME = "Sở Nội vụ tỉnh Hà Nam"
RECALL_REASON = "Văn bản ghi sai thời gian tập huấn, sẽ ban hành văn bản thay thế."


@pytest.fixture
def demo_pki(tmp_path, task_queue):
    """The demo PKI in the test's var directory (made before the web app starts)."""
    settings = make_settings(tmp_path, task_queue)
    ensure_demo_pki(settings)
    return settings


async def open_from_inbox(page, base: str, subject: str, step_label: str) -> None:
    """Wait in the inbox for the document's step, then open it with "Xử lý"."""
    await page.goto(f"{base}/")
    row = page.locator("table.inbox tr", has_text=subject).filter(has_text=step_label)
    await reload_until(page, row, subject)
    await row.get_by_role("link", name="Xử lý", exact=True).click()


async def decide(page, button: str) -> None:
    """Press a decision's button in the open step; wait until the page comes back without it."""
    from playwright.async_api import expect

    task = page.locator("section.task")
    await task.get_by_role("button", name=button, exact=True).click()
    await expect(task.get_by_role("button", name=button, exact=True)).to_have_count(0, timeout=20_000)


async def test_outgoing_document_from_draft_to_recipient_in_the_browser(
        demo_pki, live_server, seeded_sqlite, temporal_env, task_queue, tmp_path):
    from playwright.async_api import async_playwright, expect

    leader_row = rows(seeded_sqlite, User, User.username == "lanhdao")[0]
    async with running_worker(temporal_env.client, seeded_sqlite, demo_pki), async_playwright() as p:
        browser = await launch_chromium(p)
        try:
            # 1. The chuyên viên drafts the công văn from the form and submits it.
            drafter = await log_in(browser, live_server, "chuyenvien")
            await drafter.get_by_role("link", name="Văn bản đi", exact=True).click()
            await drafter.get_by_role("link", name="Soạn văn bản đi").click()
            await drafter.select_option("#doc_type_id", label="Công văn")
            await drafter.fill("#subject", SUBJECT)
            await expect(drafter.get_by_label("Soạn trực tiếp")).to_be_checked()
            await drafter.fill("#body", BODY)
            await drafter.select_option("#signer_id", label=f"{leader_row.full_name} · {leader_row.position}")
            await drafter.select_option("#competence", "KT.")
            await drafter.fill("#competence_title", "CHÁNH VĂN PHÒNG")
            await drafter.get_by_label(SNV_NAME, exact=True).check()
            await expect(drafter.get_by_label("Phát hành kèm bản giấy")).not_to_be_checked()
            await drafter.get_by_role("button", name="Lưu dự thảo").click()
            await expect(drafter).to_have_url(re.compile(r"/outgoing/[0-9a-f-]+$"))
            document_id = drafter.url.rsplit("/", 1)[1]
            await expect(drafter.locator("#status-label")).to_have_text("Dự thảo")
            await expect(drafter.locator("p.subject")).to_have_text(SUBJECT)
            await expect(drafter.locator('#revisions tr[data-revision="1"]')).to_contain_text("Dự thảo")
            await expect(drafter.locator("#recipients tbody tr")).to_have_count(1)
            await expect(drafter.locator('#recipients tr[data-recipient="1"]')).to_contain_text(SNV_NAME)
            await expect(drafter.locator("dl.meta")).to_contain_text("KT.")
            await drafter.locator("#submit").get_by_role("button", name="Trình", exact=True).click()
            await expect(drafter.locator("#status-label")).to_have_text("Đang trình duyệt")
            await expect(drafter.locator("#submit")).to_have_count(0)

            # 2. The review chain: unit head, văn thư's format check, the leader, then the signature.
            head = await log_in(browser, live_server, "truongphong")
            await open_from_inbox(head, live_server, SUBJECT, "Kiểm tra nội dung")
            await expect(head).to_have_url(f"{live_server}/outgoing/{document_id}")
            await decide(head, "Đồng ý")

            clerk = await log_in(browser, live_server, "vanthu")
            await open_from_inbox(clerk, live_server, SUBJECT, "Kiểm tra thể thức")
            await expect(clerk.locator("#format-checks li").first).to_be_visible()
            await decide(clerk, "Đồng ý")

            leader = await log_in(browser, live_server, "lanhdao")
            await open_from_inbox(leader, live_server, SUBJECT, "Duyệt")
            # The approval leads straight to the leader's own signature: one action does both. The
            # PKCS#12 password is left empty: the demo key's own password is used.
            await leader.locator("section.task").get_by_role("button", name="Duyệt và ký số", exact=True).click()
            await expect(leader.locator("#status-label")).to_have_text("Đã ký", timeout=30_000)
            await expect(leader.locator("#revisions tbody tr")).to_have_count(2)

            # 3. The văn thư issues it: numbered, sealed, delivered to Sở Nội vụ.
            await open_from_inbox(clerk, live_server, SUBJECT, "Ban hành")
            await decide(clerk, "Ban hành")
            await expect(clerk.locator("#status-label")).to_have_text("Đã phát hành", timeout=30_000)
            issued = rows(seeded_sqlite, Document, Document.id == document_id)[0]
            so_ky_hieu = f"{issued.code_number}/{issued.code_notation}"
            assert so_ky_hieu == "01/VP-TH"
            await expect(clerk.locator("h1")).to_contain_text(so_ky_hieu)
            recipient_row = clerk.locator('#recipients tr[data-recipient="1"]')
            await reload_until(clerk, recipient_row, "Đã đến")
            await expect(recipient_row).to_contain_text(SNV_NAME)
            await expect(recipient_row).to_contain_text("Đã gửi")
            await clerk.screenshot(path=str(tmp_path / "issued.png"), full_page=True)

            # 4. Sở Nội vụ's văn thư finds it among its incoming documents, same số/ký hiệu.
            snv = await log_in(browser, live_server, "vanthu.snv")
            await snv.get_by_role("link", name="Văn bản đến", exact=True).click()
            received = snv.locator("tr", has_text=SUBJECT)
            await expect(received).to_contain_text(so_ky_hieu)
            await expect(received).to_contain_text("Văn phòng")

            # 5. The sender recalls it; Sở Nội vụ agrees; the sender sees the answer.
            await clerk.get_by_label("Lý do thu hồi").fill(RECALL_REASON)
            await clerk.locator("#recall").get_by_role("button", name="Thu hồi", exact=True).click()
            await expect(clerk.locator("#status-label")).to_have_text("Đã thu hồi")
            await expect(clerk.locator("#recall")).to_have_count(0)
            await expect(clerk.locator("main")).to_contain_text(RECALL_REASON)

            await open_from_inbox(snv, live_server, SUBJECT, "Trả lời đề nghị thu hồi")
            await decide(snv, "Đồng ý thu hồi")
            await expect(snv.locator("#status-label")).to_have_text("Đã thu hồi", timeout=20_000)
            await reload_until(clerk, recipient_row, "Đồng ý thu hồi")
            await clerk.screenshot(path=str(tmp_path / "recalled.png"), full_page=True)
        finally:
            await browser.close()
    assert rows(seeded_sqlite, Recipient, Recipient.document_id == document_id)[0].business_status == "15"
