"""The administrator's journey in a real browser.

The administrator (who enrols two-factor login at the first login, as required) adds a unit to the
agency and a person in it; the person logs in with the one-time password, changes it, turns on
two-factor login and logs in again with a code (computed with pyotp). Then a leader delegates
signing to a deputy for a week (KT.), the deputy signs the leader's draft from the browser, and the
issued PDF reads "KT." with the deputy's name. Forms are typed at a person's speed.
"""

from __future__ import annotations

import io
import re
import shutil
from datetime import timedelta

import pytest

from models.delegation.repo import today
from models.documents.file_store import FileStore
from models.documents.tables import Document, StoredFile
from models.signing.demo_pki import issue_demo_person
from models.vocab import DocumentStatus
from tests.browser.conftest import (
    accept_confirmations,
    enrol_two_factor,
    launch_chromium,
    log_in,
    needs_chromium,
    reload_until,
)
from tests.browser.conftest import next_code as authenticator_code
from tests.helpers import make_settings, rows, running_worker
from tests.outgoing_helpers import act_on_step, draft_document, to_signing
from tests.workflows.test_outgoing_lifecycle import demo_pki  # noqa: F401 (module fixture)

pytestmark = [pytest.mark.browser, needs_chromium]

TYPING_DELAY_MS = 120  # about 8 keys a second, an ordinary typist
AGENCY = "000.00.01.H23"
UNIT_NAME = "Phòng Chuyển đổi số"
UNIT_ABBR = "CDS"
DEPUTY = "phochanh.kt"
DEPUTY_NAME = "Đặng Văn Phúc"


async def _create_person(admin, base: str, username: str, full_name: str, position: str, role: str,
                         unit: str = "") -> str:
    """Fill the new-account form as a person would; return the one-time password it shows."""
    await admin.goto(f"{base}/admin/users")
    await admin.type("#username", username, delay=TYPING_DELAY_MS)
    await admin.type("#full_name", full_name, delay=TYPING_DELAY_MS)
    await admin.type("#position", position, delay=TYPING_DELAY_MS)
    await admin.select_option("#agency_code", AGENCY)
    if unit:
        await admin.type("#unit", unit, delay=TYPING_DELAY_MS)
    await admin.check(f"input[name=roles][value={role}]")
    await admin.click("text=Tạo tài khoản >> nth=-1")
    notice = admin.locator(".notice.success")
    await notice.wait_for()
    text = await notice.inner_text()
    assert f"Đã tạo tài khoản {username}" in text, text
    # Earlier messages stay until read (web/flash.py): the newest password is the last one.
    return re.findall(r"Mật khẩu dùng một lần: (\S+)", text)[-1]


async def _first_login(browser, base: str, username: str, one_time: str, new: str):
    """Log in with the one-time password and change it; return the page, now in the inbox."""
    from playwright.async_api import expect

    context = await browser.new_context()
    page = await context.new_page()
    page.on("dialog", accept_confirmations)  # the deputy signs: "Ký số …? Thao tác không hoàn tác được."
    await page.goto(f"{base}/login")
    await page.type("#username", username, delay=TYPING_DELAY_MS)
    await page.type("#password", one_time, delay=TYPING_DELAY_MS)
    await page.click("button[type=submit]")
    await expect(page).to_have_url(f"{base}/account/password")
    await page.type("#current", one_time, delay=TYPING_DELAY_MS)
    await page.type("#new", new, delay=TYPING_DELAY_MS)
    await page.type("#confirm", new, delay=TYPING_DELAY_MS)
    await page.click("form[action='/account/password'] button[type=submit]")
    await expect(page.locator(".notice.success")).to_contain_text("Đã đổi mật khẩu")
    await page.click("text=Vào hộp công việc")
    await expect(page.locator("h1")).to_have_text("Hộp công việc")
    return page


async def test_the_administrator_adds_a_unit_and_a_person_who_changes_the_password_and_enrols(live_server):
    from playwright.async_api import async_playwright, expect

    base = live_server
    async with async_playwright() as p:
        browser = await launch_chromium(p)
        try:
            admin = await log_in(browser, base, "admin")  # enrols two-factor login at the first login
            await admin.goto(f"{base}/admin/organisation")
            await admin.click(f"a:text-is('{AGENCY}')")
            await admin.type("#unit_name", UNIT_NAME, delay=TYPING_DELAY_MS)
            await admin.type("#unit_abbreviation", UNIT_ABBR, delay=TYPING_DELAY_MS)
            await admin.get_by_role("button", name="Thêm đơn vị", exact=True).click()
            await expect(admin.locator(".notice.success")).to_be_visible()
            await expect(admin.locator("main")).to_contain_text(UNIT_NAME)

            one_time = await _create_person(admin, base, "chuyenvien.cds", "Trần Thị Mai", "Chuyên viên",
                                            "chuyen_vien", unit=UNIT_ABBR)
            await admin.click("a:text-is('chuyenvien.cds')")
            await expect(admin.locator("h1")).to_contain_text("Trần Thị Mai")
            await expect(admin.locator("main")).to_contain_text(UNIT_NAME)

            page = await _first_login(browser, base, "chuyenvien.cds", one_time, "Mai@Cds2026")
            await page.click("text=Xác thực hai bước")
            await expect(page.locator("#two-factor-status")).to_contain_text("chưa bật")
            recovery = await enrol_two_factor(page, base, "chuyenvien.cds")
            assert len(set(recovery)) == 10
            await page.click("text=Đăng xuất")
            await expect(page).to_have_url(re.compile(r"/login"))
            await page.type("#username", "chuyenvien.cds", delay=TYPING_DELAY_MS)
            await page.type("#password", "Mai@Cds2026", delay=TYPING_DELAY_MS)
            await page.click("button[type=submit]")
            await expect(page).to_have_url(re.compile(r"/login/code"))
            await page.type("#code", authenticator_code(base, "chuyenvien.cds"), delay=TYPING_DELAY_MS)
            await page.click("button[type=submit]")
            await expect(page.locator("h1")).to_have_text("Trang chủ")  # where a login lands
            await expect(page.locator("p.who")).to_contain_text("Trần Thị Mai")
        finally:
            await browser.close()


@pytest.fixture
def pki_settings(demo_pki, tmp_path, task_queue):  # noqa: F811
    """The demo PKI in the test's var directory, in place before the web app starts."""
    shutil.copytree(demo_pki, tmp_path / "pki")
    return make_settings(tmp_path, task_queue)


def _pdf_text(pdf: bytes) -> str:
    from pdfminer.high_level import extract_text

    return " ".join(extract_text(io.BytesIO(pdf)).split())


async def test_a_deputy_created_by_the_administrator_signs_for_the_leader_under_kt(
        pki_settings, live_server, seeded_sqlite, temporal_env):
    from playwright.async_api import async_playwright, expect

    base, settings = live_server, pki_settings
    start, end = today(), today() + timedelta(days=6)
    async with running_worker(temporal_env.client, seeded_sqlite, settings), async_playwright() as p:
        browser = await launch_chromium(p)
        try:
            admin = await log_in(browser, base, "admin")
            one_time = await _create_person(admin, base, DEPUTY, DEPUTY_NAME, "Phó Chánh Văn phòng",
                                            "lanh_dao_co_quan")
            # The deputy's own certificate and key (the demo PKI stands for the CA's token).
            issue_demo_person(settings, username=DEPUTY, full_name=DEPUTY_NAME,
                              organisation="Văn phòng Ủy ban nhân dân tỉnh Hà Nam", title="Phó Chánh Văn phòng",
                              agency_code=AGENCY)
            deputy = await _first_login(browser, base, DEPUTY, one_time, "Phuc@Kt2026")

            # The leader's draft reaches the signing step (drafted, reviewed, checked, approved).
            document = draft_document(seeded_sqlite, settings, keep_layout=True)
            await to_signing(seeded_sqlite, temporal_env.client, settings, document, "journey")

            leader = await log_in(browser, base, "lanhdao")
            await leader.click("nav >> text=Ủy quyền")
            await leader.select_option("#deputy", DEPUTY)
            await leader.select_option("#kind", "ky")
            await leader.select_option("#form", "KT.")
            await leader.fill("#starts_on", start.isoformat())
            await leader.fill("#ends_on", end.isoformat())
            await leader.type("#note", "Quyết định ủy quyền số 15/QĐ-VP", delay=TYPING_DELAY_MS)
            await leader.click("#delegation-form button[type=submit]")
            await expect(leader.locator(".notice.success")).to_contain_text("Đã ghi nhận ủy quyền (KT.)")
            await expect(leader.locator("#delegations tbody tr", has_text=DEPUTY_NAME)).to_contain_text(
                "Đang hiệu lực")

            # The deputy finds the leader's step under "Thay lãnh đạo" in the inbox and signs it.
            await deputy.goto(f"{base}/?scope=delegated")
            row = deputy.locator("#rows tr", has_text=document.subject)
            await reload_until(deputy, row, document.subject)
            await row.get_by_role("link", name=document.subject).click()
            await reload_until(deputy, deputy.locator("body"), "Mật khẩu tệp khóa ký số")
            await deputy.locator("section.task").get_by_role("button", name="Ký số", exact=True).click()
            await expect(deputy.locator("#status-label")).to_have_text("Đã ký", timeout=30_000)

            issued = await act_on_step(seeded_sqlite, temporal_env.client, "vanthu", document.id, "issue",
                                       "ban_hanh", "journey-i")
            assert issued.document_status == DocumentStatus.ISSUED
        finally:
            await browser.close()
    final = rows(seeded_sqlite, Document, Document.id == document.id)[0]
    stored = rows(seeded_sqlite, StoredFile, StoredFile.id == final.file_id)[0]
    text = _pdf_text(FileStore(settings.files_dir).read(stored.sha256))
    assert "KT. CHÁNH VĂN PHÒNG" in text, text
    assert DEPUTY_NAME in text and "PHÓ CHÁNH VĂN PHÒNG" in text, text
