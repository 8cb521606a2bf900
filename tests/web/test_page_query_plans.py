"""The pages people open all day read the big tables through indexes, on both backends.

Every statement the app issues while serving each page (the inbox and its badges, a document page,
the lists, searches with and without diacritics and by số/ký hiệu, the task API) is explained with
``tests/query_plans.py``: a whole scan of a table that grows with the province fails the test and
names the statement. The corpus is the load benchmark's (``bench/inbox_search.py``), a few hundred
documents, so the same reads are issued as at a million.
"""

from __future__ import annotations

import random

import pytest
from sqlmodel import col, select

from bench.inbox_search import seed
from models.db import reading
from models.documents.access import visible_documents
from models.documents.tables import Document
from models.org.repo import get_by_username, roles_of
from models.tasks.tables import Task
from tests.query_plans import broad_searches, per_document_lookups, recording, scanning_statements
from tests.web.conftest import app_without_temporal, browser_login

PASSWORD = "Bench@2026pass"


@pytest.fixture
async def corpus_client(engine, tmp_path):
    seed(engine, 400, random.Random(7))
    if engine.dialect.name == "sqlite":
        # The product never runs ANALYZE on SQLite, so its planner assumes every table is large; the
        # seed's statistics of a few hundred rows would make it prefer scans no installation sees.
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS sqlite_stat1")
        engine.dispose()
    async with app_without_temporal(engine, tmp_path) as client:
        yield client


async def _login(client, username: str) -> None:
    client.cookies.clear()
    await browser_login(client, username, PASSWORD)


def _document_of(engine, username: str) -> str:
    """A document this person may open that still has an open step (its page has actions and history)."""
    with reading(engine) as session:
        person = get_by_username(session, username)
        waiting = select(Task.document_id).where(col(Task.closed_at).is_(None))
        return session.exec(select(Document.id).where(
            col(Document.id).in_(waiting), visible_documents(person, roles_of(session, person.id)))
            .order_by(Document.id).limit(1)).one()


PAGES = ["/", "/inbox/_counts", "/notifications/_count", "/notifications", "/home", "/documents/{document}",
         "/documents", "/documents?status=in_progress&year=2026", "/outgoing", "/search?q=quyet+dinh",
         "/search?q=quy%E1%BA%BFt+%C4%91%E1%BB%8Bnh", "/search?q=125%2FQ%C4%90", "/registers"]


@pytest.mark.parametrize("username", ["lanhdao", "chuyenvien", "vanthu"])
async def test_the_daily_pages_scan_no_big_table_whole(corpus_client, username):
    client = corpus_client
    await _login(client, username)
    document = _document_of(client.engine, username)
    scans = {}
    for page in PAGES:
        with recording(client.engine) as statements:
            response = await client.get(page.format(document=document))
        assert response.status_code in (200, 303), (page, response.status_code)
        assert statements, page
        if found := scanning_statements(client.engine, statements):
            scans[page] = found
    assert scans == {}, "\n".join(f"{page}: {tables}: {sql[:160]} … {sql[-260:]}" for page, found in scans.items() for sql, tables in found.items())


@pytest.mark.parametrize("username", ["chuyenvien", "truongphong"])
async def test_visibility_is_checked_by_document_not_by_person(corpus_client, username):
    """A person who does not see the whole agency has each search hit and listed document checked
    for routing and steps by document: seeking by person instead made a chuyên viên's search at
    200,000 documents run for minutes (migration 0040)."""
    client = corpus_client
    if client.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL plans these checks as joins with statistics; the whole-scan test covers it")
    await _login(client, username)
    for page in ("/search?q=quyet+dinh", "/search?q=125%2FQ%C4%90", "/documents", "/"):
        with recording(client.engine) as statements:
            assert (await client.get(page)).status_code == 200
        lookups = [lookup for lookup in per_document_lookups(client.engine, statements)
                   if lookup.startswith(("SEARCH assignment ", "SEARCH task "))]
        assert all("(document_id=?" in lookup for lookup in lookups), (page, lookups)


@pytest.mark.parametrize("username", ["lanhdao", "chuyenvien", "vanthu"])
async def test_a_document_page_reads_nothing_by_agency_alone(corpus_client, username):
    """A page about one document reads its rows by that document: reading the agency's documents in
    date order to find probable duplicates cost 1.3 s at 200,000 documents (migration 0040)."""
    client = corpus_client
    if client.engine.dialect.name != "sqlite":
        pytest.skip("the plan's wording is SQLite's; PostgreSQL is covered by the whole-scan test")
    await _login(client, username)
    with recording(client.engine) as statements:
        assert (await client.get(f"/documents/{_document_of(client.engine, username)}")).status_code == 200
    assert broad_searches(client.engine, statements) == []
