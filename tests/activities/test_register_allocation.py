"""Số đến allocation through the ``register_incoming`` activity: idempotent, ordered, per year."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.registers import RegisterActivities
from models.audit import AuditEvent
from models.db import transaction
from models.documents.tables import Document
from models.registers.tables import RegisterCounter, RegisterEntry
from models.vocab import DocumentStatus
from tests.factories import make_document, make_org
from workflows.contracts import RegisterIncomingInput


def _register(engine, document: Document):
    return ActivityEnvironment().run(
        RegisterActivities(engine).register_incoming,
        RegisterIncomingInput(document.id, document.workflow_id),
    )


def _documents(engine, *created_at: datetime | None) -> list[Document]:
    with transaction(engine) as session:
        org = make_org(session)
        return [make_document(session, org, created_at=at) for at in created_at]


def _read(engine, model, *conditions) -> list:
    with transaction(engine) as session:
        return list(session.exec(select(model).where(*conditions)))


def test_it_returns_the_same_number_and_audits_once_when_run_twice(engine):
    (document,) = _documents(engine, None)

    first = _register(engine, document)
    second = _register(engine, document)

    assert first == second
    assert first.arrival_number == 1
    entries = _read(engine, RegisterEntry)
    assert [(e.number, e.workflow_id, e.document_id) for e in entries] == [
        (1, document.workflow_id, document.id)
    ]
    events = _read(engine, AuditEvent, AuditEvent.code == "document.registered")
    assert len(events) == 1
    assert events[0].subject_id == document.id and events[0].data["arrival_number"] == 1
    (stored,) = _read(engine, Document, Document.id == document.id)
    assert stored.status == DocumentStatus.REGISTERED
    assert stored.arrival_number == 1
    assert stored.arrival_date == document.created_at
    (counter,) = _read(engine, RegisterCounter)
    assert counter.last_number == 1


def test_it_numbers_documents_in_the_order_they_are_registered(engine):
    documents = _documents(engine, None, None, None)
    numbers = [_register(engine, d).arrival_number for d in documents]
    assert numbers == [1, 2, 3]
    assert _register(engine, documents[0]).arrival_number == 1  # a late retry changes nothing
    (counter,) = _read(engine, RegisterCounter)
    assert counter.last_number == 3


def test_it_opens_the_next_years_counter_at_the_vietnam_new_year(engine):
    before, late_2026, boundary, new_year = _documents(
        engine,
        datetime(2026, 12, 31, 9, 0, tzinfo=UTC),
        datetime(2026, 12, 31, 16, 59, tzinfo=UTC),  # 23:59 in Hà Nội: still 2026
        datetime(2026, 12, 31, 17, 30, tzinfo=UTC),  # 00:30 on 1/1/2027 in Hà Nội
        datetime(2027, 1, 2, 2, 0, tzinfo=UTC),
    )
    results = [_register(engine, d) for d in (before, late_2026, boundary, new_year)]

    assert [(r.year, r.arrival_number) for r in results] == [(2026, 1), (2026, 2), (2027, 1), (2027, 2)]
    assert results[2].arrival_date == datetime(2026, 12, 31, 17, 30, tzinfo=UTC)
    counters = {c.year: c.last_number for c in _read(engine, RegisterCounter)}
    assert counters == {2026: 2, 2027: 2}
    entries = _read(engine, RegisterEntry, RegisterEntry.document_id == boundary.id)
    assert [(e.year, e.number) for e in entries] == [(2027, 1)]


def test_it_refuses_for_good_when_the_document_is_gone(engine):
    _documents(engine)
    with pytest.raises(ApplicationError) as error:
        ActivityEnvironment().run(
            RegisterActivities(engine).register_incoming,
            RegisterIncomingInput("00000000-0000-4000-8000-000000000000", "incoming-missing"),
        )
    assert error.value.type == "document_missing" and error.value.non_retryable
    assert _read(engine, RegisterEntry) == []
