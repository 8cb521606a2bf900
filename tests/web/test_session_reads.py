"""Resolving the signed-in person is a read: a request never waits for the write lock, and the last
use of a session is written at most once a minute, by one conditional update."""

from __future__ import annotations

import sqlite3
import time
from datetime import timedelta

import pytest
from sqlmodel import select

from models.db import transaction, utcnow
from models.org.tables import UserSession
from tests.web.conftest import app_without_temporal, browser_login


@pytest.fixture
async def client(seeded, tmp_path):
    async with app_without_temporal(seeded, tmp_path) as client:
        await browser_login(client, "chuyenvien")
        yield client


def _session_row(engine) -> UserSession:
    with transaction(engine) as session:
        return session.exec(select(UserSession).order_by(UserSession.id.desc())).first()


def _age(engine, minutes: int) -> None:
    with transaction(engine) as session:
        row = session.exec(select(UserSession).order_by(UserSession.id.desc())).first()
        row.last_seen_at = utcnow() - timedelta(minutes=minutes)
        row.expires_at = utcnow() + timedelta(minutes=5)
        session.add(row)


async def test_the_last_use_is_written_once_a_minute_and_the_expiry_slides(client):
    _age(client.engine, 0)
    before = _session_row(client.engine)
    assert (await client.get("/inbox/_counts")).status_code == 200
    assert _session_row(client.engine).last_seen_at == before.last_seen_at  # within the minute: no write
    _age(client.engine, 2)
    assert (await client.get("/inbox/_counts")).status_code == 200
    slid = _session_row(client.engine)
    assert utcnow() - slid.last_seen_at < timedelta(seconds=30)
    assert slid.expires_at > utcnow() + timedelta(minutes=20)  # pushed a whole idle period ahead


async def test_a_revoked_session_is_refused_and_not_slid(client):
    _age(client.engine, 2)
    with transaction(client.engine) as session:
        row = session.exec(select(UserSession).order_by(UserSession.id.desc())).first()
        row.revoked_at = utcnow()
        session.add(row)
        seen = row.last_seen_at
    response = await client.get("/inbox/_counts")
    assert response.status_code in (303, 401)
    assert _session_row(client.engine).last_seen_at == seen


async def test_a_request_does_not_wait_for_another_writer_on_sqlite(client):
    if client.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single writer lock")
    _age(client.engine, 0)
    blocker = sqlite3.connect(client.engine.url.database, timeout=1)
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock (a long write)
    try:
        began = time.monotonic()
        response = await client.get("/inbox/_counts")
        assert response.status_code == 200
        assert time.monotonic() - began < 5  # the busy timeout is 30 s: a write would still be waiting
    finally:
        blocker.rollback()
        blocker.close()
