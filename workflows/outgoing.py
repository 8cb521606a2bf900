"""The outgoing-document lifecycle (văn bản đi) as a durable workflow (QĐ44 Điều 13).

Started when the drafter submits a draft. The steps come from the pinned outgoing process
definition, a small graph (``models.processes.schema.OutgoingStep``):

* ``consult``: the units or agencies the drafter chose give their opinions, in parallel, each
  with its own deadline; skipped when nobody was chosen.
* ``review`` / ``format_check`` / ``approve``: checks that approve or send the draft back with
  comments. A send-back goes to ``return_to``: ``draft`` opens a revision step for the drafter,
  who resubmits, and the reviews start again from the first one; or an earlier review.
* ``sign``: the designated signer signs. The signature is made before the decision reaches
  here (the private key or token never meets the workflow); the decision names the signed file.
* ``issue``: the văn thư issues. Applying that decision numbers the document, writes the number
  and date into the signed file, applies the agency signature and registers it (one activity,
  idempotent on the workflow id), then the document is delivered to its recipients: each
  recipient's intake workflow and each hub delivery starts as a child of this workflow that
  outlives it (patch ``2026-12-04-dispatch-children``; before it, the dispatch activity started
  them through a client).

Protocol: the ``decide`` update and the step queries of ``workflows.human_steps.HumanSteps``.
Search attributes: DocKind, OrgUnit, UrgencyLevel, ProcessKey, ProcessVersion (at start), Stage,
DueAt and Overdue (kept current).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from workflows.contracts import (
        ActivityName,
        DispatchResult,
        IssueInput,
        LoadDefinitionInput,
        OutgoingInput,
        ProcessPlan,
        SendInput,
        StepSpec,
        hub_delivery_workflow_id,
        incoming_workflow_id,
    )
    from workflows.search_attributes import DOC_KIND, OVERDUE, STAGE, document_attributes
    from workflows.summaries import HUB_SEND_SUMMARY, incoming_summary, issued_details
    from workflows.vocabulary import Action, Role

from workflows.human_steps import DB_RETRY, SHORT, HumanStep, HumanSteps

OFFICER, UNIT_LEADER, AGENCY_LEADER = Role.OFFICER, Role.UNIT_LEADER, Role.AGENCY_LEADER
SEND_BACK = Action.SEND_BACK
ISSUE_TIMEOUT = timedelta(minutes=15)
ISSUE_HEARTBEAT = timedelta(minutes=2)
DISPATCH_HEARTBEAT = timedelta(minutes=1)  # dispatch_outgoing beats while it builds the hub packages
REVISE_DAYS = 2
# Patch: the recipients' intake workflows and hub deliveries start as children of this workflow
# (ABANDON) instead of from the dispatch activity through a client.
DISPATCH_CHILDREN_PATCH = "2026-12-04-dispatch-children"
# What each step kind offers; the skeleton is code, who and how long are data.
ACTIONS = {
    "consult": [Action.GIVE_OPINION],
    "review": [Action.APPROVE, SEND_BACK],
    "format_check": [Action.APPROVE, SEND_BACK],
    "approve": [Action.APPROVE, SEND_BACK],
    "sign": [Action.SIGN, SEND_BACK],
    "issue": [Action.ISSUE],
    "revise": [Action.RESUBMIT],
}


@workflow.defn(name="OutgoingDocument")
class OutgoingDocumentWorkflow(HumanSteps):
    """Lifecycle of one outgoing document: consult → review… → sign → issue → deliver."""

    APPLY_DECISION = ActivityName.APPLY_OUTGOING_DECISION

    @workflow.run
    async def run(self, start: OutgoingInput) -> str:
        plan: ProcessPlan = await workflow.execute_activity(
            ActivityName.LOAD_DEFINITION, LoadDefinitionInput(start.process_key, start.process_version),
            result_type=ProcessPlan, start_to_close_timeout=SHORT, retry_policy=DB_RETRY,
        )
        steps = {step.id: step for step in plan.steps}
        first_review = next(step.id for step in plan.steps if step.kind != "consult")
        current = plan.steps[0].id
        while current:
            step = steps[current]
            if step.kind == "consult":
                await self._consult(start, step)
                current = step.next
                continue
            decision, _ = await self._human_step(start, self._step_for(start, step))
            if step.kind == "issue":
                break
            if decision.action != SEND_BACK:
                current = step.next
                continue
            target = step.return_to or "draft"
            if target == "draft":
                await self._human_step(start, HumanStep(
                    "revise", OFFICER, ACTIONS["revise"], REVISE_DAYS, assignee_id=start.drafter_id))
                current = first_review
            else:
                current = target
        workflow.upsert_search_attributes([STAGE.value_set("dispatch")])
        as_children = workflow.patched(DISPATCH_CHILDREN_PATCH)
        dispatched: DispatchResult = await workflow.execute_activity(
            ActivityName.DISPATCH_OUTGOING,
            IssueInput(start.document_id, workflow.info().workflow_id, 0, start_workflows=not as_children),
            result_type=DispatchResult, start_to_close_timeout=timedelta(minutes=2),
            heartbeat_timeout=DISPATCH_HEARTBEAT, retry_policy=DB_RETRY,
        )
        # Shown in the Temporal UI; not a command, so no patch: histories replay unchanged.
        workflow.set_current_details(issued_details(dispatched.code_number, dispatched.code_notation))
        if as_children:
            await self._start_recipients(dispatched)
        workflow.upsert_search_attributes([STAGE.value_set("closed"), OVERDUE.value_set(False)])
        await workflow.wait_condition(workflow.all_handlers_finished)
        return f"issued: {dispatched.delivered} delivered, {dispatched.waiting} waiting"

    async def _start_recipients(self, dispatched: DispatchResult) -> None:
        """The recipients' intake workflows and the hub deliveries, started as children that outlive
        this workflow (ABANDON): the issuing document fans out, each recipient's work is its own."""
        for start in dispatched.intake_starts:
            await _start_child(
                "IncomingDocument", start, incoming_workflow_id(start.document_id),
                document_attributes("incoming", "received", start.agency_code, start.urgency_rank,
                                    start.process_key, start.process_version),
                incoming_summary(start.agency_code))
        for send in dispatched.hub_sends:
            await _start_child("HubDelivery", SendInput(send.outbox_id), hub_delivery_workflow_id(send.outbox_uuid),
                               [SearchAttributePair(DOC_KIND, "hub-send")], HUB_SEND_SUMMARY)

    def _step_for(self, start: OutgoingInput, step: StepSpec) -> HumanStep:
        """Who acts on a review, signing or issuing step."""
        days = step.urgent_working_days if start.urgency_rank > 0 else step.working_days
        if step.kind in ("approve", "sign"):
            return HumanStep(step.kind, AGENCY_LEADER, ACTIONS[step.kind], days, assignee_id=start.signer_id)
        if step.kind in ("review", "format_check", "issue"):
            # A unit head's review is the drafting unit's head (QĐ44 Điều 13.2.a).
            unit = start.drafting_unit_id if step.candidate_role == UNIT_LEADER else None
            if step.kind == "issue":
                # Issuing numbers, fills and seals the file and signs each attachment in one
                # activity, which heartbeats between them: minutes for large attachments.
                return HumanStep(step.kind, step.candidate_role, ACTIONS[step.kind], days, unit_id=unit,
                                 apply_activity=ActivityName.ISSUE_OUTGOING, apply_timeout=ISSUE_TIMEOUT,
                                 apply_heartbeat=ISSUE_HEARTBEAT)
            return HumanStep(step.kind, step.candidate_role, ACTIONS[step.kind], days, unit_id=unit)
        raise ApplicationError(f"unknown step kind {step.kind}", non_retryable=True)

    async def _consult(self, start: OutgoingInput, step: StepSpec) -> None:
        """Ask every chosen unit or agency at once; go on when all have answered."""
        if not start.consultations:
            return
        days = step.urgent_working_days if start.urgency_rank > 0 else step.working_days
        asks = []
        for target in start.consultations:
            if target.agency_id is not None:
                # Another agency: its leaders answer for it.
                human = HumanStep("consult", AGENCY_LEADER, ACTIONS["consult"], days,
                                  due_date=target.due_date, agency_id=target.agency_id)
            else:
                human = HumanStep("consult", UNIT_LEADER, ACTIONS["consult"], days,
                                  due_date=target.due_date, unit_id=target.unit_id)
            asks.append(self._human_step(start, human))
        await asyncio.gather(*asks)


async def _start_child(workflow_type: str, argument, workflow_id: str, attributes: list, summary: str) -> None:
    """Start one child by its business id; one already started (by the reconciler, or a replayed
    start) or already finished is left as it is: one workflow per document, whoever started it."""
    try:
        await workflow.start_child_workflow(
            workflow_type, argument, id=workflow_id, task_queue=workflow.info().task_queue,
            parent_close_policy=ParentClosePolicy.ABANDON, id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=TypedSearchAttributes(attributes), static_summary=summary)
    except WorkflowAlreadyStartedError:
        workflow.logger.info("child %s was already started", workflow_id)
