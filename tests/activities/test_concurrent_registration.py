"""Fifty registrations at once against one register: numbers 1..50, no gap, no duplicate.

SQLite serialises writers with BEGIN IMMEDIATE; PostgreSQL with the row lock the counter UPDATE
takes. Both must hand out a gapless series under contention (ND30 Điều 22.2).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import select
from temporalio.testing import ActivityEnvironment

from activities.registers import RegisterActivities
from models.audit import AuditEvent
from models.db import transaction
from models.documents.tables import Document
from models.registers.tables import RegisterCounter, RegisterEntry
from tests.factories import make_document, make_org
from workflows.contracts import RegisterIncomingInput

COUNT = 50
THREADS = 16


def _register_all(engine, documents: list[Document]) -> dict[str, int]:
    activities = RegisterActivities(engine)
    go = threading.Event()

    def register(document: Document) -> tuple[str, int]:
        go.wait(timeout=10)  # hold the first wave until all are queued, so they really collide
        result = ActivityEnvironment().run(
            activities.register_incoming, RegisterIncomingInput(document.id, document.workflow_id)
        )
        return document.id, result.arrival_number

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(register, document) for document in documents]
        go.set()
        return dict(future.result() for future in futures)


def test_it_hands_out_a_gapless_series_under_contention(engine):
    with transaction(engine) as session:
        org = make_org(session)
        documents = [make_document(session, org) for _ in range(COUNT)]

    numbers = _register_all(engine, documents)

    assert sorted(numbers.values()) == list(range(1, COUNT + 1))
    with transaction(engine) as session:
        entries = list(session.exec(select(RegisterEntry)))
        stored = {d.id: d.arrival_number for d in session.exec(select(Document))}
        counters = list(session.exec(select(RegisterCounter)))
        audits = list(session.exec(select(AuditEvent).where(AuditEvent.code == "document.registered")))
    assert sorted(e.number for e in entries) == list(range(1, COUNT + 1))
    assert {e.document_id: e.number for e in entries} == numbers == stored
    assert [c.last_number for c in counters] == [COUNT]
    assert len(audits) == COUNT


def test_it_returns_the_same_numbers_when_everything_is_retried_at_once(engine):
    with transaction(engine) as session:
        org = make_org(session)
        documents = [make_document(session, org) for _ in range(COUNT)]

    first = _register_all(engine, documents)
    again = _register_all(engine, documents)

    assert again == first
    with transaction(engine) as session:
        assert len(list(session.exec(select(RegisterEntry)))) == COUNT
        assert session.exec(select(RegisterCounter.last_number)).one() == COUNT
