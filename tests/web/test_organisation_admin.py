"""The organisation pages and API v1: an administrator edits the tree; bad input changes nothing."""

from __future__ import annotations

import re

from sqlmodel import select

from models.audit import AuditEvent
from models.db import transaction
from models.org.tables import Agency, AgencyCode, OrgUnit
from tests.web.conftest import api_token, browser_login


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _agency(engine, code: str) -> Agency | None:
    with transaction(engine) as session:
        return session.exec(select(Agency).where(Agency.code == code)).first()


async def test_the_pages_create_rename_and_refuse_in_vietnamese(web):
    await browser_login(web, "admin")
    page = await web.get("/admin/organisation")
    assert page.status_code == 200 and "Cơ cấu tổ chức" in page.text and "000.00.02.H23" in page.text
    province = _agency(web.engine, "000.00.00.H23")
    form = {"csrf_token": _csrf(page.text), "code": "H42.05", "qd20_code": "", "name": "Sở Công Thương tỉnh Ninh Bình",
            "abbreviation": "SCT", "kind": "so_nganh", "parent_id": str(province.id), "place_name": "Ninh Bình",
            "valid_from": "2025-07-01", "hosted": "1"}
    refused = await web.post("/admin/organisation/agencies", follow_redirects=True, data=form)
    assert refused.status_code == 422
    assert "không đúng dạng QCVN 102" in refused.text and "dạng QĐ 20/2020" in refused.text
    assert _agency(web.engine, "H42.05") is None

    created = await web.post("/admin/organisation/agencies", follow_redirects=True, data={**form, "code": "000.00.05.H42",
                                                                   "qd20_code": "H42.05"})
    assert created.status_code == 200 and "Đã thêm cơ quan" in created.text
    agency = _agency(web.engine, "000.00.05.H42")
    assert (agency.qd20_code, agency.parent_id, str(agency.valid_from)) == ("H42.05", province.id, "2025-07-01")

    renamed = await web.post(f"/admin/organisation/agencies/{agency.id}/rename", follow_redirects=True, data={
        "csrf_token": _csrf(created.text), "name": "Sở Công Thương và Du lịch tỉnh Ninh Bình", "place_name": "",
        "effective": "2026-01-01"})
    assert renamed.status_code == 200 and "tên cũ được lưu lại" in renamed.text
    assert "Sở Công Thương tỉnh Ninh Bình" in renamed.text  # the former name, listed with its dates

    alias = await web.post(f"/admin/organisation/agencies/{agency.id}/aliases", follow_redirects=True, data={
        "csrf_token": _csrf(renamed.text), "code": "000.00.05.H23", "scheme": "qcvn102", "valid_from": "2025-07-01"})
    assert alias.status_code == 422 and "đã được dùng cho Sở Công Thương tỉnh Hà Nam" in alias.text

    unit = await web.post(f"/admin/organisation/agencies/{agency.id}/units", follow_redirects=True, data={
        "csrf_token": _csrf(alias.text), "name": "Văn phòng Sở", "abbreviation": "VP", "valid_from": "not-a-date"})
    assert unit.status_code == 422 and "ngày bắt đầu hiệu lực" in unit.text
    with transaction(web.engine) as session:
        assert session.exec(select(OrgUnit).where(OrgUnit.agency_id == agency.id)).all() == []
        codes = [event.code for event in session.exec(select(AuditEvent).where(AuditEvent.subject_type == "agency",
                                                                               AuditEvent.subject_id == str(agency.id)))]
    assert codes == ["org.agency_created", "org.agency_name_changed"]


async def test_closing_an_agency_with_open_work_is_refused_on_the_page(web):
    await browser_login(web, "admin")
    office = _agency(web.engine, "000.00.01.H23")
    page = await web.get(f"/admin/organisation/agencies/{office.id}")
    assert page.status_code == 200 and "Đóng cơ quan" in page.text
    refused = await web.post(f"/admin/organisation/agencies/{office.id}/close", follow_redirects=True,
                             data={"csrf_token": _csrf(page.text), "valid_to": "2026-12-31"})
    assert refused.status_code == 422
    assert "Chưa thể đóng" in refused.text and "tài khoản đang hoạt động" in refused.text
    assert "đơn vị trực thuộc chưa đóng" in refused.text
    assert _agency(web.engine, "000.00.01.H23").valid_to is None


async def test_api_v1_edits_the_tree_and_resolves_codes_by_date(web):
    headers = await api_token(web, "admin")
    province = _agency(web.engine, "000.00.00.H23")
    created = await web.post("/api/v1/organisation/agencies", headers=headers, json={
        "code": "000.00.46.H23", "qd20_code": "H23.46", "name": "Ủy ban nhân dân phường Châu Sơn",
        "abbreviation": "UBND", "kind": "ubnd_xa", "parent_id": province.id, "place_name": "Phủ Lý"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert {(c["code"], c["scheme"]) for c in body["codes"]} == {("000.00.46.H23", "qcvn102"), ("H23.46", "qd20")}

    wrong = await web.post(f"/api/v1/organisation/agencies/{body['id']}/aliases", headers=headers,
                           json={"code": "000.00.46.H23", "scheme": "qd20"})
    assert wrong.status_code == 422 and wrong.json()["code"] == "bad_qd20_code"
    assert "dạng QCVN 102" in wrong.json()["detail"]

    moved = await web.post(f"/api/v1/organisation/agencies/{body['id']}/move", headers=headers,
                           json={"parent_id": body["id"]})
    assert moved.status_code == 422 and moved.json()["code"] == "org_parent_cycle"

    closed = await web.post(f"/api/v1/organisation/agencies/{body['id']}/close", headers=headers,
                            json={"valid_to": "2025-06-30", "successor_id": _agency(web.engine, "000.00.40.H23").id})
    assert closed.status_code == 200, closed.text
    assert closed.json()["valid_to"] == "2025-06-30"
    resolved = await web.get("/api/v1/organisation/resolve", headers=headers,
                             params={"code": "000.00.46.H23", "on": "2025-03-01"})
    assert resolved.json()["agency"]["code"] == "000.00.40.H23"
    with transaction(web.engine) as session:
        alias = session.exec(select(AgencyCode).where(AgencyCode.code == "000.00.46.H23",
                                                      AgencyCode.agency_id != body["id"])).one()
        assert str(alias.valid_from) == "2025-07-01"

    clerk = await api_token(web, "vanthu")
    forbidden = await web.post("/api/v1/organisation/agencies", headers=clerk, json={
        "code": "000.00.42.H23", "name": "X", "abbreviation": "X", "kind": "ubnd_xa"})
    assert forbidden.status_code == 403 and forbidden.json()["detail"].startswith("Chức năng này chỉ dành")
    schema = (await web.get("/openapi.json")).json()
    assert "/api/v1/organisation/agencies/{agency_id}/close" in schema["paths"]


async def test_every_change_on_the_agency_page_runs_its_command_and_shows_the_page(web):
    await browser_login(web, "admin")
    province, office = _agency(web.engine, "000.00.00.H23"), _agency(web.engine, "000.00.01.H23")
    page = await web.get("/admin/organisation")
    created = await web.post("/admin/organisation/agencies", follow_redirects=True, data={
        "csrf_token": _csrf(page.text), "code": "000.00.06.H42", "name": "Sở Xây dựng tỉnh Ninh Bình",
        "abbreviation": "SXD", "kind": "so_nganh", "parent_id": str(province.id), "hosted": "1"})
    agency = _agency(web.engine, "000.00.06.H42")
    base = f"/admin/organisation/agencies/{agency.id}"
    moved = await web.post(f"{base}/move", follow_redirects=True, data={"csrf_token": _csrf(created.text), "parent_id": str(office.id)})
    assert moved.status_code == 200 and "Đã chuyển cơ quan sang cấp trên mới." in moved.text
    details = await web.post(f"{base}/details", follow_redirects=True, data={"csrf_token": _csrf(moved.text), "abbreviation": "SXDNB",
                                                       "qd20_code": "H42.06", "focal_user_id": ""})
    assert details.status_code == 200 and "Đã lưu thông tin cơ quan." in details.text
    unit = await web.post(f"{base}/units", follow_redirects=True, data={"csrf_token": _csrf(details.text), "name": "Văn phòng Sở",
                                                 "abbreviation": "VP"})
    assert unit.status_code == 200 and "Đã thêm đơn vị." in unit.text
    changed = _agency(web.engine, "000.00.06.H42")
    assert (changed.parent_id, changed.abbreviation, changed.qd20_code) == (office.id, "SXDNB", "H42.06")
    with transaction(web.engine) as session:
        unit_id = session.exec(select(OrgUnit.id).where(OrgUnit.agency_id == agency.id)).one()

    renamed = await web.post(f"/admin/organisation/units/{unit_id}/rename", follow_redirects=True,
                             data={"csrf_token": _csrf(unit.text), "name": "Văn phòng Sở Xây dựng"})
    assert renamed.status_code == 200 and "Đã đổi tên đơn vị." in renamed.text
    nothing = await web.post(f"/admin/organisation/units/{unit_id}/move", follow_redirects=True, data={"csrf_token": _csrf(renamed.text)})
    assert nothing.status_code == 422 and "Không có thay đổi nào" in nothing.text  # already at the top
    closed = await web.post(f"/admin/organisation/units/{unit_id}/close", follow_redirects=True,
                            data={"csrf_token": _csrf(nothing.text), "valid_to": "2026-12-31"})
    assert closed.status_code == 200 and "Đã đóng đơn vị." in closed.text
    with transaction(web.engine) as session:
        unit_row = session.get(OrgUnit, unit_id)
        assert (unit_row.name, str(unit_row.valid_to)) == ("Văn phòng Sở Xây dựng", "2026-12-31")
    unknown = await web.post(f"{base}/delete", follow_redirects=True, data={"csrf_token": _csrf(closed.text)})
    assert unknown.status_code == 404
    assert _agency(web.engine, "000.00.06.H42").valid_to is None
