"""A deputy's inbox page, its badge and API v1 list the same delegated steps, and acting agrees.

While the leader's direction is delegated to a unit head (no direction of their own), the leader's
direction step is on the deputy's page under "Thay lãnh đạo" with the leader's name, counted in the
badge and the tab, and in ``GET /api/v1/tasks?scope=delegated`` with ``on_behalf_of``; the leader
still has it. The deputy cannot claim it (403, in Vietnamese) but acts on it through API v1; then
it is gone from every view, where their own unit's next step appears alike.
"""

from __future__ import annotations

import re
from datetime import timedelta

from commands import delegation as delegation_commands
from models.delegation import repo as delegation_repo
from models.org.tables import OrgUnit
from models.tasks.tables import Task
from models.vocab import TaskStatus
from tests.conftest import minimal_pdf
from tests.helpers import actor_of, eventually, rows, upload
from tests.web.conftest import api_token, browser_login

SCOPES = ("mine", "unit", "delegated", "overdue")


async def _views(web, headers: dict) -> tuple[dict[str, int], dict[str, list[int]], str]:
    """What the person sees: the page's tab counts, the API list of each scope, the badge text."""
    page = await web.get("/?scope=mine")
    assert page.status_code == 200
    tabs = {scope: int(count) for scope, count in re.findall(r'href="/\?scope=(\w+)"[^>]*>[^<(]*\((\d+)\)</a>',
                                                             page.text)}
    listed = {}
    for scope in SCOPES:
        answer = await web.get(f"/api/v1/tasks?scope={scope}", headers=headers)
        assert answer.status_code == 200, answer.text
        listed[scope] = [task["id"] for task in answer.json()]
    badge = (await web.get("/inbox/_counts", headers={"HX-Request": "true"})).text
    return tabs, listed, re.sub(r"<[^>]+>", "", badge).strip()


async def test_the_deputys_page_badge_and_api_list_the_delegated_step_and_acts_agree(web):
    state = web.app.state.qlvb
    document = await upload(web.engine, state.client, state.settings, minimal_pdf())
    task = await eventually(lambda: next(iter(rows(web.engine, Task, Task.document_id == document.id,
                                                   Task.step == "direct")), None))
    today = delegation_repo.today()
    delegation_commands.create_delegation(
        web.engine, **actor_of(web.engine, "lanhdao"), deputy_username="truongphong", kind="chi_dao", form="KT.",
        starts_on=today.isoformat(), ends_on=(today + timedelta(days=6)).isoformat())

    # The leader still has the step; the deputy's reach takes nothing from it.
    await browser_login(web, "lanhdao")
    tabs, listed, _ = await _views(web, await api_token(web, "lanhdao"))
    assert task.id in listed["unit"] and tabs["unit"] == len(listed["unit"]) and "delegated" not in tabs

    csrf = await browser_login(web, "truongphong")
    deputy = await api_token(web, "truongphong")
    tabs, listed, badge = await _views(web, deputy)
    assert listed == {"mine": [], "unit": [], "delegated": [task.id], "overdue": []}
    assert tabs == {scope: len(ids) for scope, ids in listed.items()}
    assert badge == "0·0·1"
    page = await web.get("/")  # with nothing else to do, the page opens on the delegated steps
    assert 'aria-current="page">Thay lãnh đạo (1)' in page.text
    assert f'data-task-id="{task.id}"' in page.text and "Thay Trần Văn Minh (KT.)" in page.text
    assert f'hx-post="/tasks/{task.id}/claim"' not in page.text
    api_task = (await web.get("/api/v1/tasks?scope=delegated", headers=deputy)).json()[0]
    assert api_task["on_behalf_of"]["full_name"] == "Trần Văn Minh" and api_task["on_behalf_of"]["form"] == "KT."

    refused = await web.post(f"/tasks/{task.id}/claim", headers={"X-CSRF-Token": csrf, "HX-Request": "true"})
    assert refused.status_code == 403 and "không nhận về mình" in refused.text
    assert rows(web.engine, Task, Task.id == task.id)[0].status == TaskStatus.OPEN

    lead_unit = rows(web.engine, OrgUnit, OrgUnit.abbreviation == "TH")[0]
    done = await web.post(f"/api/v1/tasks/{task.id}/actions", headers=deputy, json={
        "action": "giao_xu_ly", "nonce": "thay-1",
        "fields": {"opinion": "Phòng Tổng hợp chủ trì tham mưu", "lead_unit_id": lead_unit.id}})
    assert done.status_code == 200, done.text
    assert done.json()["document_status"] == "directed"

    # The step is done; what the deputy has now is their own unit's assignment, in every view alike.
    assign = await eventually(lambda: next(iter(rows(web.engine, Task, Task.document_id == document.id,
                                                     Task.step == "assign")), None))
    tabs, listed, badge = await _views(web, deputy)
    assert listed == {"mine": [], "unit": [assign.id], "delegated": [], "overdue": []} and badge == "0·1"
    assert tabs == {"mine": 0, "unit": 1, "overdue": 0}
