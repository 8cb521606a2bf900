"""People and delegation through the pages and API v1, with hostile input.

An agency's administrator is refused (403, in Vietnamese, nothing changed) on another agency's
people by page and by API; bad input is refused field by field; a leader records a delegation
by API and sees it on the page; an overlapping one for another deputy is refused.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from models.db import transaction
from models.delegation import repo as delegation_repo
from models.delegation.tables import Delegation
from models.org.repo import create_user
from models.org.tables import User
from models.vocab import Role
from tests.conftest import DEMO_PASSWORD
from tests.helpers import rows
from tests.web.conftest import api_token, browser_login

SNV = "000.00.02.H23"


def _make_agency_admin(engine) -> None:
    with transaction(engine) as session:
        create_user(session, username="admin.snv", full_name="Quản trị Sở Nội vụ", agency_code=SNV,
                    roles=[Role.ADMIN], password=DEMO_PASSWORD, must_change_password=False)


def _lanhdao(engine) -> User:
    return rows(engine, User, User.username == "lanhdao")[0]


async def test_an_agency_administrator_is_refused_on_another_agencys_people_by_page_and_api(web):
    _make_agency_admin(web.engine)
    before = _lanhdao(web.engine)
    csrf = await browser_login(web, "admin.snv")

    listing = await web.get("/admin/users")
    assert listing.status_code == 200 and "vanthu.snv" in listing.text and ">lanhdao<" not in listing.text
    for path in ("/admin/users/lanhdao/lock", "/admin/users/lanhdao/reset", "/admin/users/lanhdao",
                 "/admin/users/lanhdao/move"):
        refused = await web.post(path, data={"csrf_token": csrf, "reason": "Thử", "roles": "chuyen_vien",
                                             "full_name": "X", "successor": "vanthu.snv"})
        assert refused.status_code == 403, (path, refused.text)
        assert "cơ quan khác" in refused.text
    page = await web.get("/admin/users/lanhdao")
    assert page.status_code == 403

    headers = await api_token(web, "admin.snv")
    refused = await web.post("/api/v1/people/lanhdao", headers=headers, json={"roles": ["chuyen_vien"]})
    assert refused.status_code == 403 and refused.json()["code"] == "admin_other_agency"
    assert "cơ quan khác" in refused.json()["detail"]
    created_elsewhere = await web.post("/api/v1/people", headers=headers, json={
        "username": "nguoi.vp", "full_name": "Người Văn phòng", "agency_code": "000.00.01.H23", "roles": []})
    assert created_elsewhere.status_code == 403
    escalated = await web.post("/api/v1/people", headers=headers, json={
        "username": "sieu.snv", "full_name": "Quản trị tỉnh giả", "agency_code": SNV,
        "roles": ["quan_tri_he_thong"]})
    assert escalated.status_code == 403 and escalated.json()["code"] == "admin_system_role"
    # Hostile input: control characters, unknown roles, overlong names, ids that are not ids.
    for body in ({"username": "x\u202ey", "full_name": "A", "agency_code": SNV},
                 {"username": "b1", "full_name": "B\x00", "agency_code": SNV},
                 {"username": "b2", "full_name": "B", "agency_code": SNV, "roles": ["root"]},
                 {"username": "b3", "full_name": "B" * 51, "agency_code": SNV}):
        bad = await web.post("/api/v1/people", headers=headers, json=body)
        assert bad.status_code == 422, (body, bad.text)
        assert bad.json()["detail"]
    bad_unit = await web.post("/api/v1/people/vanthu.snv", headers=headers, json={"unit_id": "1 OR 1=1"})
    assert bad_unit.status_code == 422

    after = _lanhdao(web.engine)
    assert (after.disabled, after.position, after.password_hash) == (before.disabled, before.position,
                                                                     before.password_hash)
    assert rows(web.engine, User, User.username.in_(["nguoi.vp", "sieu.snv", "b1", "b2", "b3"])) == []

    # In their own agency the administrator creates a person, who must change the one-time password.
    created = await web.post("/api/v1/people", headers=headers, json={
        "username": "chuyenvien.snv", "full_name": "Lý Thị Ngọc", "agency_code": SNV, "unit": "TCBM",
        "position": "Chuyên viên", "roles": ["chuyen_vien"]})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["one_time_password"] and body["person"]["roles"] == ["chuyen_vien"]
    assert body["person"]["must_change_password"] is True
    changed = await web.post("/api/v1/people/chuyenvien.snv", headers=headers,
                             json={"position": "Phó Trưởng phòng", "roles": ["chuyen_vien", "lanh_dao_don_vi"]})
    assert changed.status_code == 200 and changed.json()["position"] == "Phó Trưởng phòng"
    listed = await web.get("/api/v1/people", headers=headers)
    assert {p["agency_code"] for p in listed.json()} == {SNV}


async def test_a_leader_delegates_by_api_and_sees_it_on_the_page(web):
    headers = await api_token(web, "lanhdao.snv")
    today = delegation_repo.today()
    week = {"starts_on": today.isoformat(), "ends_on": (today + timedelta(days=7)).isoformat()}
    created = await web.post("/api/v1/delegations", headers=headers,
                             json={"deputy": "vanthu.snv", "kind": "ky", "form": "TL.", **week})
    assert created.status_code == 201, created.text
    assert created.json()["state"] == "in_force" and created.json()["state_label"] == "Đang hiệu lực"

    for body, code in (
        ({"deputy": "lanhdao.snv", "kind": "ky", "form": "KT.", **week}, "delegation_to_self"),
        ({"deputy": "vanthu.snv", "kind": "ky", "form": "KT.", "starts_on": week["ends_on"],
          "ends_on": week["starts_on"]}, "delegation_bad_period"),
        ({"deputy": "vanthu.snv", "kind": "ky", "form": "KT.", "starts_on": "2026-13-45",
          "ends_on": week["ends_on"]}, "invalid_fields"),
        ({"deputy": "vanthu", "kind": "ky", "form": "KT.", **week}, "delegation_bad_deputy"),
        ({"deputy": "vanthu.snv", "kind": "ky", "form": "KT.", **week}, "delegation_overlap"),
    ):
        refused = await web.post("/api/v1/delegations", headers=headers, json=body)
        assert refused.json()["code"] == code, (body, refused.text)
        assert refused.status_code in (409, 422) and refused.json()["detail"]
    hostile = await web.post("/api/v1/delegations", headers=headers,
                             json={"deputy": "vanthu.snv", "kind": "ky", "form": "KT.", "doc_type_ids": ["1;--"],
                                   **week})
    assert hostile.status_code == 422
    with transaction(web.engine) as session:
        assert len(session.exec(select(Delegation)).all()) == 1

    # Someone else's leader cannot revoke it; the page lists it with its state.
    other = await api_token(web, "lanhdao.stc")
    foreign = await web.post(f"/api/v1/delegations/{created.json()['id']}/revoke", headers=other, json={})
    assert foreign.status_code == 404
    csrf = await browser_login(web, "lanhdao.snv")
    page = await web.get("/delegations")
    assert page.status_code == 200 and "Đỗ Thị Lan" in page.text and "Đang hiệu lực" in page.text
    assert "Thừa lệnh (TL.)" in page.text
    # Revoking asks first and answers with a redirect to the list, which says what happened.
    assert 'data-confirm="Thu hồi ủy quyền' in page.text
    revoked = await web.post(f"/delegations/{created.json()['id']}/revoke", data={"csrf_token": csrf},
                             follow_redirects=True)
    assert [r.status_code for r in revoked.history] == [303] and "Đã thu hồi ủy quyền." in revoked.text


async def test_the_province_administrator_changes_roles_and_moves_a_person_from_the_page(web):
    import re

    from models.audit import AuditEvent
    from models.org.tables import OrgUnit

    csrf = await browser_login(web, "admin")
    page = await web.get("/admin/users/chuyenvien")
    assert page.status_code == 200 and "Chuyển công tác" in page.text and "Phạm Quốc Hùng" in page.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
    changed = await web.post("/admin/users/chuyenvien", data={
        "csrf_token": csrf, "idempotency_key": key, "full_name": "Phạm Quốc Hùng", "position": "Chuyên viên chính",
        "email": "", "unit_id": str(rows(web.engine, User, User.username == "chuyenvien")[0].unit_id),
        "roles": ["chuyen_vien", "lanh_dao_don_vi"]}, follow_redirects=True)
    assert [r.status_code for r in changed.history] == [303] and "Đã cập nhật" in changed.text
    assert rows(web.engine, AuditEvent, AuditEvent.code == "user.roles_changed")[-1].data["added"] == [
        "lanh_dao_don_vi"]
    hctc = [u for u in rows(web.engine, OrgUnit, OrgUnit.abbreviation == "HCTC")][0]
    moved = await web.post("/admin/users/chuyenvien/move", data={
        "csrf_token": csrf, "agency_code": "000.00.01.H23", "unit_id": str(hctc.id), "position": "",
        "successor": ""}, follow_redirects=True)
    assert [r.status_code for r in moved.history] == [303] and "bàn giao 0 công việc" in moved.text
    assert rows(web.engine, User, User.username == "chuyenvien")[0].unit_id == hctc.id
    # The same move again is refused in Vietnamese on the page, nothing changed.
    again = await web.post("/admin/users/chuyenvien/move", data={
        "csrf_token": csrf, "agency_code": "000.00.01.H23", "unit_id": str(hctc.id), "position": "",
        "successor": ""})
    assert again.status_code == 422 and "đã ở đơn vị này" in again.text
