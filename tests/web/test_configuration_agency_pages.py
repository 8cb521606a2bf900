"""The configuration pages of an agency and their API v1: the document types the agency offers (on
the drafting form and as the intake form's suggestions), the process version its new workflows
start with (proved on a running workflow), its identity on the hub with the connection shown and
the secret never, and the working calendar; refusals in Vietnamese that change nothing."""

from __future__ import annotations

import json

from pydantic import SecretStr
from sqlmodel import select

from commands import admin as admin_commands
from models.audit import AuditEvent
from models.db import reading
from models.documents.tables import Document
from models.documents.types import DocumentType
from models.processes.schema import DEFAULT_INCOMING
from tests.conftest import minimal_pdf
from tests.helpers import actor_of, eventually_async, rows, sample_metadata
from tests.web.conftest import api_token, browser_login

OFFICE = "000.00.01.H23"


def _codes(web, prefix):
    return [e.code for e in sorted(rows(web.engine, AuditEvent), key=lambda e: e.id) if e.code.startswith(prefix)]


async def test_an_agency_s_types_are_what_its_drafting_and_intake_forms_offer(web):
    with reading(web.engine) as session:
        plan_id = session.exec(select(DocumentType.id).where(DocumentType.name == "Kế hoạch")).one()
    csrf = await browser_login(web, "admin")
    page = await web.get("/admin/configuration", params={"agency": OFFICE})
    assert page.status_code == 200 and "Loại văn bản riêng của Văn phòng" in page.text
    assert 'href="/admin/configuration/processes?agency=' in page.text
    off = await web.post(f"/admin/configuration/types/{plan_id}", follow_redirects=True, data={
        "csrf_token": csrf, "agency": OFFICE, "action": "turn_off"})
    assert off.status_code == 200 and "các cơ quan khác không bị ảnh hưởng" in off.text
    own = await web.post("/admin/configuration/types", follow_redirects=True, data={
        "csrf_token": csrf, "agency": OFFICE, "scope": "agency", "name": "Giấy phép hoạt động", "code": "GPHĐ",
        "own_series": "1"})
    assert own.status_code == 200 and "Sổ đăng ký Giấy phép hoạt động" in own.text
    again = await web.post("/admin/configuration/types", data={
        "csrf_token": csrf, "agency": OFFICE, "scope": "agency", "name": "Giấy phép hoạt động", "code": "GP"})
    assert again.status_code == 422 and "Đã có loại văn bản tên “Giấy phép hoạt động”" in again.text

    await browser_login(web, "chuyenvien")
    drafting = (await web.get("/outgoing/new")).text
    assert ">Giấy phép hoạt động</option>" in drafting and ">Kế hoạch</option>" not in drafting
    await browser_login(web, "vanthu")
    intake = (await web.get("/documents/new")).text
    assert 'list="type-names"' in intake and '<option value="Giấy phép hoạt động">' in intake
    assert '<option value="Kế hoạch">' not in intake and '<option value="Quyết định">' in intake

    headers = await api_token(web, "admin")
    listed = await web.get("/api/v1/configuration/document-types", headers=headers, params={"agency_code": OFFICE})
    by_name = {t["name"]: t for t in listed.json()}
    assert by_name["Kế hoạch"]["offered"] is False and by_name["Giấy phép hoạt động"]["agency_code"] == OFFICE
    back = await web.post(f"/api/v1/configuration/document-types/{plan_id}/offered", headers=headers,
                          json={"agency_code": OFFICE, "offered": True})
    assert back.status_code == 200 and back.json()["offered"] is True
    bad = await web.post("/api/v1/configuration/document-types", headers=headers, json={
        "name": "Giấy báo", "code": "GB", "agency_code": OFFICE, "legal_normative": True})
    assert bad.status_code == 422 and bad.json()["errors"] == {
        "legal_normative": "Văn bản quy phạm pháp luật: giá trị không hợp lệ"}
    assert _codes(web, "config.") == ["config.type_turned_off", "config.type_created", "config.register_created",
                                      "config.type_offered"]


async def _leader_actions(web, headers, document_id) -> set[str]:
    async def check():
        tasks = (await web.get("/api/v1/tasks?scope=unit", headers=headers)).json()
        task = next((t for t in tasks if t["document_id"] == document_id), None)
        return {a["action"] for a in task["actions"]} if task else None
    return await eventually_async(check)


async def _received(web, clerk) -> str:
    created = await web.post("/api/v1/incoming", headers=clerk, files={
        "file": ("cv.pdf", minimal_pdf(), "application/pdf")},
        data={"metadata": json.dumps(sample_metadata(), ensure_ascii=False)})
    assert created.status_code == 201, created.text
    return created.json()["id"]


async def test_a_bound_process_version_is_what_new_workflows_of_the_agency_run(web):
    body = DEFAULT_INCOMING.model_dump(mode="json")
    body["steps"][2]["actions"] = ["giao_xu_ly"]  # version 2: the leader may no longer just file it
    admin_commands.deploy_process(web.engine, **actor_of(web.engine, "admin"), body_text=json.dumps(body))
    csrf = await browser_login(web, "admin")
    page = await web.get("/admin/configuration/processes", params={"agency": OFFICE})
    assert page.status_code == 200 and "incoming-standard – phiên bản 1" in page.text
    bad = await web.post("/admin/configuration/processes", data={
        "csrf_token": csrf, "agency": OFFICE, "direction": "incoming", "version": "incoming-standard:abc"})
    assert bad.status_code == 422 and "Phiên bản quy trình: giá trị không hợp lệ" in bad.text
    bound = await web.post("/admin/configuration/processes", follow_redirects=True, data={
        "csrf_token": csrf, "agency": OFFICE, "direction": "incoming", "version": "incoming-standard:1"})
    assert bound.status_code == 200 and "Đang áp dụng: <strong>incoming-standard</strong> phiên bản 1" in bound.text

    clerk, leader = await api_token(web, "vanthu"), await api_token(web, "lanhdao")
    first = await _received(web, clerk)
    assert await _leader_actions(web, leader, first) == {"giao_xu_ly", "luu_tham_khao"}  # version 1's step

    headers = await api_token(web, "admin")
    unknown = await web.post("/api/v1/configuration/process-bindings", headers=headers, json={
        "agency_code": OFFICE, "direction": "incoming", "key": "incoming-standard", "version": 7})
    assert unknown.status_code == 422 and "Không có quy trình “incoming-standard” phiên bản 7" in unknown.json()["detail"]
    unbound = await web.post("/api/v1/configuration/process-bindings/unbind", headers=headers,
                             json={"agency_code": OFFICE, "direction": "incoming"})
    assert unbound.status_code == 200 and (unbound.json()["bound"], unbound.json()["version"]) == (False, 2)
    second = await _received(web, clerk)
    assert await _leader_actions(web, leader, second) == {"giao_xu_ly"}  # the newest version again
    with reading(web.engine) as session:
        assert [session.get(Document, d).process_version for d in (first, second)] == [1, 2]
    listed = await web.get("/api/v1/configuration/process-bindings", headers=headers, params={"agency_code": OFFICE})
    assert [(b["direction"], b["bound"]) for b in listed.json()] == [("incoming", False), ("outgoing", False)]
    assert _codes(web, "config.process") == ["config.process_bound", "config.process_unbound"]


async def test_the_hub_page_shows_the_connection_without_its_secret_and_edits_the_identity(web):
    secret = "bi-mat-truc-lien-thong-42"
    web.app.state.qlvb.settings.hub_secret = SecretStr(secret)
    csrf = await browser_login(web, "admin")
    page = await web.get("/admin/configuration/hub", params={"agency": OFFICE})
    assert page.status_code == 200 and "Mã hệ thống (systemId)" in page.text and "qlvb-dev" in page.text
    assert "Đã cấu hình (biến môi trường QLVB_HUB_SECRET)" in page.text and secret not in page.text
    values = {"organization_in_charge": "Ủy ban nhân dân tỉnh Hà Nam", "organ_add": "Phủ Lý",
              "email": "vanthu.hanam.gov.vn", "telephone": "0226 3852 701", "fax": "", "website": ""}
    refused = await web.post("/admin/configuration/hub", data={"csrf_token": csrf, "agency": OFFICE, **values})
    assert refused.status_code == 422 and "Thư điện tử: không đúng dạng địa chỉ thư điện tử" in refused.text
    assert 'value="vanthu.hanam.gov.vn"' in refused.text  # what was typed comes back for correcting
    saved = await web.post("/admin/configuration/hub", follow_redirects=True, data={
        "csrf_token": csrf, "agency": OFFICE, **values, "email": "vanthu@hanam.gov.vn"})
    assert saved.status_code == 200 and "Đã lưu thông tin cơ quan trên trục liên thông" in saved.text

    headers = await api_token(web, "admin")
    shown = await web.get("/api/v1/configuration/hub", headers=headers, params={"agency_code": OFFICE})
    assert shown.json()["identity"]["email"] == "vanthu@hanam.gov.vn"
    assert shown.json()["connection"]["secret_source"] == "environment" and secret not in shown.text
    bad = await web.post("/api/v1/configuration/hub", headers=headers, json={
        "agency_code": OFFICE, "email": "vanthu@hanam.gov.vn", "website": "hanam.gov.vn"})
    assert bad.status_code == 422 and bad.json()["errors"] == {
        "website": "Trang thông tin điện tử: phải bắt đầu bằng http:// hoặc https://"}
    assert _codes(web, "config.hub") == ["config.hub_identity_changed"]


async def test_the_calendar_through_api_v1_and_who_may_change_it(web):
    headers = await api_token(web, "admin")
    added = await web.post("/api/v1/configuration/calendar", headers=headers, json={
        "day": "2026-12-31", "working": False, "note": "Nghỉ bù theo thông báo của UBND tỉnh"})
    assert added.status_code == 200 and added.json() == {
        "day": "2026-12-31", "working": False, "note": "Nghỉ bù theo thông báo của UBND tỉnh", "national_working": True}
    listed = await web.get("/api/v1/configuration/calendar", headers=headers, params={"year": 2026})
    assert [d["day"] for d in listed.json()] == ["2026-12-31"]
    bad = await web.post("/api/v1/configuration/calendar", headers=headers, json={"day": "31/12/2026",
                                                                                  "working": True})
    assert bad.status_code == 422 and "Ngày không hợp lệ" in bad.json()["detail"]
    leader = await api_token(web, "lanhdao")
    refused = await web.post("/api/v1/configuration/calendar/remove", headers=leader, json={"day": "2026-12-31"})
    assert refused.status_code == 403
    removed = await web.post("/api/v1/configuration/calendar/remove", headers=headers, json={"day": "2026-12-31"})
    assert removed.status_code == 200 and removed.json() == {"day": "2026-12-31", "removed": True}
    assert (await web.get("/api/v1/configuration/calendar", headers=headers, params={"year": 2026})).json() == []
    await browser_login(web, "admin")
    page = await web.get("/admin/calendar", params={"year": 2026})
    assert page.status_code == 200 and 'aria-current="page">Lịch làm việc' in page.text
    schema = (await web.get("/openapi.json")).json()["paths"]
    for path in ("/api/v1/configuration/calendar", "/api/v1/configuration/calendar/remove",
                 "/api/v1/configuration/hub", "/api/v1/configuration/process-bindings",
                 "/api/v1/configuration/process-bindings/unbind",
                 "/api/v1/configuration/document-types/{type_id}/offered"):
        assert all(operation.get("description") or operation.get("summary") for operation in schema[path].values())
    assert _codes(web, "calendar.") == ["calendar.changed", "calendar.removed"]
