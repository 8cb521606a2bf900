"""A person opening a document page for the first time is among its readers on that very page.

Each page records the view in a transaction of its own after checking, in the request's read-only
session, that the person may see the document, then reads the history (readers included) in that
session. On SQLite that session kept the snapshot of its first read and missed the new view until a
reload (``commands.audit.read_anew``); on PostgreSQL each statement sees what was committed. Both
backends: the incoming page, the outgoing page and the province supervisor's read-only page. A
person who may not see the document is refused and no view of theirs is recorded.
"""

from __future__ import annotations

import re

import pytest

from models.audit import AuditEvent
from models.org.tables import User
from tests.helpers import rows
from tests.outgoing_helpers import draft_document
from tests.supervision_helpers import late_document
from tests.web.conftest import app_without_temporal, browser_login


@pytest.fixture
async def web(seeded, tmp_path):
    async with app_without_temporal(seeded, tmp_path) as client:
        yield client


def _readers(html: str) -> list[str]:
    found = re.search(r'<details class="readers">(.*?)</details>', html, re.S)
    return re.findall(r"<li>([^<(·]+?)\s*(?:\(|·)", found.group(1)) if found else []


def _views(engine, document_id: str) -> list[int]:
    return [e.actor_id for e in rows(engine, AuditEvent, AuditEvent.code == "document.viewed",
                                     AuditEvent.subject_id == document_id)]


def _name(engine, username: str) -> str:
    [user] = rows(engine, User, User.username == username)
    return user.full_name


async def test_the_incoming_page_lists_its_reader_the_first_time(web):
    document_id = late_document(web.engine, handler="chuyenvien", number=941)
    await browser_login(web, "chuyenvien")
    page = await web.get(f"/documents/{document_id}")
    assert page.status_code == 200, page.text
    assert _readers(page.text) == [_name(web.engine, "chuyenvien")]
    assert "xem 1 lần" in page.text
    again = await web.get(f"/documents/{document_id}")  # within the quiet window: not recorded twice
    assert _readers(again.text) == [_name(web.engine, "chuyenvien")] and "xem 1 lần" in again.text
    assert len(_views(web.engine, document_id)) == 1


async def test_the_outgoing_page_lists_its_reader_the_first_time(web):
    draft = draft_document(web.engine, web.app.state.qlvb.settings)
    await browser_login(web, "chuyenvien")
    page = await web.get(f"/outgoing/{draft.id}")
    assert page.status_code == 200, page.text
    assert _readers(page.text) == [_name(web.engine, "chuyenvien")]


async def test_the_supervisors_page_lists_the_supervisor_the_first_time(web):
    document_id = late_document(web.engine, agency_code="000.00.02.H23", unit="TCBM", handler="vanthu.snv",
                                number=942)
    await browser_login(web, "giamsat")
    page = await web.get(f"/documents/{document_id}")
    assert page.status_code == 200 and "chế độ giám sát" in page.text
    assert _readers(page.text) == [_name(web.engine, "giamsat")]


async def test_no_view_is_recorded_for_a_person_who_may_not_see_the_document(web):
    document_id = late_document(web.engine, handler="chuyenvien", number=943)
    await browser_login(web, "vanthu.snv")  # another agency's văn thư
    assert (await web.get(f"/documents/{document_id}")).status_code == 404
    assert (await web.get(f"/outgoing/{document_id}")).status_code == 404
    assert _views(web.engine, document_id) == []
