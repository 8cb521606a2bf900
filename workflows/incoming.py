"""The incoming-document lifecycle (văn bản đến) as a durable workflow.

A paper document (``source == "paper"``) is first digitised: OCR, then the agency signature;
a scan that cannot be processed waits in quarantine for the văn thư to retry or return it.
Then the steps come from the pinned process definition: ``verify_signature`` (every PDF signature is
checked and the verdict stored before acceptance, QĐ44 Điều 10.1; a tampered or untrusted file
waits for the văn thư to accept it for reference or return it with a reason), ``register`` (số đến), ``direct`` (the agency
leader's direction) and ``handle`` (one branch per unit the leader routed the document to: the
unit head assigns a handler, the handler finishes or asks for more time, the agency leader
grants or refuses extensions). The lead (chủ trì) branch's result closes the document;
cooperating (phối hợp) branches still open then are cancelled.

Protocol: the ``decide`` update and the step queries of ``workflows.human_steps.HumanSteps``
(whose docstring also describes the deadline timers and their patches), plus:
    Open patch ``2026-11-26-accept-received``: a document another agency sent (source
    ``internal`` or ``hub``) with a valid signature waits for the văn thư to register
    (``vao_so``) or return it (``tra_lai``); before it, such documents were registered at once.
    Update ``reroute(RerouteInput) -> str``: the leader withdraws a routed unit or hands its part
        to another unit; refused for a unit not being handled, a unit already routed, or a lead
        withdrawn without a successor.

Search attributes: DocKind, OrgUnit, UrgencyLevel, ProcessKey, ProcessVersion (set at start
by the starter), Stage, DueAt and Overdue (kept current here; no personal data).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows.contracts import (
        ActivityName,
        CloseWorkflowTasksInput,
        DecideInput,
        IncomingInput,
        LoadDefinitionInput,
        ProcessPlan,
        RegisterIncomingInput,
        RegisterIncomingResult,
        RerouteInput,
        StepSpec,
        VerifySignaturesInput,
        VerifySignaturesResult,
        WithdrawBranchInput,
    )
    from workflows.digitise_contracts import DigitiseInput, OcrScanResult, SignDigitisedResult

    # Passed through too: the human-step machinery reads no clock and does no I/O (it uses
    # workflow.now() and activities), and re-importing it in every workflow's sandbox (compiling
    # it and building its dataclasses) cost more than a whole activity of the intake.
    from workflows.human_steps import DB_RETRY, SHORT, HumanStep, HumanSteps
    from workflows.search_attributes import OVERDUE, STAGE
    from workflows.summaries import registered_details
    from workflows.vocabulary import Action, Role

# Roles and actions of the handling branches (the skeleton is code; durations are data).
UNIT_LEADER, OFFICER, AGENCY_LEADER, CLERK = Role.UNIT_LEADER, Role.OFFICER, Role.AGENCY_LEADER, Role.CLERK
DOUBTFUL_VERDICTS = {"invalid", "untrusted"}
# Documents another agency sent, rather than ones the văn thư brought in: they wait for the văn
# thư to register or return them. Behind a patch: histories before it registered them at once.
RECEIVED_SOURCES = {"internal", "hub"}
ACCEPT_RECEIVED_PATCH = "2026-11-26-accept-received"
# A long single call (pyHanko) heartbeats from a background thread (activities.cancellation).
LONG_CALL_HEARTBEAT = timedelta(minutes=1)
ACCEPT_DAYS = 0  # registration is due the day of receipt (QĐ44 Điều 10.3)
ASSIGN_DAYS = 1
EXTENSION_DAYS = 1


@workflow.defn(name="IncomingDocument")
class IncomingDocumentWorkflow(HumanSteps):
    """Lifecycle of one incoming document: register → direct → handle → close."""

    def __init__(self) -> None:
        super().__init__()
        self._branches: dict[int, asyncio.Task] = {}  # routed unit -> its handling branch
        self._lead_unit = 0
        self._reroutes: list[RerouteInput] = []
        self._rerouted: set[str] = set()

    @workflow.run
    async def run(self, start: IncomingInput) -> str:
        try:
            return await self._lifecycle(start)
        except asyncio.CancelledError:
            # Cancelled (a recall the recipient agreed to, or an operator in the Temporal UI): the
            # steps still open must leave the inbox, and the history must say why. Shielded, so a
            # second cancellation cannot cut the cleanup short; then the cancellation stands.
            await asyncio.shield(asyncio.ensure_future(workflow.execute_activity(
                ActivityName.CLOSE_WORKFLOW_TASKS,
                CloseWorkflowTasksInput(start.document_id, workflow.info().workflow_id,
                                        reason="Quy trình xử lý văn bản bị hủy (thu hồi hoặc quản trị viên dừng)"),
                start_to_close_timeout=SHORT, retry_policy=DB_RETRY)))
            raise

    async def _lifecycle(self, start: IncomingInput) -> str:
        plan: ProcessPlan = await workflow.execute_activity(
            ActivityName.LOAD_DEFINITION,
            LoadDefinitionInput(start.process_key, start.process_version),
            result_type=ProcessPlan,
            start_to_close_timeout=SHORT,
            retry_policy=DB_RETRY,
        )
        status = ""
        direction: DecideInput | None = None
        if start.source == "paper" and not await self._digitise(start):
            workflow.upsert_search_attributes([STAGE.value_set("closed"), OVERDUE.value_set(False)])
            await workflow.wait_condition(workflow.all_handlers_finished)
            return "returned"
        for step in plan.steps:
            if step.kind == "verify_signature":
                workflow.upsert_search_attributes([STAGE.value_set("verify")])
                check = await workflow.execute_activity(
                    ActivityName.VERIFY_SIGNATURES, VerifySignaturesInput(start.document_id),
                    result_type=VerifySignaturesResult,
                    # pyHanko needs tens of milliseconds a signature; a large file, seconds. The
                    # heartbeat lets a stopped worker's attempt be retried within a minute.
                    start_to_close_timeout=timedelta(minutes=2), heartbeat_timeout=LONG_CALL_HEARTBEAT,
                    retry_policy=DB_RETRY,
                )
                if check.verdict in DOUBTFUL_VERDICTS:
                    # QĐ44 Điều 10.1.b: the văn thư decides whether to accept it for reference
                    # or return it to the sender with a reason.
                    decision, status = await self._human_step(start, HumanStep(
                        "accept", CLERK, [Action.ACCEPT_FOR_REFERENCE, Action.RETURN_TO_SENDER], ACCEPT_DAYS))
                    if decision.action == Action.RETURN_TO_SENDER:
                        break
                elif start.source in RECEIVED_SOURCES and workflow.patched(ACCEPT_RECEIVED_PATCH):
                    # Sent by another agency (inside the installation or through the hub): the văn
                    # thư registers it or returns it (wrong recipient, other reason), QĐ44 Điều 10.1.b.
                    decision, status = await self._human_step(start, HumanStep(
                        "accept", CLERK, [Action.REGISTER, Action.RETURN_TO_SENDER], ACCEPT_DAYS))
                    if decision.action == Action.RETURN_TO_SENDER:
                        break
            elif step.kind == "register":
                workflow.upsert_search_attributes([STAGE.value_set("register")])
                registered = await workflow.execute_activity(
                    ActivityName.REGISTER_INCOMING,
                    RegisterIncomingInput(start.document_id, workflow.info().workflow_id),
                    result_type=RegisterIncomingResult,
                    start_to_close_timeout=SHORT,
                    retry_policy=DB_RETRY,
                )
                # Shown in the Temporal UI; not a command, so no patch: histories replay unchanged.
                workflow.set_current_details(registered_details(
                    registered.arrival_number, registered.year, registered.code_number, registered.code_notation))
            elif step.kind == "direct":
                direction, status = await self._human_step(start, HumanStep(
                    step.kind, step.candidate_role, list(step.actions), self._days(start, step)))
            elif step.kind == "handle":
                if direction is None or direction.action != Action.DIRECT:
                    continue  # filed for reference: nothing to handle
                status = await self._handle(start, step, direction)
            else:
                raise ApplicationError(f"unknown step kind {step.kind}", non_retryable=True)
        workflow.upsert_search_attributes([STAGE.value_set("closed"), OVERDUE.value_set(False)])
        await workflow.wait_condition(workflow.all_handlers_finished)
        return status

    async def _digitise(self, start: IncomingInput) -> bool:
        """OCR the scan, then apply the agency signature (QĐ44 Điều 10.2; OCR before signing).

        A scan that cannot be processed is quarantined: the văn thư retries it (after fixing
        what the message says) or returns it. Returns False when it was returned.
        """
        workflow.upsert_search_attributes([STAGE.value_set("digitise")])
        while True:
            try:
                await workflow.execute_activity(
                    ActivityName.OCR_SCAN, DigitiseInput(start.document_id), result_type=OcrScanResult,
                    # About 1.2 s a page on two cores; the heartbeat proves a long scan is alive.
                    start_to_close_timeout=timedelta(minutes=30), heartbeat_timeout=timedelta(minutes=2),
                    retry_policy=RetryPolicy(maximum_attempts=3),
                )
                await workflow.execute_activity(
                    ActivityName.SIGN_DIGITISED, DigitiseInput(start.document_id), result_type=SignDigitisedResult,
                    start_to_close_timeout=timedelta(minutes=2), heartbeat_timeout=LONG_CALL_HEARTBEAT,
                    retry_policy=DB_RETRY,
                )
                return True
            except ActivityError:
                decision, _ = await self._human_step(start, HumanStep(
                    "quarantine", CLERK, [Action.RETRY_DIGITISING, Action.RETURN_TO_SENDER], ACCEPT_DAYS))
                if decision.action == Action.RETURN_TO_SENDER:
                    return False

    @staticmethod
    def _days(start: IncomingInput, step: StepSpec) -> int:
        return step.urgent_working_days if start.urgency_rank > 0 else step.working_days

    async def _handle(self, start: IncomingInput, step: StepSpec, direction: DecideInput) -> str:
        """Run one branch per routed unit; the lead branch's result closes the document.

        The leader may withdraw a unit or hand its part to another (``reroute``) while branches
        run: the branch is cancelled, its open steps closed, and a new branch started.
        """
        workflow.upsert_search_attributes([STAGE.value_set("handle")])
        self._lead_unit = int(direction.fields["lead_unit_id"])
        cooperating = [int(u) for u in direction.fields.get("cooperating_unit_ids", "").split(",")
                       if u and int(u) != self._lead_unit]
        due_date = direction.fields.get("due_date", "")
        days = self._days(start, step)
        # The lead's branch is created first so it opens the first step (the recorded order).
        for unit, role in [(self._lead_unit, "chu_tri")] + [(u, "phoi_hop") for u in cooperating]:
            self._branches[unit] = asyncio.ensure_future(self._branch(start, unit, role, due_date, days))
        while True:
            await workflow.wait_condition(
                lambda: self._branches[self._lead_unit].done() or bool(self._reroutes))
            if not self._reroutes:
                break
            await self._apply_reroute(start, self._reroutes.pop(0), due_date, days)
        status = self._branches[self._lead_unit].result()
        # Inputs still missing when the lead finished are no longer needed.
        unfinished = [task for task in self._branches.values() if not task.done()]
        if unfinished:
            await workflow.execute_activity(
                ActivityName.CLOSE_WORKFLOW_TASKS,
                CloseWorkflowTasksInput(start.document_id, workflow.info().workflow_id),
                start_to_close_timeout=SHORT, retry_policy=DB_RETRY,
            )
            for task in unfinished:
                task.cancel()
            await asyncio.gather(*unfinished, return_exceptions=True)
            for key in list(self._open):
                self._forget_step(key)
        return status

    async def _apply_reroute(self, start: IncomingInput, change: RerouteInput, due_date: str, days: int) -> None:
        """Cancel one unit's branch and, when a new unit is named, start its branch instead."""
        branch = self._branches.pop(change.unit_id)
        branch.cancel()
        await asyncio.gather(branch, return_exceptions=True)
        keys = sorted(self._branch_keys.pop(change.unit_id, set()))
        for key in keys:
            self._forget_step(key)
        role = "chu_tri" if change.unit_id == self._lead_unit else "phoi_hop"
        await workflow.execute_activity(
            ActivityName.WITHDRAW_BRANCH,
            WithdrawBranchInput(start.document_id, workflow.info().workflow_id, keys, change.unit_id,
                                change.new_unit_id, role, change.actor_id, change.reason),
            start_to_close_timeout=SHORT, retry_policy=DB_RETRY,
        )
        if change.new_unit_id is not None:
            self._branches[change.new_unit_id] = asyncio.ensure_future(
                self._branch(start, change.new_unit_id, role, due_date, days))
            if role == "chu_tri":
                self._lead_unit = change.new_unit_id
        self._rerouted.add(change.request_id)

    async def _branch(self, start: IncomingInput, unit_id: int, role: str, due_date: str, days: int) -> str:
        """Unit head assigns a handler; the handler finishes, or asks for and may get more time."""
        assignment, _ = await self._human_step(start, HumanStep(
            "assign", UNIT_LEADER, [Action.ASSIGN], ASSIGN_DAYS, unit_id=unit_id, branch_role=role,
            branch_unit=unit_id))
        handler_id = int(assignment.fields["handler_id"])
        handler_due = assignment.fields.get("due_date") or due_date
        finish = Action.FINISH if role == "chu_tri" else Action.SEND_OPINION
        while True:
            decision, status = await self._human_step(start, HumanStep(
                "handle", OFFICER, [finish, Action.ASK_EXTENSION], days, due_date=handler_due,
                unit_id=unit_id, assignee_id=handler_id, branch_role=role, branch_unit=unit_id))
            if decision.action != Action.ASK_EXTENSION:
                return status
            verdict, _ = await self._human_step(start, HumanStep(
                "extension", AGENCY_LEADER, [Action.GRANT_EXTENSION, Action.REFUSE_EXTENSION], EXTENSION_DAYS,
                unit_id=None, branch_role=role, branch_unit=unit_id,
                context={"new_due_date": decision.fields["new_due_date"],
                         "handler_id": str(handler_id), "unit_id": str(unit_id)}))
            if verdict.action == Action.GRANT_EXTENSION:
                handler_due = decision.fields["new_due_date"]

    @workflow.update
    async def reroute(self, change: RerouteInput) -> str:
        """Withdraw a routed unit, or hand its part to another unit; answers once applied."""
        self._reroutes.append(change)
        await workflow.wait_condition(lambda: change.request_id in self._rerouted)
        return "rerouted"

    @reroute.validator
    def _validate_reroute(self, change: RerouteInput) -> None:
        """Only a running branch can be changed; the lead can be handed over, not just withdrawn."""
        running = {unit for unit, task in self._branches.items() if not task.done()}
        if change.unit_id not in running:
            raise ApplicationError("unit_not_routed", type="unit_not_routed")
        if change.new_unit_id is not None and change.new_unit_id in self._branches:
            raise ApplicationError("unit_already_routed", type="unit_already_routed")
        if change.unit_id == self._lead_unit and change.new_unit_id is None:
            raise ApplicationError("lead_needs_successor", type="lead_needs_successor")
