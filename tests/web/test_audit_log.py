"""The administrator's audit log (search, paging, XLSX, API v1), its integrity check, and the
views and downloads of documents it records (web and API)."""

from __future__ import annotations

import json
from io import BytesIO

import openpyxl
from sqlalchemy import text

from commands import admin
from models.audit import AuditEvent
from tests.conftest import minimal_pdf
from tests.helpers import rows, sample_metadata, user_and_roles
from tests.web.conftest import api_token, browser_login


async def _incoming(web, headers) -> str:
    files = {"file": ("cv.pdf", minimal_pdf(), "application/pdf")}
    created = await web.post("/api/v1/incoming", headers=headers, files=files,
                             data={"metadata": json.dumps(sample_metadata(), ensure_ascii=False)})
    assert created.status_code == 201, created.text
    return created.json()["id"]


def _access(engine, document_id: str, code: str) -> list[AuditEvent]:
    return rows(engine, AuditEvent, AuditEvent.subject_id == document_id, AuditEvent.code == code)


async def test_views_and_downloads_of_a_document_are_audited(web):
    clerk = await api_token(web, "vanthu")
    document_id = await _incoming(web, clerk)

    for _ in range(2):  # a second look within minutes is not recorded again
        body = (await web.get(f"/api/v1/documents/{document_id}", headers=clerk)).json()
    assert [e.data["via"] for e in _access(web.engine, document_id, "document.viewed")] == ["api"]
    assert all(step["code"] != "document.viewed" for step in body.get("history", []))  # not processing history

    for _ in range(2):  # every download is
        response = await web.get(f"/api/v1/documents/{document_id}/file", headers=clerk)
        assert response.status_code == 200
    downloads = _access(web.engine, document_id, "document.downloaded")
    assert len(downloads) == 2 and downloads[0].data["via"] == "api" and len(downloads[0].data["file"]) == 64

    await browser_login(web, "lanhdao")  # another person, through the pages
    assert (await web.get(f"/documents/{document_id}")).status_code == 200
    assert (await web.get(f"/documents/{document_id}/file")).status_code == 200
    leader, _roles = user_and_roles(web.engine, "lanhdao")
    viewed = _access(web.engine, document_id, "document.viewed")
    assert [(e.actor_id, e.data["via"]) for e in viewed][1:] == [(leader.id, "web")]
    assert [e.actor_id for e in _access(web.engine, document_id, "document.downloaded")][-1] == leader.id

    outsider = await api_token(web, "chuyenvien")  # not visible: refused, nothing recorded
    assert (await web.get(f"/api/v1/documents/{document_id}", headers=outsider)).status_code == 404
    assert len(_access(web.engine, document_id, "document.viewed")) == 2


async def test_administrators_search_page_and_export_the_log(web):
    clerk = await api_token(web, "vanthu")
    document_id = await _incoming(web, clerk)
    await web.get(f"/api/v1/documents/{document_id}", headers=clerk)
    quantri, roles = user_and_roles(web.engine, "admin")
    admin.create_account(web.engine, actor_id=quantri.id, roles=roles, username="kiemtra", full_name="Kiểm Tra",
                         agency_code="000.00.01.H23", position="", unit_abbreviation=None, account_roles=[])
    admin.lock_account(web.engine, actor_id=quantri.id, roles=roles, username="kiemtra",
                       reason='=HYPERLINK("http://x.example","bấm")')

    refused = await web.get("/api/v1/audit", headers=clerk)
    assert refused.status_code == 403
    headers = await api_token(web, "admin")
    found = (await web.get("/api/v1/audit", headers=headers,
                           params={"actor": "vanthu", "code": "document.viewed"})).json()
    assert found["total"] == 1
    event = found["events"][0]
    assert (event["subject_id"], event["label"], event["actor"]["username"]) == (document_id, "Xem văn bản", "vanthu")
    by_document = (await web.get("/api/v1/audit", headers=headers, params={"document": document_id})).json()
    assert {"document.received", "document.viewed"} <= {e["code"] for e in by_document["events"]}
    # Paging over the administrator's own events: the document's workflow keeps adding events of its
    # own in the background, which would shift a page of the whole log between two reads.
    first, second = [(await web.get("/api/v1/audit", headers=headers,
                                    params={"actor": "admin", "per_page": 1, "page": page})).json()
                     for page in (1, 2)]
    assert first["total"] == second["total"] >= 2 and first["events"][0]["id"] != second["events"][0]["id"]
    nothing = (await web.get("/api/v1/audit", headers=headers, params={"from": "2001-01-01", "to": "2001-01-31"}))
    assert nothing.json()["total"] == 0
    bad = await web.get("/api/v1/audit", headers=headers, params={"from": "04/12/2026"})
    assert bad.status_code == 422 and "Từ ngày: ngày không hợp lệ" in bad.json()["detail"]

    await browser_login(web, "admin")
    page = await web.get("/admin/audit", params={"code": "user.locked"})
    assert page.status_code == 200 and "Khóa tài khoản" in page.text and "Quản trị hệ thống" in page.text
    export = await web.get("/admin/audit.xlsx", params={"code": "user.locked"})
    sheet = openpyxl.load_workbook(BytesIO(export.content)).active
    assert sheet.cell(row=4, column=5).value == "Khóa tài khoản"
    detail = sheet.cell(row=4, column=9)
    assert detail.data_type == "s" and "HYPERLINK" in detail.value
    assert sheet.cell(row=5, column=1).value is None  # only the one event


async def test_the_integrity_check_names_the_first_broken_link(web):
    await browser_login(web, "admin")
    intact = await web.get("/admin/audit/verify")
    assert intact.status_code == 200 and "Nhật ký nguyên vẹn" in intact.text
    with web.engine.begin() as connection:
        connection.execute(text("UPDATE auditevent SET data = '{\"ip\": \"10.0.0.9\"}' WHERE seq = 3"))
    broken = await web.get("/admin/audit/verify")
    assert "Mắt xích hỏng đầu tiên: Sự kiện số 3" in broken.text and "đã bị sửa" in broken.text
    headers = await api_token(web, "admin")
    report = (await web.get("/api/v1/audit/verify", headers=headers)).json()
    assert report["intact"] is False and report["problems"][0]["seq"] == 3

    await browser_login(web, "vanthu")
    assert (await web.get("/admin/audit/verify")).status_code == 403
    assert (await web.get("/admin/audit")).status_code == 403
