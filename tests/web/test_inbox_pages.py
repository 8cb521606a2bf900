"""The HTML inbox: full page vs fragment, claims, the decision form, and a claim race."""

from __future__ import annotations

import re

from models.tasks.tables import Task
from tests.conftest import minimal_pdf
from tests.helpers import eventually, rows, upload
from tests.web.conftest import browser_login


async def _registered_task(web, tmp_path, task_queue, **metadata):
    settings = web.app.state.qlvb.settings
    document = await upload(web.engine, web.app.state.qlvb.client, settings, minimal_pdf(), **metadata)
    task = await eventually(lambda: next(iter(rows(web.engine, Task, Task.document_id == document.id)), None))
    return document, task


async def test_it_serves_fragments_to_htmx_and_pages_otherwise(web, tmp_path, task_queue):
    document, task = await _registered_task(web, tmp_path, task_queue, priority="thuong_khan")
    await browser_login(web, "lanhdao")
    page = await web.get("/?scope=unit")
    assert page.headers["vary"] == "HX-Request"
    assert "<html" in page.text and document.subject in page.text
    assert "THƯỢNG KHẨN" in page.text
    fragment = await web.get("/?scope=unit", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and f'data-task-id="{task.id}"' in fragment.text
    restore = await web.get("/?scope=unit", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text


async def test_it_lets_only_one_of_two_leaders_claim_a_task(web, tmp_path, task_queue):
    _, task = await _registered_task(web, tmp_path, task_queue)
    csrf = await browser_login(web, "lanhdao")
    first = await web.post(f"/tasks/{task.id}/claim", headers={"X-CSRF-Token": csrf, "HX-Request": "true"})
    assert first.status_code == 204 and first.headers["HX-Trigger"] == "task-changed"
    second = await web.post(f"/tasks/{task.id}/claim", headers={"X-CSRF-Token": csrf, "HX-Request": "true"})
    assert second.status_code == 409
    assert second.headers["HX-Retarget"] == "#toast"
    mine = await web.get("/?scope=mine")
    assert f'data-task-id="{task.id}"' in mine.text and "Trả lại hàng chờ" in mine.text
    released = await web.post(f"/tasks/{task.id}/release", headers={"X-CSRF-Token": csrf})
    assert released.status_code == 204
    assert rows(web.engine, Task, Task.id == task.id)[0].status == "open"


async def test_it_applies_a_decision_from_the_document_page(web, tmp_path, task_queue):
    document, task = await _registered_task(web, tmp_path, task_queue)
    csrf = await browser_login(web, "lanhdao")
    page = await web.get(f"/documents/{document.id}")
    assert "Giao xử lý" in page.text and "Lưu tham khảo" in page.text
    nonce = re.search(r'name="nonce" value="([^"]+)-luu_tham_khao"', page.text).group(1)
    response = await web.post(f"/tasks/{task.id}/act", headers={"HX-Request": "true"}, data={
        "csrf_token": csrf, "action": "luu_tham_khao", "nonce": f"{nonce}-luu_tham_khao",
        "opinion": "Lưu để biết"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/documents/{document.id}"
    after = await web.get(f"/documents/{document.id}")
    assert "Lưu tham khảo" in after.text and "Lưu để biết" in after.text
    assert rows(web.engine, Task, Task.id == task.id)[0].status == "done"


async def test_it_shows_the_intake_form_errors_in_vietnamese(web):
    csrf = await browser_login(web, "vanthu")
    response = await web.post("/documents/new", data={"csrf_token": csrf, "code_number": "12",
                                                      "organ_name": "Sở Y tế", "type_name": "Công văn"},
                              files={"file": ("a.pdf", minimal_pdf(), "application/pdf")})
    assert response.status_code == 422
    assert "Trích yếu: bắt buộc nhập" in response.text
    assert "Ngày văn bản: bắt buộc nhập" in response.text


async def test_it_registers_through_the_intake_form(web):
    csrf = await browser_login(web, "vanthu")
    response = await web.post("/documents/new", data={
        "csrf_token": csrf, "code_number": "45", "code_notation": "syt-kh", "issued_date": "2026-11-02",
        "organ_name": "Sở Y tế tỉnh Hà Nam", "type_name": "Kế hoạch",
        "subject": "Kế hoạch tiêm chủng mở rộng năm 2027", "priority": "khan"},
        files={"file": ("kh.pdf", minimal_pdf(3), "application/pdf")})
    assert response.status_code == 303
    page = await web.get(response.headers["location"])
    assert "45/SYT-KH" in page.text and "KHẨN" in page.text
    # What happened is said on the page the form led to.
    assert "Đã tiếp nhận văn bản số 45/SYT-KH" in page.text
