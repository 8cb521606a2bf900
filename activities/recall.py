"""The recipient's side of a recall: the văn thư's answer, and ending the recalled document's workflow."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from models.db import transaction, utcnow
from models.documents import lifecycle
from models.documents.tables import Document
from models.outgoing.recipient_status import report_to_sender
from models.tasks import repo as task_repo
from models.tasks.actions import sender_code
from models.vocab import Action, DocumentStatus
from workflows.contracts import ApplyDecisionInput, ApplyDecisionResult, StopWorkflowInput

log = logging.getLogger("qlvb.recall")

AGREE, REFUSE = Action.AGREE_TO_RECALL, Action.REFUSE_RECALL
STOP_WAIT_SECONDS = 20


class RecallActivities:
    """Recall answers; each call owns its transaction."""

    def __init__(self, engine: Engine, client: Client | None = None) -> None:
        self.engine = engine
        self.client = client

    @activity.defn(name="apply_recall_decision")
    def apply_recall_decision(self, request: ApplyDecisionInput) -> ApplyDecisionResult:
        """Record the answer and tell the sender (15 agree, 16 refuse), in one transaction.

        Agreeing withdraws the document from every queue (its open tasks are cancelled) and marks
        it recalled; nothing is deleted, so its history stays. Idempotency key: the task.
        """
        with transaction(self.engine) as session:
            document = session.get(Document, request.document_id)
            if document is None:
                raise ApplicationError("document_missing", type="document_missing", non_retryable=True)
            if request.action not in (AGREE, REFUSE):
                raise ApplicationError("unknown_action", type="unknown_action", non_retryable=True)
            if not task_repo.close_task(session, request.workflow_id, request.task_key, request.action,
                                        request.actor_id):
                return ApplyDecisionResult(str(document.status))
            now = utcnow()
            if request.action == AGREE:
                cancelled = task_repo.cancel_tasks(session, document.workflow_id) if document.workflow_id else 0
                document.recall_reason = request.fields.get("recall_reason", "")[:500]
                lifecycle.change(session, document, "document.dong_y_thu_hoi", actor_id=request.actor_id,
                                 status=DocumentStatus.RECALLED, at=now, reason=document.recall_reason,
                                 cancelled_steps=cancelled, note=request.fields.get("note", ""))
                report_to_sender(session, document, sender_code(AGREE), now, note=request.fields.get("note", ""),
                                 actor_id=request.actor_id)
            else:
                reason = request.fields.get("reason", "")
                lifecycle.change(session, document, "document.tu_choi_thu_hoi", actor_id=request.actor_id,
                                 at=now, reason=reason)
                report_to_sender(session, document, sender_code(REFUSE), now, note=reason, actor_id=request.actor_id)
            return ApplyDecisionResult(str(document.status))

    @activity.defn(name="stop_document_workflow")
    async def stop_document_workflow(self, request: StopWorkflowInput) -> bool:
        """Cancel the recalled document's own workflow and close whatever it opened meanwhile.

        Only recall histories from before patch ``2026-12-03-recall-cancels-through-sdk`` call it;
        newer ones cancel through the SDK and the document workflow closes its own steps.

        Idempotent: cancelling a finished or already cancelled workflow is a no-op. Returns
        whether a running workflow was asked to stop.
        """
        if self.client is None:
            raise ApplicationError("no_temporal_client", type="no_temporal_client", non_retryable=True)
        handle = self.client.get_workflow_handle(request.workflow_id)
        try:
            await handle.cancel()
            asked = True
        except RPCError:  # not found, or already closed
            asked = False
        if asked:
            try:
                await asyncio.wait_for(handle.result(), STOP_WAIT_SECONDS)
            except (TimeoutError, WorkflowFailureError, RPCError):
                pass  # cancelled (the expected outcome) or slow: the tasks are closed below anyway
        # A step the workflow opened between the answer and the cancellation is closed too.
        await asyncio.to_thread(self._cancel_tasks, request.workflow_id)
        return asked

    def _cancel_tasks(self, workflow_id: str) -> None:
        with transaction(self.engine) as session:
            task_repo.cancel_tasks(session, workflow_id)
