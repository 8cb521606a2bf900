"""Handlers report progress through API v1 and the page; nobody else can."""

from __future__ import annotations

from commands.tasks import act_on_task
from models.org.tables import OrgUnit
from models.tasks.tables import Task
from tests.conftest import minimal_pdf
from tests.helpers import eventually, rows, upload, user_and_roles
from tests.web.conftest import api_token, browser_login


def _task(engine, document_id, step):
    found = [t for t in rows(engine, Task, Task.document_id == document_id, Task.step == step)
             if t.status in ("open", "claimed")]
    return found[-1] if found else None


async def test_it_records_the_handlers_progress_in_the_history(web):
    state, engine = web.app.state.qlvb, web.engine
    unit = rows(engine, OrgUnit, OrgUnit.abbreviation == "TH")[0]
    leader, leader_roles = user_and_roles(engine, "lanhdao")
    head, head_roles = user_and_roles(engine, "truongphong")
    officer, _ = user_and_roles(engine, "chuyenvien")
    document = await upload(engine, state.client, state.settings, minimal_pdf())
    direct = await eventually(lambda: _task(engine, document.id, "direct"))
    await act_on_task(engine, state.client, task_id=direct.id, user=leader, roles=leader_roles,
                      action="giao_xu_ly", nonce="d", fields={"opinion": "TH", "lead_unit_id": str(unit.id)})
    assign = await eventually(lambda: _task(engine, document.id, "assign"))
    await act_on_task(engine, state.client, task_id=assign.id, user=head, roles=head_roles,
                      action="phan_cong", nonce="a", fields={"handler_id": str(officer.id)})
    work = await eventually(lambda: _task(engine, document.id, "handle"))

    handler = await api_token(web, "chuyenvien")
    tasks = (await web.get("/api/v1/tasks?scope=mine", headers=handler)).json()
    assert [t["id"] for t in tasks] == [work.id]
    done = await web.post(f"/api/v1/tasks/{work.id}/actions", headers=handler,
                          json={"action": "bao_cao_tien_do", "fields": {"progress": "Đã dự thảo 70%"}})
    assert done.status_code == 200
    empty = await web.post(f"/api/v1/tasks/{work.id}/actions", headers=handler,
                           json={"action": "bao_cao_tien_do", "fields": {"progress": " "}})
    assert empty.status_code == 422

    other = await api_token(web, "truongphong")
    refused = await web.post(f"/api/v1/tasks/{work.id}/actions", headers=other,
                             json={"action": "bao_cao_tien_do", "fields": {"progress": "Không phải việc của tôi"}})
    assert refused.status_code in (404, 409)

    history = (await web.get(f"/api/v1/documents/{document.id}", headers=handler)).json()["history"]
    progress = [h for h in history if h["code"] == "document.bao_cao_tien_do"]
    assert [(h["actor"], h["data"]["progress"]) for h in progress] == [("Phạm Quốc Hùng", "Đã dự thảo 70%")]


async def test_it_offers_the_unit_head_the_officers_of_the_unit(web):
    state, engine = web.app.state.qlvb, web.engine
    unit = rows(engine, OrgUnit, OrgUnit.abbreviation == "TH")[0]
    leader, leader_roles = user_and_roles(engine, "lanhdao")
    document = await upload(engine, state.client, state.settings, minimal_pdf())
    direct = await eventually(lambda: _task(engine, document.id, "direct"))
    await act_on_task(engine, state.client, task_id=direct.id, user=leader, roles=leader_roles,
                      action="giao_xu_ly", nonce="d", fields={"opinion": "TH", "lead_unit_id": str(unit.id)})
    await eventually(lambda: _task(engine, document.id, "assign"))

    await browser_login(web, "truongphong")
    page = await web.get(f"/documents/{document.id}")
    assert page.status_code == 200
    assert "Phân công xử lý trong đơn vị" in page.text
    assert "Phạm Quốc Hùng · Chuyên viên" in page.text
    assert "Điều chỉnh việc giao xử lý" not in page.text  # only agency leaders reroute

    await browser_login(web, "lanhdao")
    leader_page = await web.get(f"/documents/{document.id}")
    assert "Điều chỉnh việc giao xử lý" in leader_page.text
