"""In-app notifications: new work reaches the right people, counts update, read marks stick."""

from __future__ import annotations

from models.notifications.tables import Notification
from models.tasks.tables import Task
from tests.conftest import minimal_pdf
from tests.helpers import eventually, rows, upload, user_and_roles
from tests.web.conftest import browser_login


async def test_it_notifies_the_leaders_of_an_urgent_document_and_marks_read(web):
    state = web.app.state.qlvb
    document = await upload(web.engine, state.client, state.settings, minimal_pdf(), priority="hoa_toc")
    await eventually(lambda: rows(web.engine, Task, Task.document_id == document.id))
    leader, _ = user_and_roles(web.engine, "lanhdao")
    clerk, _ = user_and_roles(web.engine, "vanthu")
    notes = rows(web.engine, Notification, Notification.document_id == document.id)
    assert {(n.user_id, n.code, n.urgent) for n in notes} == {(leader.id, "urgent_task", True)}
    assert not [n for n in notes if n.user_id == clerk.id]

    csrf = await browser_login(web, "lanhdao")
    count = await web.get("/notifications/_count", headers={"HX-Request": "true"})
    assert ">1<" in count.text
    page = await web.get("/notifications")
    assert "Văn bản KHẨN cần xử lý ngay" in page.text and document.subject in page.text
    read = await web.post("/notifications/read", headers={"X-CSRF-Token": csrf, "HX-Request": "true"})
    assert read.status_code == 204
    count = await web.get("/notifications/_count", headers={"HX-Request": "true"})
    assert "badge" not in count.text
