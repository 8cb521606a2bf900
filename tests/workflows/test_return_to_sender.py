"""A document whose signature fails waits for the văn thư, who may return it with a reason."""

from __future__ import annotations

import asyncio

from commands.tasks import act_on_task
from models.audit import AuditEvent
from models.documents.tables import Document
from models.registers.tables import RegisterEntry
from models.signing.demo_pki import ensure_demo_pki
from models.tasks.tables import Task
from models.vocab import DocumentStatus, TaskStatus
from tests.activities.test_signature_check import sign
from tests.conftest import minimal_pdf
from tests.helpers import eventually, make_settings, rows, running_worker, upload, user_and_roles


async def test_it_returns_a_tampered_document_without_registering_it(
        seeded_sqlite, temporal_env, task_queue, tmp_path):
    engine, client = seeded_sqlite, temporal_env.client
    settings = make_settings(tmp_path, task_queue)
    ensure_demo_pki(settings)
    # pyHanko's sync API runs its own event loop: keep it off this test's loop.
    signed = await asyncio.to_thread(sign, minimal_pdf(), settings)
    tampered = signed.replace(b"Van ban den 1", b"Van ban dem 1")
    clerk, clerk_roles = user_and_roles(engine, "vanthu")

    async with running_worker(client, engine, settings):
        document = await upload(engine, client, settings, tampered)
        accept = await eventually(lambda: next(iter(rows(engine, Task, Task.document_id == document.id)), None))
        assert (accept.step, accept.candidate_role) == ("accept", "van_thu")
        outcome = await act_on_task(engine, client, task_id=accept.id, user=clerk, roles=clerk_roles,
                                    action="tra_lai", nonce="r",
                                    fields={"reason": "Chữ ký số không hợp lệ: văn bản đã bị thay đổi"})
        assert outcome.document_status == DocumentStatus.RETURNED
        await client.get_workflow_handle(document.workflow_id).result()

    stored = rows(engine, Document, Document.id == document.id)[0]
    assert stored.status == DocumentStatus.RETURNED and stored.arrival_number is None
    assert stored.closed_at is not None
    assert rows(engine, RegisterEntry, RegisterEntry.document_id == document.id) == []
    assert rows(engine, Task, Task.id == accept.id)[0].status == TaskStatus.DONE
    events = rows(engine, AuditEvent, AuditEvent.subject_id == document.id)
    checked = next(e for e in events if e.code == "document.signature_checked")
    assert checked.data["verdict"] == "invalid"
    returned = next(e for e in events if e.code == "document.tra_lai")
    assert returned.data["reason"].startswith("Chữ ký số không hợp lệ")
