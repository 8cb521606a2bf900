"""The inbox's actions on several tasks: register several received documents, claim several steps,
lưu tham khảo several documents. Each task goes through its own command; one that cannot is
reported in Vietnamese while the others go through; Post/Redirect/Get with a summary message."""

from __future__ import annotations

import re

from commands.intake import receive_upload
from commands.tasks import act_on_task
from models.documents.file_store import FileStore
from models.documents.tables import Document
from models.tasks.tables import Task
from models.vocab import DocumentSource
from tests.conftest import minimal_pdf
from tests.helpers import eventually, rows, sample_metadata, user_and_roles
from tests.web.conftest import browser_login


async def _received(web, number: str) -> Document:
    """A document another agency sent (source internal): it waits in the văn thư's accept step."""
    state = web.app.state.qlvb
    clerk, roles = user_and_roles(web.engine, "vanthu")
    return await receive_upload(web.engine, state.client, state.settings, FileStore(state.settings.files_dir),
                                clerk=clerk, roles=roles, data=minimal_pdf(),
                                raw_metadata=sample_metadata(code_number=number, subject=f"Công văn số {number}"),
                                filename="cv.pdf", source=DocumentSource.INTERNAL)


def _open_step(engine, document_id: str, step: str):
    return next(iter(rows(engine, Task, Task.document_id == document_id, Task.step == step,
                          Task.status.in_(["open", "claimed"]))), None)


def _form(page: str, csrf: str, action: str, task_ids: list[int], scope: str) -> dict:
    return {"csrf_token": csrf, "action": action, "task_id": [str(i) for i in task_ids], "scope": scope,
            "nonce": re.search(r'name="nonce" value="([^"]+)"', page).group(1),
            "idempotency_key": re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)}


def _flash(page: str) -> str:
    found = re.search(r'<div id="flash"[^>]*>(.*?)<form', page, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)) if found else ""


async def test_bulk_register_claim_and_file_for_reference_report_each_task(web):
    documents = [await _received(web, number) for number in ("31", "32", "33")]
    accepts = [await eventually(lambda d=d: _open_step(web.engine, d.id, "accept")) for d in documents]

    # Document 33 is registered from its own page first: in the bulk action its step is closed.
    clerk, roles = user_and_roles(web.engine, "vanthu")
    await act_on_task(web.engine, web.app.state.qlvb.client, task_id=accepts[2].id, user=clerk, roles=roles,
                      action="vao_so", fields={}, nonce="own-page")

    csrf = await browser_login(web, "vanthu")
    inbox = await web.get("/?scope=unit")
    assert 'value="vao_so"' in inbox.text and f'name="task_id" value="{accepts[0].id}"' in inbox.text
    response = await web.post("/inbox/bulk", data=_form(inbox.text, csrf, "vao_so", [a.id for a in accepts], "unit"))
    assert response.status_code == 303 and response.headers["location"] == "/?scope=unit"
    said = _flash((await web.get("/?scope=unit")).text)
    assert "Đã vào sổ 2 văn bản" in said
    assert "1 văn bản không thực hiện được: số 33/STC-NS" in said
    for document in documents[:2]:
        registered = await eventually(lambda d=document: rows(web.engine, Document, Document.id == d.id,
                                                              Document.arrival_number.is_not(None)))
        assert registered[0].status != "new"
    assert {t.status for t in rows(web.engine, Task, Task.id.in_([a.id for a in accepts]))} == {"done"}

    # The leader claims the two direction steps; a task that is not theirs is named, not hidden.
    directs = [await eventually(lambda d=d: _open_step(web.engine, d.id, "direct")) for d in documents[:2]]
    csrf = await browser_login(web, "lanhdao")
    inbox = await web.get("/?scope=unit")
    claim = _form(inbox.text, csrf, "nhan_xu_ly", [directs[0].id, directs[1].id, 999_999], "unit")
    response = await web.post("/inbox/bulk", data=claim)
    assert response.status_code == 303
    said = _flash((await web.get("/?scope=mine")).text)
    assert "Đã nhận 2 công việc" in said and "công việc 999999" in said
    assert {t.assignee_id for t in rows(web.engine, Task, Task.id.in_([d.id for d in directs]))} == \
        {user_and_roles(web.engine, "lanhdao")[0].id}

    # Lưu tham khảo cannot be undone: the button asks first, naming what it does.
    mine = await web.get("/?scope=mine")
    assert re.search(r'value="luu_tham_khao"[^>]*data-confirm="Lưu tham khảo các văn bản đã chọn\? '
                     r'Thao tác không hoàn tác được\."', mine.text)
    assert not re.search(r'value="vao_so"[^>]*data-confirm', mine.text)
    response = await web.post("/inbox/bulk", data=_form(mine.text, csrf, "luu_tham_khao",
                                                          [d.id for d in directs], "mine"))
    assert response.status_code == 303 and response.headers["location"] == "/?scope=mine"
    assert "Đã lưu tham khảo 2 văn bản" in _flash((await web.get("/")).text)
    for document in documents[:2]:
        await eventually(lambda d=document: rows(web.engine, Document, Document.id == d.id,
                                                 Document.status == "for_reference"))


async def test_nothing_chosen_or_an_unknown_action_is_refused_and_changes_nothing(web):
    document = await _received(web, "41")
    accept = await eventually(lambda: _open_step(web.engine, document.id, "accept"))
    csrf = await browser_login(web, "vanthu")
    inbox = await web.get("/?scope=unit")
    empty = await web.post("/inbox/bulk", data=_form(inbox.text, csrf, "vao_so", [], "unit"))
    assert empty.status_code == 422 and "Vui lòng chọn ít nhất một công việc" in empty.text
    unknown = await web.post("/inbox/bulk", data={**_form(inbox.text, csrf, "hoan_thanh", [accept.id], "unit"),
                                                  "idempotency_key": "another-key"})
    assert unknown.status_code == 422 and "không thực hiện được cho nhiều công việc" in unknown.text
    bad_id = await web.post("/inbox/bulk", data={**_form(inbox.text, csrf, "vao_so", [accept.id], "unit"),
                                                 "task_id": ["abc"], "idempotency_key": "third-key"})
    assert bad_id.status_code == 422
    assert rows(web.engine, Task, Task.id == accept.id)[0].status == "open"
