"""The Temporal worker: registers workflows and activities, and runs the start reconciler.

Activities are synchronous (SQLModel sessions, later pyHanko), so they run on a thread pool,
never on the worker's event loop.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from temporalio.client import Client
from temporalio.service import RPCError
from temporalio.worker import Worker

from activities.calendar import CalendarActivities
from activities.definitions import DefinitionActivities
from activities.digitise import DigitiseActivities
from activities.documents import DocumentActivities, RoutingActivities
from activities.exchange import ExchangeActivities
from activities.interceptors import DomainErrorsAreFinal
from activities.outgoing import OutgoingActivities
from activities.recall import RecallActivities
from activities.registers import RegisterActivities
from activities.signatures import SignatureActivities
from activities.tasks import TaskActivities
from config.settings import Settings, get_settings
from config.temporal import connect
from models.audit import record
from models.db import make_engine, transaction, utcnow
from models.documents.file_store import FileStore
from models.documents.repo import documents_not_started, intake_input
from models.errors import INTERRUPTIONS
from models.notifications.mail import deliver_pending
from models.outgoing import repo as outgoing_repo
from models.tasks import repo as task_repo
from models.vocab import TaskStatus
from workflows.contracts import IncomingInput, RecallInput
from workflows.exchange import HubDeliveryWorkflow, HubDirectorySyncWorkflow, HubPollWorkflow
from workflows.incoming import IncomingDocumentWorkflow
from workflows.outgoing import OutgoingDocumentWorkflow
from workflows.recall import RecallDocumentWorkflow
from workflows.starter import ensure_hub_schedule, start_incoming, start_recall

log = logging.getLogger("qlvb.worker")

WORKFLOWS = [IncomingDocumentWorkflow, OutgoingDocumentWorkflow, RecallDocumentWorkflow, HubPollWorkflow,
             HubDeliveryWorkflow, HubDirectorySyncWorkflow]


def activities_for(engine: Engine, settings: Settings, client: Client | None = None, hub_factory=None) -> list:
    """Instantiate every activity family with its dependencies.

    ``client`` lets delivery start the recipients' intake workflows at once; without it the
    start reconciler starts them. ``hub_factory`` replaces the exchange hub client built from the
    settings (tests point it at the in-process simulator).
    """
    calendar = CalendarActivities(engine)
    definitions = DefinitionActivities(engine)
    digitise = DigitiseActivities(engine, FileStore(settings.files_dir), settings)
    documents = DocumentActivities(engine)
    routing = RoutingActivities(engine)
    registers = RegisterActivities(engine)
    signatures = SignatureActivities(engine, FileStore(settings.files_dir), settings)
    tasks = TaskActivities(engine)
    outgoing = OutgoingActivities(engine, FileStore(settings.files_dir), settings, client)
    recall = RecallActivities(engine, client)
    exchange = ExchangeActivities(engine, FileStore(settings.files_dir), settings, client, hub_factory)
    return [
        calendar.compute_due_at,
        definitions.load_definition,
        digitise.ocr_scan,
        digitise.sign_digitised,
        documents.apply_decision,
        routing.withdraw_branch,
        registers.register_incoming,
        signatures.verify_signatures,
        tasks.open_task,
        tasks.mark_task_overdue,
        tasks.escalate_overdue,
        tasks.send_reminder,
        tasks.close_workflow_tasks,
        outgoing.apply_outgoing_decision,
        outgoing.issue_outgoing,
        outgoing.dispatch_outgoing,
        recall.apply_recall_decision,
        recall.stop_document_workflow,
        exchange.poll_hub,
        exchange.send_hub_package,
        exchange.hub_send_failed,
        exchange.sync_hub_directory,
    ]


def build_worker(client: Client, engine: Engine, settings: Settings, executor: ThreadPoolExecutor,
                 hub_factory=None) -> Worker:
    """Assemble a worker for the settings' task queue (the tests use the same function)."""
    return Worker(
        client,
        task_queue=settings.temporal_task_queue,
        workflows=WORKFLOWS,
        activities=activities_for(engine, settings, client, hub_factory),
        activity_executor=executor,
        graceful_shutdown_timeout=timedelta(seconds=settings.worker_graceful_shutdown_seconds),
        interceptors=[DomainErrorsAreFinal()],
    )


async def reconcile_starts(client: Client, engine: Engine, task_queue: str, older_than_seconds: int = 30) -> int:
    """Start workflows for documents whose start was lost (web crashed or Temporal was down).

    Safe to run any time: starts are idempotent on the document-derived workflow id.
    """
    pending = await asyncio.to_thread(_lost_incoming_starts, engine, older_than_seconds)
    for start in pending:
        await start_incoming(client, task_queue, start)
    return len(pending)


def _lost_incoming_starts(engine: Engine, older_than_seconds: int) -> list[IncomingInput]:
    """The intake workflow inputs of documents still not started after ``older_than_seconds``."""
    with transaction(engine) as session:
        return [
            intake_input(session, doc) for doc in documents_not_started(session, older_than_seconds)
        ]


async def reconcile_completing(client: Client, engine: Engine, older_than_seconds: int = 120) -> int:
    """Put back tasks stuck in COMPLETING whose decision never reached the workflow.

    A decision whose update timed out may still apply later (TEMPORAL-PATTERNS §3), so a row is
    reverted only when the workflow answers that it is still waiting on that very step with no
    decision. Rows whose decision was applied are closed by ``apply_decision`` itself.
    """
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    stuck = await asyncio.to_thread(_stuck_completing, engine, cutoff)
    reverted = 0
    for task_id, workflow_id, task_key, assignee_id in stuck:
        handle = client.get_workflow_handle(workflow_id)
        try:
            waiting = await handle.query(IncomingDocumentWorkflow.waiting_on, task_key)
        except RPCError:
            continue  # closed or unreachable: leave it for an operator, never guess
        if waiting:
            await asyncio.to_thread(_put_back_lost_decision, engine, task_id, workflow_id, assignee_id)
            reverted += 1
    return reverted


def _stuck_completing(engine: Engine, cutoff: datetime) -> list[tuple[int, str, str, int | None]]:
    """(task id, workflow id, task key, assignee id) of the tasks in COMPLETING since before ``cutoff``."""
    with transaction(engine) as session:
        return [(t.id, t.workflow_id, t.task_key, t.assignee_id)
                for t in task_repo.stuck_completing(session, cutoff)]


def _put_back_lost_decision(engine: Engine, task_id: int, workflow_id: str, assignee_id: int | None) -> None:
    """Put a task whose decision was lost back to CLAIMED, with an audit event, in one transaction."""
    with transaction(engine) as session:
        task_repo.revert_completing(session, task_id, TaskStatus.CLAIMED, assignee_id)
        record(session, None, "task.decision_lost", "task", task_id, workflow_id=workflow_id)


async def reconcile_recalls(client: Client, engine: Engine, task_queue: str, older_than_seconds: int = 30) -> int:
    """Start the recall workflows whose start was lost after the sender's recall was recorded."""
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    pending = await asyncio.to_thread(_lost_recall_starts, engine, cutoff)
    for recall in pending:
        await start_recall(client, task_queue, RecallInput(
            recall.document_id, recall.agency_id, recall.urgency_rank, recall.sender_document_id,
            recall.reason, recall.requested_by), recall.agency_code)
    return len(pending)


def _lost_recall_starts(engine: Engine, cutoff: datetime) -> list[outgoing_repo.PendingRecall]:
    """The recalls requested before ``cutoff`` that their recipients have not answered yet."""
    with transaction(engine) as session:
        return outgoing_repo.pending_recalls(session, requested_before=cutoff)


def alert_not_received(engine: Engine, settings: Settings) -> int:
    """Report recipients that have not received an issued document after the configured hours."""
    with transaction(engine) as session:
        return outgoing_repo.alert_not_received(
            session, utcnow() - timedelta(hours=settings.recipient_alert_hours))


async def _reconcile_forever(client: Client, engine: Engine, task_queue: str, settings: Settings) -> None:
    while True:
        try:
            started = await reconcile_starts(client, engine, task_queue)
            reverted = await reconcile_completing(client, engine)
            started += await reconcile_recalls(client, engine, task_queue)
            if started or reverted:
                log.info("reconciler: %d workflows started, %d tasks put back", started, reverted)
            if alerted := await asyncio.to_thread(alert_not_received, engine, settings):
                log.info("reconciler: %d recipients not reached in time reported", alerted)
            if mailed := await asyncio.to_thread(deliver_pending, engine, settings):
                log.info("reconciler: %d e-mails delivered", mailed)
        except INTERRUPTIONS:  # a cancellation or worker stop passes through
            raise
        except Exception:  # keep the loop alive; the next round retries
            log.exception("reconciler round failed")
        await asyncio.sleep(60)


async def run_worker(settings: Settings | None = None) -> None:
    """Connect, then poll the task queue until cancelled."""
    settings = settings or get_settings()
    engine = make_engine(settings.effective_database_url)
    client = await connect(settings)
    with ThreadPoolExecutor(max_workers=8) as executor:
        worker = build_worker(client, engine, settings, executor)
        try:  # the receive loop of the exchange hub (EDXML §9.5), every hub_poll_seconds
            await ensure_hub_schedule(client, settings.temporal_task_queue, timedelta(seconds=settings.hub_poll_seconds))
        except RPCError:
            log.warning("the hub receive schedule could not be created; retried at the next start", exc_info=True)
        reconciler = asyncio.create_task(_reconcile_forever(client, engine, settings.temporal_task_queue, settings))
        try:
            await worker.run()
        finally:
            reconciler.cancel()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(run_worker())
