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

Protocol:
    Update ``decide(DecideInput) -> DecideResult``: the decision on one open human step.
        Its validator rejects (before anything is recorded) a decision for a step that is not
        open, one already decided, or an action the step does not allow.
    Update ``reroute(RerouteInput) -> str``: the leader withdraws a routed unit or hands its part
        to another unit; refused for a unit not being handled, a unit already routed, or a lead
        withdrawn without a successor.
    Query ``open_step() -> str``: the key of one open step (the lead's first), or "".
    Query ``open_steps() -> list[str]``: every open step key.
    Query ``awaiting_decision() -> bool``: whether an open step still waits for a decision.
    Query ``waiting_on(task_key) -> bool``: whether that step is open and undecided.

Search attributes: DocKind, OrgUnit, UrgencyLevel, ProcessKey, ProcessVersion (set at start
by the starter), Stage, DueAt and Overdue (kept current here; no personal data).

Timers: each human step waits until its due time (with a reminder shortly before); when it passes, the task row and the
``Overdue`` attribute are flagged, the unit head and leaders are alerted, and the step keeps
waiting.

Open patches: ``2026-11-26-escalate-overdue`` (alerts on overdue steps; histories recorded
before it flag the task only) and ``2026-11-26-due-reminder`` (a reminder four hours before a
step falls due, for steps longer than eight hours).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows.contracts import (
        ApplyDecisionInput,
        ApplyDecisionResult,
        CloseWorkflowTasksInput,
        DecideInput,
        DecideResult,
        DigitiseInput,
        DueAtInput,
        DueAtResult,
        EscalateInput,
        IncomingInput,
        LoadDefinitionInput,
        OcrScanResult,
        OpenTaskInput,
        ProcessPlan,
        RegisterIncomingInput,
        RerouteInput,
        SignDigitisedResult,
        StepSpec,
        TaskRef,
        VerifySignaturesInput,
        VerifySignaturesResult,
        WithdrawBranchInput,
    )
    from workflows.search_attributes import DUE_AT, OVERDUE, STAGE

SHORT = timedelta(seconds=30)
DB_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30))
ESCALATE_PATCH = "2026-11-26-escalate-overdue"
REMINDER_PATCH = "2026-11-26-due-reminder"
REMINDER_LEAD = timedelta(hours=4)

# Roles and actions of the handling branches (the skeleton is code; durations are data).
UNIT_LEADER, OFFICER, AGENCY_LEADER, CLERK = "lanh_dao_don_vi", "chuyen_vien", "lanh_dao_co_quan", "van_thu"
DOUBTFUL_VERDICTS = {"invalid", "untrusted"}
ACCEPT_DAYS = 0  # registration is due the day of receipt (QĐ44 Điều 10.3)
ASSIGN_DAYS = 1
EXTENSION_DAYS = 1


@dataclass
class HumanStep:
    """What one human step needs besides its kind: who, which actions, and how long."""

    kind: str
    candidate_role: str
    actions: list[str]
    working_days: int
    due_date: str = ""
    unit_id: int | None = None
    assignee_id: int | None = None
    branch_role: str = ""
    # Facts the decision's effect needs that the deciding person does not type again
    # (the extension date an approval grants).
    context: dict[str, str] | None = None
    # The routed unit whose handling branch this step belongs to (closed if it is rerouted).
    branch_unit: int | None = None


@workflow.defn(name="IncomingDocument")
class IncomingDocumentWorkflow:
    """Lifecycle of one incoming document: register → direct → handle → close."""

    def __init__(self) -> None:
        # Handlers may run before run() starts: every piece of state exists from here.
        self._open: dict[str, list[str]] = {}  # task key -> allowed actions
        self._decisions: dict[str, DecideInput] = {}
        self._applied: dict[str, str] = {}  # task key -> document status after applying
        self._overdue: set[str] = set()
        self._round = 0
        self._branches: dict[int, asyncio.Task] = {}  # routed unit -> its handling branch
        self._branch_keys: dict[int, set[str]] = {}
        self._lead_unit = 0
        self._reroutes: list[RerouteInput] = []
        self._rerouted: set[str] = set()

    @workflow.run
    async def run(self, start: IncomingInput) -> str:
        plan: ProcessPlan = await workflow.execute_activity(
            "load_definition",
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
                    "verify_signatures", VerifySignaturesInput(start.document_id),
                    result_type=VerifySignaturesResult,
                    # pyHanko needs tens of milliseconds a signature; a large file, seconds.
                    start_to_close_timeout=timedelta(minutes=2), retry_policy=DB_RETRY,
                )
                if check.verdict in DOUBTFUL_VERDICTS:
                    # QĐ44 Điều 10.1.b: the văn thư decides whether to accept it for reference
                    # or return it to the sender with a reason.
                    decision, status = await self._human_step(start, HumanStep(
                        "accept", CLERK, ["tiep_nhan", "tra_lai"], ACCEPT_DAYS))
                    if decision.action == "tra_lai":
                        break
            elif step.kind == "register":
                workflow.upsert_search_attributes([STAGE.value_set("register")])
                await workflow.execute_activity(
                    "register_incoming",
                    RegisterIncomingInput(start.document_id, workflow.info().workflow_id),
                    start_to_close_timeout=SHORT,
                    retry_policy=DB_RETRY,
                )
            elif step.kind == "direct":
                direction, status = await self._human_step(start, HumanStep(
                    step.kind, step.candidate_role, list(step.actions), self._days(start, step)))
            elif step.kind == "handle":
                if direction is None or direction.action != "giao_xu_ly":
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
                    "ocr_scan", DigitiseInput(start.document_id), result_type=OcrScanResult,
                    # About 1.2 s a page on two cores; the heartbeat proves a long scan is alive.
                    start_to_close_timeout=timedelta(minutes=30), heartbeat_timeout=timedelta(minutes=2),
                    retry_policy=RetryPolicy(maximum_attempts=3),
                )
                await workflow.execute_activity(
                    "sign_digitised", DigitiseInput(start.document_id), result_type=SignDigitisedResult,
                    start_to_close_timeout=timedelta(minutes=2), retry_policy=DB_RETRY,
                )
                return True
            except ActivityError:
                decision, _ = await self._human_step(start, HumanStep(
                    "quarantine", CLERK, ["thu_lai", "tra_lai"], ACCEPT_DAYS))
                if decision.action == "tra_lai":
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
                "close_workflow_tasks",
                CloseWorkflowTasksInput(start.document_id, workflow.info().workflow_id),
                start_to_close_timeout=SHORT, retry_policy=DB_RETRY,
            )
            for task in unfinished:
                task.cancel()
            await asyncio.gather(*unfinished, return_exceptions=True)
            self._open.clear()
        return status

    async def _apply_reroute(self, start: IncomingInput, change: RerouteInput, due_date: str, days: int) -> None:
        """Cancel one unit's branch and, when a new unit is named, start its branch instead."""
        branch = self._branches.pop(change.unit_id)
        branch.cancel()
        await asyncio.gather(branch, return_exceptions=True)
        keys = sorted(self._branch_keys.pop(change.unit_id, set()))
        for key in keys:
            self._open.pop(key, None)
            self._overdue.discard(key)
        role = "chu_tri" if change.unit_id == self._lead_unit else "phoi_hop"
        await workflow.execute_activity(
            "withdraw_branch",
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
            "assign", UNIT_LEADER, ["phan_cong"], ASSIGN_DAYS, unit_id=unit_id, branch_role=role,
            branch_unit=unit_id))
        handler_id = int(assignment.fields["handler_id"])
        handler_due = assignment.fields.get("due_date") or due_date
        finish = "hoan_thanh" if role == "chu_tri" else "gui_y_kien"
        while True:
            decision, status = await self._human_step(start, HumanStep(
                "handle", OFFICER, [finish, "xin_gia_han"], days, due_date=handler_due,
                unit_id=unit_id, assignee_id=handler_id, branch_role=role, branch_unit=unit_id))
            if decision.action != "xin_gia_han":
                return status
            verdict, _ = await self._human_step(start, HumanStep(
                "extension", AGENCY_LEADER, ["dong_y_gia_han", "tu_choi_gia_han"], EXTENSION_DAYS,
                unit_id=None, branch_role=role, branch_unit=unit_id,
                context={"new_due_date": decision.fields["new_due_date"],
                         "handler_id": str(handler_id), "unit_id": str(unit_id)}))
            if verdict.action == "dong_y_gia_han":
                handler_due = decision.fields["new_due_date"]

    async def _human_step(self, start: IncomingInput, step: HumanStep) -> tuple[DecideInput, str]:
        """Project a task, wait for the decision with a deadline timer, apply it.

        1. Compute the due time (an activity: the calendar is data).
        2. Open the task row (idempotent on workflow id + task key).
        3. Wait for ``decide``; when the due time passes first, flag Overdue, alert, keep waiting.
        4. Apply the decision in one activity (closes the row, updates the document, audits).
        """
        self._round += 1
        key = f"{step.kind}:{self._round}"
        due = await workflow.execute_activity(
            "compute_due_at", DueAtInput(workflow.now(), step.working_days, step.due_date),
            result_type=DueAtResult, start_to_close_timeout=SHORT, retry_policy=DB_RETRY,
        )
        due_at = due.due_at
        # Open for decisions before the row exists: someone may act the moment the inbox shows it.
        self._open[key] = list(step.actions)
        if step.branch_unit is not None:
            self._branch_keys.setdefault(step.branch_unit, set()).add(key)
        await workflow.execute_activity(
            "open_task",
            OpenTaskInput(
                workflow_id=workflow.info().workflow_id, task_key=key,
                document_id=start.document_id, step=step.kind, agency_id=start.agency_id,
                candidate_role=step.candidate_role, actions=list(step.actions),
                urgency_rank=start.urgency_rank, due_at=due_at, unit_id=step.unit_id,
                assignee_id=step.assignee_id,
            ),
            start_to_close_timeout=SHORT, retry_policy=DB_RETRY,
        )
        workflow.upsert_search_attributes(
            [STAGE.value_set(step.kind), DUE_AT.value_set(due_at), OVERDUE.value_set(bool(self._overdue))]
        )

        overdue = False
        # Remind only when the step is long enough for a reminder to mean something.
        remind = (due_at - workflow.now()) > 2 * REMINDER_LEAD and workflow.patched(REMINDER_PATCH)
        while key not in self._decisions:
            remaining = (due_at - workflow.now()).total_seconds()
            if overdue or remaining <= 0:
                if not overdue:
                    overdue = True
                    await self._flag_overdue(start.document_id, key, step)
                await workflow.wait_condition(lambda: key in self._decisions)
                break
            wake = remaining
            if remind:
                until_reminder = remaining - REMINDER_LEAD.total_seconds()
                if until_reminder <= 0:
                    remind = False
                    await workflow.execute_activity(
                        "send_reminder", TaskRef(workflow.info().workflow_id, key, start.document_id),
                        start_to_close_timeout=SHORT, retry_policy=DB_RETRY,
                    )
                    continue
                wake = until_reminder
            try:
                await workflow.wait_condition(lambda: key in self._decisions, timeout=timedelta(seconds=wake))
            except TimeoutError:
                continue

        decision = self._decisions[key]
        result = await workflow.execute_activity(
            "apply_decision",
            ApplyDecisionInput(
                document_id=start.document_id, workflow_id=workflow.info().workflow_id,
                task_key=key, step=step.kind, action=decision.action,
                actor_id=decision.actor_id, fields={**(step.context or {}), **decision.fields},
                unit_id=step.unit_id, branch_role=step.branch_role,
            ),
            result_type=ApplyDecisionResult, start_to_close_timeout=SHORT, retry_policy=DB_RETRY,
        )
        self._open.pop(key, None)
        self._overdue.discard(key)
        self._applied[key] = result.document_status
        workflow.upsert_search_attributes([OVERDUE.value_set(bool(self._overdue))])
        return decision, result.document_status

    async def _flag_overdue(self, document_id: str, key: str, step: HumanStep) -> None:
        self._overdue.add(key)
        workflow.upsert_search_attributes([OVERDUE.value_set(True)])
        await workflow.execute_activity(
            "mark_task_overdue", TaskRef(workflow.info().workflow_id, key, document_id),
            start_to_close_timeout=SHORT, retry_policy=DB_RETRY,
        )
        if workflow.patched(ESCALATE_PATCH):
            await workflow.execute_activity(
                "escalate_overdue",
                EscalateInput(document_id, workflow.info().workflow_id, key, step.kind, step.unit_id),
                start_to_close_timeout=SHORT, retry_policy=DB_RETRY,
            )

    @workflow.update
    async def decide(self, command: DecideInput) -> DecideResult:
        """Record the decision, then answer once it has been applied to the database."""
        self._decisions[command.task_key] = command
        await workflow.wait_condition(lambda: command.task_key in self._applied)
        return DecideResult(command.task_key, command.action, self._applied[command.task_key])

    @decide.validator
    def _validate_decide(self, command: DecideInput) -> None:
        """Reject stale or impossible decisions; who may act was checked by the web layer."""
        if command.task_key not in self._open:
            raise ApplicationError("task_not_open", type="task_not_open")
        if command.task_key in self._decisions:
            raise ApplicationError("task_already_decided", type="task_already_decided")
        if command.action not in self._open[command.task_key]:
            raise ApplicationError("action_not_allowed", type="action_not_allowed")

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

    @workflow.query
    def open_step(self) -> str:
        """Return the key of one open human step, or "" when none is open."""
        return next(iter(self._open), "")

    @workflow.query
    def open_steps(self) -> list[str]:
        """Return every open step key."""
        return list(self._open)

    @workflow.query
    def waiting_on(self, task_key: str) -> bool:
        """True while the step ``task_key`` is open and has no decision (the reconciler's question)."""
        return task_key in self._open and task_key not in self._decisions

    @workflow.query
    def awaiting_decision(self) -> bool:
        """True while an open step still waits for a decision."""
        return any(key not in self._decisions for key in self._open)
