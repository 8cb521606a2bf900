"""Irreversible decisions ask first; every action answers 303 and says what it did until read.

The mechanism is web/flash.py (and static/confirm.js for plain forms); the account actions'
Post/Redirect/Get is covered in test_accounts.py and test_people_and_delegation_pages.py.
"""

from __future__ import annotations

import base64
import html
import re

from models.tasks.tables import Task
from tests.conftest import minimal_pdf
from tests.helpers import eventually, rows, upload
from tests.web.conftest import browser_login


async def _registered_task(web):
    state = web.app.state.qlvb
    document = await upload(web.engine, state.client, state.settings, minimal_pdf())
    task = await eventually(lambda: next(iter(rows(web.engine, Task, Task.document_id == document.id)), None))
    return document, task


def _flash(page: str) -> str:
    found = re.search(r'<div id="flash"[^>]*>(.*?)</div>', page, re.S)
    return html.unescape(found.group(1)) if found else ""


async def test_a_decision_asks_first_then_says_what_happened_until_read(web):
    document, task = await _registered_task(web)
    csrf = await browser_login(web, "lanhdao")
    page = await web.get(f"/documents/{document.id}")
    # Only the irreversible decision asks; the question names the document.
    asks = html.unescape(re.search(r'hx-confirm="([^"]+)"', page.text).group(1))
    assert asks.startswith("Lưu tham khảo văn bản") and "không hoàn tác" in asks
    assert page.text.count("hx-confirm=") == 1  # "Giao xử lý" can be followed by other steps
    nonce = re.search(r'name="nonce" value="([^"]+)-luu_tham_khao"', page.text).group(1)

    # A plain form post (no JavaScript) is answered by a redirect to a GET page.
    posted = await web.post(f"/tasks/{task.id}/act", data={
        "csrf_token": csrf, "action": "luu_tham_khao", "nonce": f"{nonce}-luu_tham_khao", "opinion": "Để biết"})
    assert posted.status_code == 303
    result = await web.get(posted.headers["location"], follow_redirects=True)
    said = _flash(result.text)
    assert "“Lưu tham khảo” văn bản số " in said and f"{document.code_number}/{document.code_notation}" in said
    assert 'role="status"' in result.text.split('id="flash"')[1][:80]
    assert rows(web.engine, Task, Task.id == task.id)[0].status == "done"
    # The cookie is sealed: what it says (a one-time password, after a reset) is the server's to read.
    sealed = base64.urlsafe_b64decode(web.cookies.get("qlvb_flash"))
    assert document.code_notation.encode() not in sealed and "Lưu tham khảo".encode() not in sealed

    # Reloading the result page shows the message again and changes nothing more.
    events_before = len(rows(web.engine, Task, Task.document_id == document.id))
    again = await web.get(posted.headers["location"], follow_redirects=True)
    assert _flash(again.text) == said
    assert len(rows(web.engine, Task, Task.document_id == document.id)) == events_before

    # Read: dismissed for good, with or without htmx.
    dismissed = await web.post("/flash/dismiss", data={"csrf_token": csrf, "back": "//elsewhere.example/"})
    assert dismissed.status_code == 303 and dismissed.headers["location"] == "/"
    assert _flash((await web.get("/")).text) == ""


async def test_an_htmx_decision_refreshes_the_counts_and_a_forged_message_is_ignored(web):
    document, task = await _registered_task(web)
    csrf = await browser_login(web, "lanhdao")
    page = await web.get(f"/documents/{document.id}")
    nonce = re.search(r'name="nonce" value="([^"]+)-luu_tham_khao"', page.text).group(1)
    answer = await web.post(f"/tasks/{task.id}/act", headers={"HX-Request": "true"}, data={
        "csrf_token": csrf, "action": "luu_tham_khao", "nonce": f"{nonce}-luu_tham_khao", "opinion": "Để biết"})
    assert answer.status_code == 204 and answer.headers["HX-Trigger"] == "task-changed"
    assert answer.headers["HX-Redirect"].startswith(f"/documents/{document.id}")
    assert "Lưu tham khảo" in _flash((await web.get("/")).text)
    gone = await web.post("/flash/dismiss", headers={"HX-Request": "true", "X-CSRF-Token": csrf})
    assert gone.status_code == 200 and gone.text == ""
    # A message nobody signed is never shown.
    web.cookies.set("qlvb_flash", "WyJEw6Mga8O9IHPhu5EiXQ.forged")
    assert _flash((await web.get("/")).text) == ""
