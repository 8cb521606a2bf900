"""Maintenance the ``Reconcile`` schedule runs every minute (``workflows/maintenance.py``).

Each activity takes what needs doing from the database and acts on it, idempotently: workflows
whose start was lost (the web or the poll loop died between its commit and the start; the
start is idempotent on the document-derived workflow id), decisions stuck in the completion
handshake, recipients not reached in time, and the e-mail outbox (each message claimed before it
is sent, so two workers never send it twice). The schedule's overlap policy SKIP runs one round
at a time, whichever worker picks it up.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.client import Client
from temporalio.service import RPCError

from activities.assignments import reconcile_assignment_starts
from activities.schedule import restart_lost_schedule_starts
from config.settings import Settings
from models.audit import record
from models.db import transaction, utcnow
from models.documents.repo import documents_not_started, intake_input
from models.notifications.mail import deliver_pending
from models.outgoing import repo as outgoing_repo
from models.tasks import repo as task_repo
from models.vocab import TaskStatus
from workflows.contracts import IncomingInput, RecallInput
from workflows.incoming import IncomingDocumentWorkflow
from workflows.starter import start_incoming, start_recall

log = logging.getLogger("qlvb.maintenance")


class MaintenanceActivities:
    """The reconciler's and the mail sender's rounds, one activity each."""

    def __init__(self, engine: Engine, settings: Settings, client: Client | None) -> None:
        self.engine = engine
        self.settings = settings
        self.client = client

    @activity.defn(name="restart_lost_starts")
    async def restart_lost_starts(self) -> int:
        """Start the intake, recall and other workflows whose start was lost; return how many."""
        if self.client is None:
            return 0
        queue = self.settings.temporal_task_queue
        return (await reconcile_starts(self.client, self.engine, queue)
                + await reconcile_recalls(self.client, self.engine, queue)
                + await reconcile_assignment_starts(self.client, self.engine, queue)
                + await restart_lost_schedule_starts(self.client, self.engine, queue))

    @activity.defn(name="put_back_lost_decisions")
    async def put_back_lost_decisions(self) -> int:
        """Put back the tasks whose decision never reached their workflow; return how many."""
        if self.client is None:
            return 0
        return await reconcile_completing(self.client, self.engine)

    @activity.defn(name="report_recipients_not_reached")
    def report_recipients_not_reached(self) -> int:
        """Tell drafters and văn thư which recipients have reported nothing in time; return how many."""
        return alert_not_received(self.engine, self.settings)

    @activity.defn(name="deliver_mail")
    def deliver_mail(self) -> int:
        """Send the e-mail copies waiting in the outbox; return how many were delivered."""
        return deliver_pending(self.engine, self.settings)


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


# Within the activity's timeout even on a slow disk (a batch is a few hundred notifications).
ALERT_BATCHES_PER_ROUND = 10


def alert_not_received(engine: Engine, settings: Settings) -> int:
    """Report recipients that have not received an issued document after the configured hours, a
    batch per transaction, so memory and lock time stay bounded whatever the backlog; a round
    reports at most ``ALERT_BATCHES_PER_ROUND`` batches, the next round goes on."""
    issued_before = utcnow() - timedelta(hours=settings.recipient_alert_hours)
    reported = 0
    for _ in range(ALERT_BATCHES_PER_ROUND):
        with transaction(engine) as session:
            batch = outgoing_repo.alert_not_received(session, issued_before, limit=outgoing_repo.NOT_RECEIVED_BATCH)
        reported += batch
        if batch < outgoing_repo.NOT_RECEIVED_BATCH:
            break
    return reported


