"""Recall (thu hồi) of a document delivered inside the installation, on the recipient's side.

QĐ44 Điều 13.4.d, ND30 Điều 18.4.b: the sender recalls an issued document; each recipient's
văn thư agrees (the received document is withdrawn from every queue, its own workflow ends,
its history stays) or refuses with a reason. Either answer goes back to the sender as status
15 or 16. One workflow per received document (``recall-<document id>``), so the recipient's
answer is a durable human step like any other, with its deadline, and survives restarts.

Protocol: the ``decide`` update and the step queries of ``workflows.human_steps.HumanSteps``.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import FailureError

with workflow.unsafe.imports_passed_through():
    from workflows.contracts import ActivityName, RecallInput, StopWorkflowInput, incoming_workflow_id
    from workflows.search_attributes import OVERDUE, STAGE
    from workflows.vocabulary import Action, Role

from workflows.human_steps import DB_RETRY, HumanStep, HumanSteps

CLERK = Role.CLERK
AGREE, REFUSE = Action.AGREE_TO_RECALL, Action.REFUSE_RECALL
# Patch: the agreed recall cancels the document's workflow through the SDK (an external workflow
# handle) instead of an activity holding a Temporal client.
CANCEL_THROUGH_SDK_PATCH = "2026-12-03-recall-cancels-through-sdk"
ANSWER_DAYS = 0  # answered the day the request arrives, like registration


@workflow.defn(name="RecallDocument")
class RecallDocumentWorkflow(HumanSteps):
    """The recipient's văn thư answers a recall; an agreed recall ends the document's workflow."""

    APPLY_DECISION = ActivityName.APPLY_RECALL_DECISION

    @workflow.run
    async def run(self, start: RecallInput) -> str:
        decision, _ = await self._human_step(start, HumanStep(
            "recall", CLERK, [AGREE, REFUSE], ANSWER_DAYS,
            context={"recall_reason": start.reason, "sender_document_id": start.sender_document_id}))
        if decision.action == AGREE:
            if workflow.patched(CANCEL_THROUGH_SDK_PATCH):
                await self._cancel_document_workflow(start)
            else:  # histories before the patch asked an activity holding a client to do it
                await workflow.execute_activity(
                    ActivityName.STOP_DOCUMENT_WORKFLOW,
                    StopWorkflowInput(incoming_workflow_id(start.document_id), start.reason),
                    start_to_close_timeout=timedelta(seconds=30), retry_policy=DB_RETRY)
        workflow.upsert_search_attributes([STAGE.value_set("closed"), OVERDUE.value_set(False)])
        await workflow.wait_condition(workflow.all_handlers_finished)
        return decision.action

    async def _cancel_document_workflow(self, start: RecallInput) -> None:
        """End the received document's own workflow; it closes its open steps and records why."""
        try:
            await workflow.get_external_workflow_handle(incoming_workflow_id(start.document_id)).cancel()
        except FailureError:
            # Already finished (handled, returned) or never started: nothing is left to stop.
            workflow.logger.info("document workflow of %s was not running", start.document_id)
