"""Hồ sơ pages and API v1: opening, filing (also from the document page's proposal), closing,
transfer and the archive's acceptance through the task API, the printouts, access through the
archive, and bad input refused in Vietnamese without changing anything."""

from __future__ import annotations

import re
import uuid
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from models.audit import AuditEvent
from models.db import reading, transaction, utcnow
from models.documents.tables import Assignment, Document, StoredFile
from models.org import repo as org_repo
from models.records.tables import (
    EntryStatus,
    PlanStatus,
    RecordFile,
    RecordItem,
    RecordPlan,
    RecordPlanEntry,
    RecordPlanHeading,
)
from models.registers.numbering import vietnam_date
from models.vocab import AssignmentRole, Direction, DocumentSource, DocumentStatus, Role
from tests.conftest import minimal_pdf
from tests.helpers import eventually_async
from tests.web.conftest import api_token, browser_login

OFFICE = "000.00.01.H23"
HTMX = {"HX-Request": "true"}
AD_HOC = {"title": "Hồ sơ tổ chức Hội nghị tổng kết năm 2026", "file_notation": "07.TH", "maintenance": "20 năm",
          "start_date": "2026-02-01"}


def _user_id(web, username: str) -> int:
    with reading(web.engine) as session:
        return org_repo.get_by_username(session, username).id


def _archivist(web) -> str:
    """The demo archivist (``luu_tru``) of the Văn phòng."""
    with reading(web.engine) as session:
        assert Role.ARCHIVIST in org_repo.roles_of(session, org_repo.get_by_username(session, "luutru").id)
    return "luutru"


def _document(web, *, handler: str = "chuyenvien", status: DocumentStatus = DocumentStatus.DONE,
              direction: Direction = Direction.INCOMING, pages: int = 2, number: str = "") -> str:
    """A document of the Văn phòng with its stored PDF, handled by ``handler`` (who then sees it)."""
    data = minimal_pdf(pages, f"Van ban {uuid.uuid4().hex[:8]}")
    sha256 = web.app.state.qlvb.store.put(data)
    with transaction(web.engine) as session:
        office = org_repo.agency_by_code(session, OFFICE)
        person = org_repo.get_by_username(session, handler)
        stored = StoredFile(sha256=sha256, size=len(data), content_type="application/pdf", filename="vb.pdf")
        session.add(stored)
        session.flush()
        document = Document(id=str(uuid.uuid4()), direction=direction, agency_id=office.id, status=status,
                            source=DocumentSource.UPLOAD if direction == Direction.INCOMING else None,
                            code_number=number or str(uuid.uuid4().int % 900 + 100), code_notation="STC-NS",
                            organ_name="Sở Tài chính tỉnh Hà Nam", type_name="Công văn", issued_date=date(2026, 3, 2),
                            subject="V/v lập dự toán ngân sách năm 2027", file_id=stored.id, created_by=person.id)
        session.add(document)
        session.flush()
        session.add(Assignment(document_id=document.id, role=AssignmentRole.LEAD, user_id=person.id,
                               unit_id=person.unit_id, assigned_by=person.id))
        return document.id


def _state(web) -> tuple:
    """Every hồ sơ row and its audit: what a refused request must leave as it was."""
    with reading(web.engine) as session:
        return tuple((model.__name__, tuple(getattr(row, column.name) for column in model.__table__.columns))
                     for model in (RecordFile, RecordItem, AuditEvent)
                     for row in session.exec(select(model).order_by(model.id))
                     if model is not AuditEvent or row.subject_type == "record")


async def _task_of(web, record_id: int, headers: dict, scope: str = "unit") -> dict:
    async def found():
        tasks = (await web.get(f"/api/v1/tasks?scope={scope}", headers=headers)).json()
        return next((t for t in tasks if t["record_id"] == record_id), None)
    return await eventually_async(found)


async def test_the_api_opens_files_closes_transfers_and_the_archive_accepts_through_the_task_api(web):
    officer = await api_token(web, "chuyenvien")
    created = await web.post("/api/v1/records", json=AD_HOC, headers=officer)
    assert created.status_code == 201, created.text
    record = created.json()
    assert (record["file_notation"], record["status"], record["maintenance"]) == ("07.TH", "dang_lap", "20 năm")
    record_id = record["id"]

    before = _state(web)
    duplicate = await web.post("/api/v1/records", json={**AD_HOC, "title": "Khác"}, headers=officer)
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "record_notation_taken"
    assert "07.TH" in duplicate.json()["detail"] and "năm 2026" in duplicate.json()["detail"]
    early = await web.post(f"/api/v1/records/{record_id}/transfer", headers=officer)
    assert early.status_code == 422 and early.json()["detail"].startswith("Hồ sơ chưa kết thúc")
    draft = _document(web, direction=Direction.OUTGOING, status=DocumentStatus.DRAFT)
    refused = await web.post(f"/api/v1/records/{record_id}/items", json={"document_id": draft}, headers=officer)
    assert refused.status_code == 422 and "dự thảo" in refused.json()["detail"]
    assert _state(web) == before

    documents = [_document(web, pages=2), _document(web, pages=3)]
    for number, document in enumerate(documents, start=1):
        filed = await web.post(f"/api/v1/records/{record_id}/items", json={"document_id": document}, headers=officer)
        assert (filed.status_code, filed.json()["doc_ordinal"]) == (201, number)
    closed = await web.post(f"/api/v1/records/{record_id}/close", json={"note": "Đủ"}, headers=officer)
    assert closed.status_code == 200 and closed.json()["status"] == "da_dong"
    before = _state(web)
    late = await web.post(f"/api/v1/records/{record_id}/items", json={"document_id": _document(web)}, headers=officer)
    assert late.status_code == 409 and late.json()["detail"].startswith("Hồ sơ đã kết thúc")
    assert _state(web) == before

    assert (await web.post(f"/api/v1/records/{record_id}/transfer", headers=officer)).json()["status"] == "dang_nop"
    archivist = await api_token(web, _archivist(web))
    task = await _task_of(web, record_id, archivist)
    assert task["step"] == "record_accept" and task["document_id"] is None
    assert [a["action"] for a in task["actions"]] == ["tiep_nhan_luu_tru", "tra_lai_ho_so"]
    accepted = await web.post(f"/api/v1/tasks/{task['id']}/actions", headers=archivist,
                              json={"action": "tiep_nhan_luu_tru", "fields": {"condition": "Đầy đủ"}})
    assert accepted.status_code == 200 and accepted.json()["document_status"] == "luu_tru"

    detail = (await web.get(f"/api/v1/records/{record_id}", headers=archivist)).json()
    assert (detail["status"], detail["doc_total"], detail["page_total"]) == ("luu_tru", 2, 5)
    assert [item["doc_ordinal"] for item in detail["items"]] == [1, 2] and detail["access"]["views"] == 0
    read = await web.get(f"/api/v1/records/{record_id}/documents/{documents[1]}/file", headers=archivist)
    assert read.status_code == 200 and read.content.startswith(b"%PDF")
    again = (await web.get(f"/api/v1/records/{record_id}", headers=archivist)).json()
    assert again["access"] == {"views": 1, "downloads": 1}  # the same visit is not counted twice
    listing = await web.get(f"/api/v1/records/{record_id}/listing.xlsx", headers=archivist)
    rows = list(load_workbook(BytesIO(listing.content)).active.iter_rows(min_row=7, max_row=8, values_only=True))
    assert [(row[0], row[5]) for row in rows] == [(1, 1), (2, 3)]  # the second document starts on sheet 3
    transfer = await web.get(f"/api/v1/records/{record_id}/transfer.pdf", headers=archivist)
    assert transfer.status_code == 200 and transfer.content.startswith(b"%PDF")
    spec = (await web.get("/openapi.json")).json()["paths"]
    assert {"/api/v1/records", "/api/v1/records/{record_id}/items", "/api/v1/records/{record_id}/close",
            "/api/v1/records/{record_id}/transfer"} <= set(spec)


async def test_the_document_page_proposes_a_hoso_and_the_person_files_it_there(web):
    token = await browser_login(web, "chuyenvien")
    csrf = {"X-CSRF-Token": token, **HTMX}
    opened = await web.post("/records/new", data=AD_HOC, headers=csrf)
    assert opened.status_code == 204
    record_id = int(opened.headers["HX-Redirect"].rsplit("/", 1)[1])
    document = _document(web)
    page = await web.get(f"/documents/{document}")
    assert f'hx-get="/documents/{document}/records"' in page.text
    panel = await web.get(f"/documents/{document}/records", headers=HTMX)
    assert "Đề xuất lưu vào hồ sơ" in panel.text
    assert re.search(rf'<option value="{record_id}" selected>07\.TH/2026', panel.text)
    filed = await web.post(f"/documents/{document}/records", data={"target": str(record_id)}, headers=csrf)
    assert filed.status_code == 204 and filed.headers["HX-Redirect"] == f"/documents/{document}"
    again = await web.get(f"/documents/{document}/records", headers=HTMX)
    assert "Văn bản đã có trong hồ sơ" in again.text and "số thứ tự 01" in again.text

    hoso = await web.get(f"/records/{record_id}")
    assert hoso.status_code == 200 and "V/v lập dự toán ngân sách năm 2027" in hoso.text
    assert "Kết thúc hồ sơ" in hoso.text and 'name="viewport"' in hoso.text
    closed = await web.post(f"/records/{record_id}/close", data={"note": ""}, headers=csrf)
    assert closed.status_code == 204
    hoso = await web.get(f"/records/{record_id}")
    assert "Đã kết thúc, đơn vị đang giữ" in hoso.text and "1 văn bản, 2 trang" in hoso.text
    listing = await web.get(f"/records/{record_id}/listing.pdf")
    assert listing.headers["content-type"] == "application/pdf" and listing.content.startswith(b"%PDF")

    before = _state(web)
    refused = await web.post(f"/records/{record_id}/items", data={"document_id": _document(web)}, headers=csrf)
    assert refused.status_code == 409 and "Hồ sơ đã kết thúc nên không thay đổi được" in refused.text
    duplicate = await web.post("/records/new", data=AD_HOC, headers=csrf)
    assert duplicate.status_code == 409 and "Cơ quan đã có hồ sơ số và ký hiệu 07.TH năm 2026" in duplicate.text
    assert _state(web) == before
    mine = await web.get("/records?scope=mine")
    assert "07.TH/2026" in mine.text


async def test_a_restricted_hoso_of_the_archive_shows_its_catalogue_and_takes_a_read_request(web):
    with transaction(web.engine) as session:
        office = org_repo.agency_by_code(session, OFFICE)
        record = RecordFile(agency_id=office.id, file_catalog=2020, file_notation="03.HCTC", title="Hồ sơ thanh tra",
                            maintenance="Vĩnh viễn", rights="Hạn chế sử dụng", status="luu_tru", closed=True,
                            creator_id=_user_id(web, "vanthu"), workflow_id=f"hoso-{uuid.uuid4()}")
        session.add(record)
        session.flush()
        record_id = record.id
    token = await browser_login(web, "chuyenvien")
    page = await web.get(f"/records/{record_id}")
    assert page.status_code == 200 and "Đề nghị khai thác hồ sơ" in page.text and "Hồ sơ thanh tra" in page.text
    assert (await web.get(f"/records/{record_id}/listing.pdf")).status_code == 404
    asked = await web.post(f"/records/{record_id}/access", data={"reason": "Tham khảo kết luận"},
                           headers={"X-CSRF-Token": token, **HTMX})
    assert asked.status_code == 204
    page = await web.get(f"/records/{record_id}")
    assert "đang chờ lãnh đạo cơ quan cho ý kiến" in page.text


@pytest.mark.parametrize("path", ["/records", "/records?scope=unit", "/records?scope=archive", "/records/new"])
async def test_the_lists_and_the_form_render_for_an_officer(web, path):
    await browser_login(web, "chuyenvien")
    response = await web.get(path)
    assert response.status_code == 200 and "Hồ sơ" in response.text


async def test_with_no_hoso_open_the_danh_muc_entry_of_the_unit_is_proposed_and_opened_on_confirming(web):
    year = vietnam_date(utcnow()).year
    with transaction(web.engine) as session:
        office = org_repo.agency_by_code(session, OFFICE)
        unit = next(u for u in org_repo.units_of(session, office.id) if u.abbreviation == "TH")
        plan = RecordPlan(agency_id=office.id, year=year, status=PlanStatus.ISSUED, issued_at=utcnow())
        session.add(plan)
        session.flush()
        heading = RecordPlanHeading(plan_id=plan.id, position=1, title="Tổng hợp", abbreviation="TH", unit_id=unit.id)
        session.add(heading)
        session.flush()
        entry = RecordPlanEntry(plan_id=plan.id, heading_id=heading.id, position=1, file_notation="01.TH",
                                title="Hồ sơ báo cáo kinh tế - xã hội", maintenance="Vĩnh viễn",
                                status=EntryStatus.APPROVED)
        session.add(entry)
        session.flush()
        entry_id = entry.id
    token = await browser_login(web, "chuyenvien")
    document = _document(web)
    panel = await web.get(f"/documents/{document}/records", headers=HTMX)
    assert f'<option value="entry:{entry_id}" selected>Mở hồ sơ 01.TH' in panel.text
    filed = await web.post(f"/documents/{document}/records", data={"target": f"entry:{entry_id}"},
                           headers={"X-CSRF-Token": token, **HTMX})
    assert filed.status_code == 204
    with reading(web.engine) as session:
        record = session.exec(select(RecordFile).where(RecordFile.plan_entry_id == entry_id)).one()
        opened = (record.file_notation, record.file_catalog, record.creator_id)
        items = [(item.document_id, item.doc_ordinal)
                 for item in session.exec(select(RecordItem).where(RecordItem.record_id == record.id))]
    assert opened == ("01.TH", year, _user_id(web, "chuyenvien")) and items == [(document, 1)]
