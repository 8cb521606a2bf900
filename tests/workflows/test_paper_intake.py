"""Paper documents: scan → OCR → agency signature → signature check → registration, or quarantine."""

from __future__ import annotations

from commands.intake import receive_paper
from commands.tasks import act_on_task
from models.audit import AuditEvent
from models.documents.digitise import DigitiseJob
from models.documents.tables import Document
from models.signing.demo_pki import ensure_demo_pki
from models.signing.tables import SignatureCheck
from models.tasks.tables import Task
from models.vocab import DocumentSource, DocumentStatus
from tests.activities.test_digitise_activity import PAGE_ONE, render_page
from tests.helpers import (
    eventually,
    make_settings,
    rows,
    running_worker,
    sample_metadata,
    user_and_roles,
)


async def _receive(engine, client, settings):
    clerk, roles = user_and_roles(engine, "vanthu")
    return await receive_paper(engine, client, settings, _store(settings), clerk=clerk, roles=roles,
                               raw_metadata=sample_metadata(), scans=[("trang-1.png", render_page(PAGE_ONE))])


def _store(settings):
    from models.documents.file_store import FileStore

    return FileStore(settings.files_dir)


async def test_it_digitises_signs_and_registers_a_paper_document(seeded_sqlite, temporal_env, task_queue, tmp_path):
    engine, client = seeded_sqlite, temporal_env.client
    settings = make_settings(tmp_path, task_queue)
    ensure_demo_pki(settings)
    async with running_worker(client, engine, settings):
        document = await _receive(engine, client, settings)
        assert document.source == DocumentSource.PAPER and document.paper_copy
        registered = await eventually(lambda: rows(engine, Document, Document.id == document.id,
                                                   Document.status == DocumentStatus.REGISTERED), timeout=60)
    job = rows(engine, DigitiseJob, DigitiseJob.document_id == document.id)[0]
    assert job.status == "done" and job.done_pages == job.total_pages == 1
    check = rows(engine, SignatureCheck, SignatureCheck.document_id == document.id)[0]
    assert check.verdict == "valid" and not registered[0].for_reference_only
    codes = [e.code for e in rows(engine, AuditEvent, AuditEvent.subject_id == document.id)]
    assert codes.index("document.agency_signed") < codes.index("document.signature_checked") \
        < codes.index("document.registered")


async def test_it_quarantines_a_scan_it_cannot_sign_and_lets_the_clerk_return_it(
        seeded_sqlite, temporal_env, task_queue, tmp_path):
    engine, client = seeded_sqlite, temporal_env.client
    settings = make_settings(tmp_path, task_queue)  # no demo PKI here: no agency key to sign with
    clerk, clerk_roles = user_and_roles(engine, "vanthu")
    async with running_worker(client, engine, settings):
        document = await _receive(engine, client, settings)
        step = await eventually(lambda: next(iter(rows(engine, Task, Task.document_id == document.id)), None),
                                timeout=60)
        assert (step.step, step.candidate_role) == ("quarantine", "van_thu")
        outcome = await act_on_task(engine, client, task_id=step.id, user=clerk, roles=clerk_roles,
                                    action="tra_lai", nonce="r", fields={"reason": "Bản quét không ký số được"})
        assert outcome.document_status == DocumentStatus.RETURNED
        assert await client.get_workflow_handle(document.workflow_id).result() == "returned"
    assert rows(engine, Document, Document.id == document.id)[0].arrival_number is None
