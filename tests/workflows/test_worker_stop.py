"""A worker stopped (SIGTERM, graceful shutdown) in the middle of a long activity falsifies nothing.

Temporal cancels a thread-pool activity by raising inside its thread, wherever it is. The
signature check once caught that as "the file is unreadable" and recorded a good PDF as invalid
for ever; now the attempt ends as cancelled and the next worker checks the file again. The same
holds for every long activity: OCR (digitising), the agency signature on a scan, and issuing.
Each test makes its activity's long call wait (in Python, so the cancellation lands inside it)
until released, stops the worker there, then lets a new worker finish the work: the activity is
attempted again and the outcome is that of one clean run.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from sqlmodel import func, select

from models.audit import AuditEvent
from models.db import transaction
from models.documents.digitise import DigitiseJob
from models.documents.file_store import FileStore
from models.documents.tables import Document, DocumentFile, StoredFile
from models.exchange.tables import HubOutbox
from models.outgoing.tables import DraftRevision, RevisionStage
from models.registers.tables import RegisterEntry
from models.signing import demo_pki, pki
from models.signing.tables import SignatureCheck, SignatureVerdict
from models.signing.verification import check_pdf_signatures
from models.tasks.tables import Task
from models.vocab import DocumentStatus, TaskStatus
from tests.activities.test_signature_check import sign
from tests.conftest import minimal_pdf
from tests.helpers import eventually, make_settings, rows, running_worker, upload
from tests.outgoing_helpers import act_on_step, draft_document, issue_document, sign_as_leader, submit_draft
from tests.pdf_lines import text_layer
from tests.workflows.test_exchange import MINISTRY, OFFICE, hub, hub_store  # noqa: F401 (fixtures)
from tests.workflows.test_paper_intake import _receive as receive_paper_scan
from workflows.contracts import hub_delivery_workflow_id

RELEASE_DEADLINE = 60  # seconds a held call waits at most, so a broken test cannot hang


class Held:
    """A long call made to wait until released; counts how often it was entered."""

    def __init__(self, real, *, swallow_interruption=None):
        self.real, self.swallow = real, swallow_interruption
        self.started, self.release = threading.Event(), threading.Event()
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        self.started.set()
        try:
            deadline = time.monotonic() + RELEASE_DEADLINE
            while not self.release.is_set() and time.monotonic() < deadline:
                time.sleep(0.02)
        except BaseException as exc:
            if self.swallow is None:
                raise
            # What a library that catches broadly does with the interruption: its own error.
            raise self.swallow(f"interrupted: {exc!r}") from exc
        return self.real(*args, **kwargs)


async def _heartbeat_timeouts(client, workflow_id: str) -> dict[str, float]:
    """Each activity type the workflow scheduled → its heartbeat timeout in seconds (0: none)."""
    found: dict[str, float] = {}
    async for event in client.get_workflow_handle(workflow_id).fetch_history_events():
        if event.HasField("activity_task_scheduled_event_attributes"):
            scheduled = event.activity_task_scheduled_event_attributes
            found[scheduled.activity_type.name] = scheduled.heartbeat_timeout.ToTimedelta().total_seconds()
    return found


def _stopping_settings(tmp_path, task_queue):
    return make_settings(tmp_path, task_queue).model_copy(update={"worker_graceful_shutdown_seconds": 0})


@pytest.fixture
def slow_validation(monkeypatch):
    """pyHanko's validation made slow (in Python, so a cancellation lands inside it) until released."""
    import pyhanko.sign.validation as validation

    real = validation.validate_pdf_signature
    started, release = threading.Event(), threading.Event()

    def slow(*args, **kwargs):
        started.set()
        deadline = time.monotonic() + 20
        while not release.is_set() and time.monotonic() < deadline:
            time.sleep(0.02)
        return real(*args, **kwargs)

    monkeypatch.setattr(validation, "validate_pdf_signature", slow)
    return started, release


def _checks(engine, document_id: str) -> list[tuple[str, int]]:
    with transaction(engine) as session:
        verdicts = session.exec(select(SignatureCheck.verdict).where(SignatureCheck.document_id == document_id)).all()
        return [(v, len(verdicts)) for v in verdicts]


async def test_a_worker_stop_during_the_signature_check_is_retried_not_judged(
        seeded_sqlite, temporal_env, task_queue, tmp_path, slow_validation):
    engine, client = seeded_sqlite, temporal_env.client
    started, release = slow_validation
    settings = make_settings(tmp_path, task_queue).model_copy(update={"worker_graceful_shutdown_seconds": 0})
    demo_pki.ensure_demo_pki(settings)
    signed = await asyncio.to_thread(sign, minimal_pdf(1), settings)  # pyHanko's sync API: off the loop

    async with running_worker(client, engine, settings):
        document = await upload(engine, client, settings, signed)
        assert await eventually(started.is_set)
    # The worker has shut down while the check was running: nothing may have been judged.
    assert _checks(engine, document.id) == []

    release.set()
    async with running_worker(client, engine, settings):
        checks = await eventually(lambda: _checks(engine, document.id), timeout=60)
    assert checks == [(SignatureVerdict.VALID, 1)]
    with transaction(engine) as session:
        assert session.exec(select(func.count()).select_from(SignatureCheck)).one() == 1


# --- OCR and the agency signature of a paper scan ----------------------------------------------


@pytest.fixture
def held_ocr(monkeypatch):
    """ocrmypdf held; an interruption inside it comes out as ocrmypdf's own "bad input" error."""
    import ocrmypdf
    from ocrmypdf import exceptions as ocr_errors

    held = Held(ocrmypdf.ocr, swallow_interruption=ocr_errors.InputFileError)
    monkeypatch.setattr(ocrmypdf, "ocr", held)
    return held


def _digitised_once(engine, document_id: str) -> None:
    job = rows(engine, DigitiseJob, DigitiseJob.document_id == document_id)[0]
    assert (job.status, job.error, job.done_pages, job.total_pages) == ("done", "", 1, 1)
    roles = [f.role for f in rows(engine, DocumentFile, DocumentFile.document_id == document_id)]
    assert roles.count("digitised") == 1 and roles.count("agency_signed") == 1
    codes = [e.code for e in rows(engine, AuditEvent, AuditEvent.subject_id == document_id)]
    assert codes.count("document.digitised") == 1 and codes.count("document.agency_signed") == 1
    assert "document.digitise_quarantined" not in codes
    checks = rows(engine, SignatureCheck, SignatureCheck.document_id == document_id)
    assert [c.verdict for c in checks] == [SignatureVerdict.VALID]
    assert not rows(engine, Task, Task.document_id == document_id, Task.step == "quarantine")


async def test_a_worker_stop_during_ocr_is_retried_and_digitises_once(
        seeded_sqlite, temporal_env, task_queue, tmp_path, held_ocr):
    engine, client = seeded_sqlite, temporal_env.client
    settings = _stopping_settings(tmp_path, task_queue)
    demo_pki.ensure_demo_pki(settings)

    async with running_worker(client, engine, settings):
        document = await receive_paper_scan(engine, client, settings)
        assert await eventually(held_ocr.started.is_set, timeout=60)
    # Stopped mid-OCR: nothing digitised, and the scan is not quarantined as unprocessable.
    job = rows(engine, DigitiseJob, DigitiseJob.document_id == document.id)[0]
    assert (job.status, job.error) == ("running", "")
    assert not [f for f in rows(engine, DocumentFile, DocumentFile.document_id == document.id)
                if f.role == "digitised"]

    held_ocr.release.set()
    async with running_worker(client, engine, settings):
        await eventually(lambda: rows(engine, Document, Document.id == document.id,
                                      Document.status == DocumentStatus.REGISTERED), timeout=120)
    assert held_ocr.calls == 2  # the interrupted attempt, then the retry
    _digitised_once(engine, document.id)
    # Every long step is scheduled with a heartbeat timeout: a crashed worker's attempt is retried soon.
    timeouts = await _heartbeat_timeouts(client, document.workflow_id)
    assert all(timeouts[name] > 0 for name in ("ocr_scan", "sign_digitised", "verify_signatures")), timeouts


async def test_a_worker_stop_during_the_agency_signature_of_a_scan_signs_once(
        seeded_sqlite, temporal_env, task_queue, tmp_path, monkeypatch):
    from activities import digitise

    held = Held(digitise._sign)
    monkeypatch.setattr(digitise, "_sign", held)
    engine, client = seeded_sqlite, temporal_env.client
    settings = _stopping_settings(tmp_path, task_queue)
    demo_pki.ensure_demo_pki(settings)

    async with running_worker(client, engine, settings):
        document = await receive_paper_scan(engine, client, settings)
        assert await eventually(held.started.is_set, timeout=90)
    assert not [f for f in rows(engine, DocumentFile, DocumentFile.document_id == document.id)
                if f.role == "agency_signed"]

    held.release.set()
    async with running_worker(client, engine, settings):
        await eventually(lambda: rows(engine, Document, Document.id == document.id,
                                      Document.status == DocumentStatus.REGISTERED), timeout=120)
    assert held.calls == 2
    _digitised_once(engine, document.id)


# --- issuing an outgoing document ----------------------------------------------------------------


async def test_a_worker_stop_while_issuing_issues_once_with_one_number(
        seeded_sqlite, temporal_env, task_queue, tmp_path, monkeypatch):
    from models.signing import issuing

    held = Held(issuing.sign_as_agency)
    monkeypatch.setattr(issuing, "sign_as_agency", held)
    engine, client = seeded_sqlite, temporal_env.client
    settings = _stopping_settings(tmp_path, task_queue)
    demo_pki.ensure_demo_pki(settings)

    async with running_worker(client, engine, settings):
        document = draft_document(engine, settings)
        await submit_draft(engine, client, settings, document)
        await act_on_step(engine, client, "truongphong", document.id, "review", "duyet", "stop-r")
        await act_on_step(engine, client, "vanthu", document.id, "format_check", "duyet", "stop-f")
        await act_on_step(engine, client, "lanhdao", document.id, "approve", "duyet", "stop-a")
        await sign_as_leader(engine, client, settings, document.id, "stop-s")
        # The văn thư's click waits for the update; the worker stops under it.
        click = asyncio.create_task(act_on_step(engine, client, "vanthu", document.id, "issue", "ban_hanh",
                                                "stop-i"))
        assert await eventually(held.started.is_set, timeout=60)
    # Stopped while the agency was signing: the number is taken (and kept), nothing is issued.
    assert rows(engine, Document, Document.id == document.id)[0].status == DocumentStatus.SIGNED
    assert not rows(engine, DraftRevision, DraftRevision.document_id == document.id,
                    DraftRevision.stage == RevisionStage.ISSUED)

    held.release.set()
    async with running_worker(client, engine, settings):
        await click  # answered or not within its wait, the decision stays in the workflow
        await eventually(lambda: rows(engine, Document, Document.id == document.id,
                                      Document.status == DocumentStatus.ISSUED), timeout=120)
        await eventually(lambda: not rows(engine, Task, Task.document_id == document.id, Task.step == "issue",
                                          Task.status != TaskStatus.DONE), timeout=60)
    assert held.calls == 2

    final = rows(engine, Document, Document.id == document.id)[0]
    assert (await _heartbeat_timeouts(client, final.workflow_id))["issue_outgoing"] > 0
    assert (final.code_number, final.code_notation) == ("01", "VP-TH")
    entries = rows(engine, RegisterEntry, RegisterEntry.document_id == document.id)
    assert [(e.number, e.workflow_id) for e in entries] == [(1, final.workflow_id)]
    issued = rows(engine, DraftRevision, DraftRevision.document_id == document.id,
                  DraftRevision.stage == RevisionStage.ISSUED)
    assert len(issued) == 1
    codes = [e.code for e in rows(engine, AuditEvent, AuditEvent.subject_id == document.id)]
    assert codes.count("document.ban_hanh") == 1 and codes.count("register.number_allocated") == 1
    with transaction(engine) as session:
        data = FileStore(settings.files_dir).read(session.get(StoredFile, final.file_id).sha256)
    report = await asyncio.to_thread(check_pdf_signatures, data, pki.trust_anchor_certificates(settings))
    assert report.verdict == SignatureVerdict.VALID and len(report.signatures) == 2
    assert "Số: 01/VP-TH" in text_layer(data)


# --- handing a package to the exchange hub -------------------------------------------------------


async def test_a_worker_stop_after_the_hub_took_a_package_sends_it_once(
        seeded_sqlite, temporal_env, task_queue, tmp_path, monkeypatch, hub):  # noqa: F811
    """The stop lands after the hub accepted the package but before the outbox row says so."""
    from models.exchange.hub_client import HubClient

    real_send = HubClient.send_edoc
    started, release = asyncio.Event(), asyncio.Event()
    sends: list[str] = []

    async def send_then_hold(self, package, **kwargs):
        sent = await real_send(self, package, **kwargs)
        if kwargs.get("message_type", "edoc") == "edoc":
            sends.append(sent.doc_id)
            started.set()
            await asyncio.wait_for(release.wait(), timeout=RELEASE_DEADLINE)
        return sent

    monkeypatch.setattr(HubClient, "send_edoc", send_then_hold)
    engine, client = seeded_sqlite, temporal_env.client
    settings = _stopping_settings(tmp_path, task_queue)
    demo_pki.ensure_demo_pki(settings)
    hub_factory = lambda: hub("qlvb-test", "secret-a")  # noqa: E731

    async with running_worker(client, engine, settings, hub_factory):
        document = await issue_document(engine, client, settings, "hub-stop", outside_codes=(MINISTRY,))
        await asyncio.wait_for(started.wait(), timeout=60)
    [outbox] = rows(engine, HubOutbox, HubOutbox.document_id == document.id)
    assert outbox.transport_status == "pending" and not outbox.hub_doc_id

    release.set()
    async with running_worker(client, engine, settings, hub_factory):
        await eventually(lambda: rows(engine, HubOutbox, HubOutbox.document_id == document.id,
                                      HubOutbox.transport_status == "sent"), timeout=90)
    assert len(sends) == 2  # the attempt cut short, then the retry with the same bytes and key
    [outbox] = rows(engine, HubOutbox, HubOutbox.document_id == document.id)
    assert outbox.hub_doc_id == sends[0] == sends[1]  # the hub kept one package
    waiting = await hub("bnv-test", "secret-b").received("edoc")
    assert len(waiting) == 1 and waiting[0].from_code == OFFICE
    timeouts = await _heartbeat_timeouts(client, hub_delivery_workflow_id(outbox.uuid))
    assert timeouts["send_hub_package"] > 0
