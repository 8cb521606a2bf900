"""The document types and registers page and its API v1: a type added on the page is offered on the
new-draft form until deactivated; a register opened and closed through the API; refusals in
Vietnamese that change nothing; the admin menu links to the page."""

from __future__ import annotations

from sqlmodel import select

from models.audit import AuditEvent
from models.db import reading
from models.documents.types import DocumentType
from models.registers.tables import Register
from tests.helpers import rows
from tests.web.conftest import api_token, browser_login

OFFICE = "000.00.01.H23"


async def test_a_type_added_on_the_page_is_offered_when_drafting_until_deactivated(web):
    csrf = await browser_login(web, "admin")
    page = await web.get("/admin/configuration")
    assert page.status_code == 200 and "Thêm loại văn bản" in page.text
    assert 'href="/admin/configuration"' in page.text
    added = await web.post("/admin/configuration/types", follow_redirects=True, data={"csrf_token": csrf, "name": "Bản tin nội bộ",
                                                                "code": "BTNB"})
    assert added.status_code == 200 and "Đã thêm loại văn bản “Bản tin nội bộ”" in added.text
    refused = await web.post("/admin/configuration/types", data={"csrf_token": csrf, "name": "Bản tin khác",
                                                                  "code": "BTNB"})
    assert refused.status_code == 422 and "Ký hiệu “BTNB” đã được dùng" in refused.text
    with reading(web.engine) as session:
        new = [(t.id, t.name) for t in session.exec(select(DocumentType).where(DocumentType.code == "BTNB"))]
    assert [name for _, name in new] == ["Bản tin nội bộ"]

    await browser_login(web, "chuyenvien")
    assert "Bản tin nội bộ" in (await web.get("/outgoing/new")).text
    csrf = await browser_login(web, "admin")
    off = await web.post(f"/admin/configuration/types/{new[0][0]}", follow_redirects=True, data={"csrf_token": csrf, "action": "deactivate"})
    assert off.status_code == 200 and "Ngừng dùng" in off.text
    await browser_login(web, "chuyenvien")
    assert ">Bản tin nội bộ</option>" not in (await web.get("/outgoing/new")).text
    assert [e.code for e in rows(web.engine, AuditEvent) if e.code.startswith("config.")] == [
        "config.type_created", "config.type_deactivated"]


async def test_registers_through_api_v1_and_refusals_in_vietnamese(web):
    headers = await api_token(web, "admin")
    created = await web.post("/api/v1/configuration/registers", headers=headers, json={
        "agency_code": OFFICE, "kind": "outgoing", "name": "Sổ kế hoạch", "doc_types": ["KH"]})
    assert created.status_code == 201, created.text
    register_id = created.json()["id"]
    bad = await web.post("/api/v1/configuration/registers", headers=headers, json={
        "agency_code": OFFICE, "kind": "outgoing", "name": "Sổ lạ", "doc_types": ["KHONGCO"]})
    assert bad.status_code == 422 and "Loại văn bản, dãy số" in bad.text
    closed = await web.post(f"/api/v1/configuration/registers/{register_id}", headers=headers, json={"closed": True})
    assert closed.status_code == 200 and closed.json()["active"] is False
    listed = await web.get("/api/v1/configuration/registers", headers=headers, params={"agency_code": OFFICE})
    assert {r["name"]: r["active"] for r in listed.json()}["Sổ kế hoạch"] is False
    with reading(web.engine) as session:  # closed, never deleted; nothing made of the refused one
        assert [r.name for r in session.exec(select(Register)) if "kế hoạch" in r.name or r.name == "Sổ lạ"] == [
            "Sổ kế hoạch"]
    types = await web.get("/api/v1/configuration/document-types", headers=headers)
    assert any(t["name"] == "Quyết định" and t["code"] == "QĐ" for t in types.json())
    schema = (await web.get("/openapi.json")).json()
    assert "/api/v1/configuration/registers/{register_id}" in schema["paths"] and "/api/v1/configuration/document-types" in schema["paths"]
    assert [e.code for e in rows(web.engine, AuditEvent) if e.code.startswith("config.")] == [
        "config.register_created", "config.register_closed"]
