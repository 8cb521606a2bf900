"""Giao việc through API v1 and the pages, on the real app with a real worker: an assignment to a
unit through to an accepted result, cancellation, and every refusal in Vietnamese changing nothing."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import func, select

from models.assignments.tables import WorkAssignment
from models.audit import AuditEvent
from models.db import reading, utcnow
from models.org.tables import OrgUnit
from models.registers.numbering import vietnam_date
from tests.helpers import eventually_async, rows, user_and_roles
from tests.web.conftest import api_token, browser_login


def _unit(engine, abbreviation: str) -> int:
    return rows(engine, OrgUnit, OrgUnit.abbreviation == abbreviation)[0].id


def _counts(engine) -> tuple[int, int]:
    with reading(engine) as session:
        return (session.exec(select(func.count()).select_from(WorkAssignment)).one(),
                session.exec(select(func.count()).select_from(AuditEvent).where(
                    AuditEvent.subject_type == "assignment")).one())


async def _my_step(web, headers, assignment_id: int, step: str) -> dict:
    """Wait until the caller has the open step ``step`` on the assignment; it, as API v1 lists it."""
    async def found():
        body = (await web.get(f"/api/v1/assignments/{assignment_id}", headers=headers)).json()
        return next((s for s in body["my_steps"] if s["step"] == step), None)
    return await eventually_async(found, timeout=15)


async def _act(web, headers, task_id: int, action: str, **fields):
    return await web.post(f"/api/v1/tasks/{task_id}/actions", headers=headers,
                          json={"action": action, "fields": fields})


async def test_an_assignment_to_a_unit_goes_through_to_an_accepted_result_by_api(web):
    engine = web.engine
    leader, head, officer = [await api_token(web, name) for name in ("lanhdao", "truongphong", "chuyenvien")]
    officer_user, _ = user_and_roles(engine, "chuyenvien")
    created = await web.post("/api/v1/assignments", headers=leader, json={
        "title": "Tổng hợp báo cáo kinh tế - xã hội tháng 12", "content": "Gửi trước ngày 20",
        "lead_unit_id": _unit(engine, "TH"), "working_days": 3})
    assert created.status_code == 201, created.text
    assignment = created.json()
    assert (assignment["status"], assignment["status_label"]) == ("naming", "Chờ cử người chủ trì")
    assert assignment["lead_unit"]["name"] == "Phòng Tổng hợp" and assignment["due_at"].endswith("T17:00:00+07:00")

    naming = await _my_step(web, head, assignment["id"], "name_lead")
    (action,) = naming["actions"]
    assert (action["action"], action["label"]) == ("cu_nguoi_chu_tri", "Cử người chủ trì")
    assert [(f["name"], f["kind"], f["required"]) for f in action["fields"]][0] == ("handler_id", "user", True)
    received = (await web.get("/api/v1/assignments?scope=received", headers=head)).json()
    assert [a["id"] for a in received] == [assignment["id"]]
    assert (await _act(web, head, naming["id"], "cu_nguoi_chu_tri", handler_id=str(officer_user.id))).status_code == 200

    work = await _my_step(web, officer, assignment["id"], "carry_out")
    progress = await web.post(f"/api/v1/assignments/{assignment['id']}/progress", headers=officer,
                              json={"note": "Đã tổng hợp 3/5 lĩnh vực", "percent": 60})
    assert progress.status_code == 200 and progress.json()["progress"]["percent"] == 60
    done = await _act(web, officer, work["id"], "bao_cao_ket_qua", result="Báo cáo đã hoàn thành")
    assert done.json()["document_status"] == "submitted"

    assess = await _my_step(web, leader, assignment["id"], "assess")
    refused = await _act(web, leader, assess["id"], "nghiem_thu_ket_qua", rating="7")
    assert refused.status_code == 422 and "từ 1 đến 5" in refused.json()["errors"]["rating"]
    accepted = await _act(web, leader, assess["id"], "nghiem_thu_ket_qua", rating="Hoàn thành tốt", comment="Đạt")
    assert accepted.status_code == 200, accepted.text

    body = (await web.get(f"/api/v1/assignments/{assignment['id']}", headers=leader)).json()
    assert (body["status"], body["rating"], body["rating_label"], body["on_time"]) == ("done", 4, "Hoàn thành tốt", True)
    assert body["lead_user"]["full_name"] == "Phạm Quốc Hùng" and body["finished_at"] == body["submitted_at"]
    assert body["open_steps"] == [] and body["my_steps"] == []
    assert [h["code"] for h in body["history"] if h["code"].startswith("assignment.")] == [
        "assignment.created", "assignment.cu_nguoi_chu_tri", "assignment.progress", "assignment.bao_cao_ket_qua",
        "assignment.nghiem_thu_ket_qua"]
    given = (await web.get("/api/v1/assignments?scope=given&status=done", headers=leader)).json()
    assert [a["id"] for a in given] == [assignment["id"]]


async def test_refusals_are_in_vietnamese_and_change_nothing(web):
    engine = web.engine
    leader, head, clerk, officer = [await api_token(web, name)
                                    for name in ("lanhdao", "truongphong", "vanthu", "chuyenvien")]
    clerk_user, _ = user_and_roles(engine, "vanthu")
    officer_user, _ = user_and_roles(engine, "chuyenvien")
    yesterday = (vietnam_date(utcnow()) - timedelta(days=1)).isoformat()
    counts = _counts(engine)
    for headers, body, status, words in [
        (leader, {"title": "Việc A", "working_days": 2}, 422, "Vui lòng chọn người hoặc đơn vị chủ trì"),
        (head, {"title": "Việc B", "lead_user_id": clerk_user.id, "working_days": 2}, 403,
         "Lãnh đạo đơn vị chỉ giao việc được cho người và đơn vị trong đơn vị của mình; Nguyễn Thị Thu"),
        (leader, {"title": "Việc C", "lead_user_id": officer_user.id, "due_date": yesterday}, 422, "đã qua"),
        (leader, {"title": "Việc D", "lead_user_id": officer_user.id}, 422, "Vui lòng nhập thời hạn"),
        (officer, {"title": "Việc E", "lead_user_id": clerk_user.id, "working_days": 2}, 403,
         "Chỉ lãnh đạo cơ quan hoặc lãnh đạo đơn vị"),
    ]:
        response = await web.post("/api/v1/assignments", headers=headers, json=body)
        assert response.status_code == status, response.text
        assert words in response.json()["detail"]
    assert _counts(engine) == counts

    created = (await web.post("/api/v1/assignments", headers=leader, json={
        "title": "Việc F", "lead_user_id": officer_user.id, "working_days": 2})).json()
    work = await _my_step(web, officer, created["id"], "carry_out")
    counts = _counts(engine)
    # Someone else's assignment: not theirs to see, to decide on, to report on or to cancel.
    hidden = await web.post(f"/api/v1/assignments/{created['id']}/progress", headers=clerk, json={"note": "x"})
    assert hidden.status_code == 404 and "Không tìm thấy việc được giao" in hidden.json()["detail"]
    assert (await _act(web, clerk, work["id"], "bao_cao_ket_qua", result="x")).status_code == 404
    not_lead = await web.post(f"/api/v1/assignments/{created['id']}/progress", headers=leader, json={"note": "x"})
    assert not_lead.status_code == 403 and "người chủ trì" in not_lead.json()["detail"]
    not_assigner = await web.post(f"/api/v1/assignments/{created['id']}/cancel", headers=officer,
                                  json={"reason": "Không làm"})
    assert not_assigner.status_code == 403 and "Chỉ người giao việc" in not_assigner.json()["detail"]
    assert _counts(engine) == counts

    cancelled = await web.post(f"/api/v1/assignments/{created['id']}/cancel", headers=leader,
                               json={"reason": "Đã giao nhầm"})
    assert cancelled.json() == {"id": created["id"], "cancelled": True}
    body = (await web.get(f"/api/v1/assignments/{created['id']}", headers=leader)).json()
    assert (body["status"], body["cancel_reason"], body["open_steps"]) == ("cancelled", "Đã giao nhầm", [])
    again = await web.post(f"/api/v1/assignments/{created['id']}/cancel", headers=leader, json={"reason": "Lần nữa"})
    assert again.status_code == 409 and "đã kết thúc" in again.json()["detail"]


async def test_the_api_is_described_in_openapi(web):
    spec = (await web.get("/openapi.json")).json()
    paths = spec["paths"]
    assert paths["/api/v1/assignments"]["post"]["summary"] == "Giao việc mới"
    fields = spec["components"]["schemas"]["AssignmentForm"]["properties"]
    assert fields["lead_unit_id"]["description"].startswith("Đơn vị chủ trì") and "working_days" in fields
    for path in ("/api/v1/assignments/{assignment_id}", "/api/v1/assignments/{assignment_id}/progress",
                 "/api/v1/assignments/{assignment_id}/cancel"):
        assert all(operation["summary"] and operation.get("description") for operation in paths[path].values())


def _csrf(page: str) -> str:
    return re.search(r'"X-CSRF-Token": "([^"]+)"', page).group(1)


async def test_the_pages_give_an_assignment_and_refuse_bad_input_in_vietnamese(web):
    engine = web.engine
    officer_user, _ = user_and_roles(engine, "chuyenvien")
    csrf = await browser_login(web, "lanhdao")
    form = await web.get("/assignments/new")
    assert form.status_code == 200 and "Phạm Quốc Hùng" in form.text and "Phòng Tổng hợp" in form.text
    counts = _counts(engine)
    refused = await web.post("/assignments/new", headers={"X-CSRF-Token": csrf},
                             data={"title": "Chuẩn bị hội nghị", "working_days": "2"})
    assert refused.status_code == 422 and "Vui lòng chọn người hoặc đơn vị chủ trì" in refused.text
    assert 'value="Chuẩn bị hội nghị"' in refused.text  # what was typed is kept
    assert _counts(engine) == counts

    created = await web.post("/assignments/new", headers={"X-CSRF-Token": csrf}, data={
        "title": "Chuẩn bị hội nghị", "lead_user_id": str(officer_user.id), "working_days": "2",
        "support_unit_ids": [str(_unit(engine, "TH"))]})
    assert created.status_code == 303, created.text
    page = await web.get(created.headers["location"])
    assert page.status_code == 200 and "Chuẩn bị hội nghị" in page.text and "Đang thực hiện" in page.text
    assert 'id="cancel-form"' in page.text
    listing = await web.get("/assignments?scope=given")
    assert "Chuẩn bị hội nghị" in listing.text

    csrf = await browser_login(web, "vanthu")
    assert (await web.get(created.headers["location"])).status_code == 404
    refused = await web.get("/assignments/new")
    assert refused.status_code == 403 and "Chỉ lãnh đạo cơ quan hoặc lãnh đạo đơn vị" in refused.text

    csrf = await browser_login(web, "chuyenvien")

    async def carrying_out():
        page = await web.get(created.headers["location"])
        return page if 'data-action="bao_cao_ket_qua"' in page.text else None
    page = await eventually_async(carrying_out)
    assert 'id="progress-form"' in page.text and 'id="cancel-form"' not in page.text
    reported = await web.post(created.headers["location"] + "/progress", headers={"X-CSRF-Token": csrf},
                              data={"note": "Đã đặt hội trường", "percent": "30"})
    assert reported.status_code == 303
    assert "Đã đặt hội trường" in (await web.get(created.headers["location"])).text
