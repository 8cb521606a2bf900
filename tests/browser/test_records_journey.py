"""In a real browser, a hồ sơ's journey (issue 12): the Danh mục hồ sơ approved by the head of the
agency → the hồ sơ opened from its entry → three signed documents filed from their pages →
closed → transferred → accepted by the archivist → the export downloaded. The downloaded zip is a
valid BagIt bag (``bagit`` checks every payload file's SHA-256) whose original PDFs still carry
valid signatures (pyHanko, against the demo trust anchors).

What is not the journey's point is seeded with commands: the draft Danh mục submitted for
approval, and the documents (issued outgoing and registered incoming, signed by the demo
official and sealed by the demo agency). The app runs under uvicorn in its own process, the
worker in this one (see ``conftest.py``).
"""

from __future__ import annotations

import asyncio
import io
import re
import shutil
import uuid
import zipfile
from datetime import UTC, date, datetime

import bagit
import pytest

from commands import record_plans
from models.db import transaction
from models.documents.file_store import FileStore
from models.documents.tables import Document, DocumentFile, StoredFile
from models.org.repo import get_by_username, roles_of
from models.records.plan_schema import EntryInput, HeadingInput, PlanInput
from models.signing import pki
from models.vocab import Direction, DocumentSource, DocumentStatus
from tests.browser.conftest import launch_chromium, log_in, needs_chromium, reload_until
from tests.helpers import make_settings, running_worker
from tests.record_export_helpers import signed_pdfs
from tests.unit.signing_fixtures import demo_settings

pytestmark = [pytest.mark.browser, needs_chromium,
              pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript is not installed (make system-deps)")]

YEAR = date.today().year
TITLE = f"Hồ sơ tuyển dụng công chức năm {YEAR}"


def _person(engine, username: str):
    with transaction(engine) as session:
        user = get_by_username(session, username)
        roles = roles_of(session, user.id)
        session.expunge(user)
        return user, roles


async def _submitted_plan(engine, client, settings) -> int:
    """The văn thư's Danh mục of this year with one hồ sơ, sent to the head of the agency."""
    clerk, roles = _person(engine, "vanthu")
    plan_id = record_plans.create_plan(engine, user=clerk, roles=roles, data=PlanInput(year=YEAR))
    heading = record_plans.add_heading(engine, user=clerk, roles=roles, plan_id=plan_id, data=HeadingInput(
        title="Tổ chức, cán bộ", abbreviation="TCCB", unit_id=clerk.unit_id))
    record_plans.add_entry(engine, user=clerk, roles=roles, plan_id=plan_id, data=EntryInput(
        heading_id=heading, title=TITLE, maintenance="Vĩnh viễn", creator_user_id=clerk.id))
    await record_plans.submit_plan(engine, client, settings, user=clerk, roles=roles, plan_id=plan_id)
    return plan_id


def _signed_documents(engine, store: FileStore, pdfs: list[bytes]) -> list[tuple[str, str]]:
    """Issued outgoing and registered incoming documents of the demo agency, one per signed PDF;
    returns (id, số và ký hiệu) of each."""
    clerk, _ = _person(engine, "vanthu")
    made = []
    with transaction(engine) as session:
        for number, pdf in enumerate(pdfs, start=1):
            stored = StoredFile(sha256=store.put(pdf), size=len(pdf), content_type="application/pdf",
                                filename=f"van-ban-{number}.pdf", created_by=clerk.id)
            session.add(stored)
            session.flush()
            outgoing = number % 2 == 1
            document = Document(
                id=str(uuid.uuid4()), agency_id=clerk.agency_id, direction=Direction.OUTGOING if outgoing else Direction.INCOMING,
                status=DocumentStatus.ISSUED if outgoing else DocumentStatus.DONE,
                source=None if outgoing else DocumentSource.UPLOAD, code_number=str(number),
                code_notation="QĐ-VP" if outgoing else "STC-NS", type_name="Quyết định" if outgoing else "Công văn",
                issued_date=date(YEAR, 1, number), organ_name="Văn phòng UBND tỉnh Hà Nam",
                subject=f"Về việc tuyển dụng công chức, văn bản {number}", page_amount=1,
                signer_full_name="Trần Văn Minh", signer_position="Chánh Văn phòng",
                arrival_number=None if outgoing else number,
                arrival_date=None if outgoing else datetime(YEAR, 1, number + 1, 3, tzinfo=UTC),
                file_id=stored.id, created_by=clerk.id)
            session.add(document)
            session.flush()
            session.add(DocumentFile(document_id=document.id, file_id=stored.id, role="main"))
            made.append((document.id, f"{number}/{document.code_notation}"))
    return made


async def _signature_statuses(pdf: bytes, roots) -> list:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko_certvalidator import ValidationContext

    from models.signing import pades

    context = ValidationContext(trust_roots=[pades.as_asn1_certificate(cert) for cert in roots], allow_fetching=False)
    usage = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)
    reader = PdfFileReader(io.BytesIO(pdf))
    return [await async_validate_pdf_signature(sig, context, key_usage_settings=usage)
            for sig in reader.embedded_signatures]


async def _act(page, section, fields: dict[str, str]) -> None:
    """Take the open (first) action of a step's section, filling its fields."""
    form = section.locator("details[open] form")
    for name, value in fields.items():
        if await form.locator(f"[name={name}]").count():
            await form.locator(f"[name={name}]").fill(value)
    await form.locator("button[type=submit]").click()


async def test_a_hoso_from_the_approved_plan_to_the_archive_and_its_export(live_server, seeded_sqlite, temporal_env,
                                                                          task_queue, tmp_path):
    from playwright.async_api import async_playwright, expect

    engine = seeded_sqlite
    settings = make_settings(tmp_path, task_queue)
    signing = await asyncio.to_thread(demo_settings, tmp_path / "signing")
    pdfs = await asyncio.to_thread(signed_pdfs, signing, 3)
    documents = await asyncio.to_thread(_signed_documents, engine, FileStore(settings.files_dir), pdfs)
    async with running_worker(temporal_env.client, engine, settings), async_playwright() as p:
        plan_id = await _submitted_plan(engine, temporal_env.client, settings)
        browser = await launch_chromium(p)
        try:
            # The head of the agency approves the Danh mục hồ sơ.
            leader = await log_in(browser, live_server, "lanhdao")
            await leader.goto(f"{live_server}/record-plans/{plan_id}")
            approval = leader.locator("#approval")
            await reload_until(leader, approval, "Danh mục gồm 1 hồ sơ")
            await _act(leader, approval, {"comment": "Đồng ý ban hành"})
            await reload_until(leader, leader.locator("#plan-status"), "Đã ban hành")

            # The văn thư opens the hồ sơ from its entry, then files the documents from their pages.
            clerk = await log_in(browser, live_server, "vanthu")
            await clerk.goto(f"{live_server}/records/new")
            await clerk.locator("#from-plan select#entry").select_option(label=f"01.TCCB — {TITLE} (Vĩnh viễn)")
            await clerk.locator("#from-plan button[type=submit]").click()
            await clerk.wait_for_url(re.compile(r"/records/\d+$"))
            record_url = clerk.url
            await expect(clerk.locator("h1")).to_contain_text(f"Hồ sơ 01.TCCB/{YEAR}")
            for document_id, _ in documents:
                await clerk.goto(f"{live_server}/documents/{document_id}")
                filing = clerk.locator("#filing")
                await filing.locator("#target").select_option(label=f"01.TCCB/{YEAR} — {TITLE}")
                await filing.locator("button[type=submit]").click()
                await expect(clerk.locator("#filing")).to_contain_text("Văn bản đã có trong hồ sơ")

            # Closed by its creator (the listing), then transferred to the archive.
            await clerk.goto(record_url)
            for _, so_ky_hieu in documents:
                await expect(clerk.locator("main")).to_contain_text(so_ky_hieu)
            await clerk.fill("#close-note", "Đã rà soát, đủ văn bản")
            await clerk.locator("#close button[type=submit]").click()
            meta = clerk.locator("#record-meta")
            await reload_until(clerk, meta, "Đã kết thúc, đơn vị đang giữ")
            await clerk.locator("#transfer form button[type=submit]").first.click()
            await reload_until(clerk, meta, "Đang nộp lưu")

            # The archivist accepts it, then exports it and downloads the package.
            archivist = await log_in(browser, live_server, "luutru")
            await archivist.goto(record_url)
            step = archivist.locator("section.task[id^=task-]")
            await reload_until(archivist, step, "Tiếp nhận")
            await _act(archivist, step, {"condition": "Đầy đủ, nguyên vẹn"})
            await reload_until(archivist, archivist.locator("#record-meta"), "Đã nộp lưu")
            box = archivist.locator("#record-export")
            await box.get_by_role("button", name="Xuất hồ sơ").click()
            link = box.get_by_role("button", name="Tải gói hồ sơ (.zip)")
            await expect(link).to_be_visible(timeout=120_000)
            async with archivist.expect_download() as waiting:
                await link.click()
            download = await waiting.value
            package = tmp_path / download.suggested_filename
            await download.save_as(package)
        finally:
            await browser.close()

    with zipfile.ZipFile(package) as archive:
        archive.extractall(tmp_path / "unzipped")
    (bag_dir,) = (tmp_path / "unzipped").iterdir()
    bag = bagit.Bag(str(bag_dir))
    bag.validate()  # every payload file's SHA-256 against the manifest, and the tag manifest
    assert bag.algorithms == ["sha256"]
    originals = sorted((bag_dir / "data" / "van-ban").glob("*/ban-goc.pdf"))
    assert sorted(o.read_bytes() for o in originals) == sorted(pdfs)  # byte for byte what was signed
    roots = pki.trust_anchor_certificates(signing)
    for original in originals:
        statuses = await _signature_statuses(original.read_bytes(), roots)
        assert len(statuses) == 2  # the official's signature and the agency's seal
        assert all(status.intact and status.valid and status.trusted for status in statuses), original
