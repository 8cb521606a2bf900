"""The incoming-document lifecycle (văn bản đến) as a durable workflow.

Protocol:
    Update ``decide(DecideInput) -> DecideResult``: the decision on the open human step.
        Its validator rejects (before anything is recorded) a decision for a task that is not
        the open one, one already decided, or an action the step does not allow.
    Query ``open_step() -> str``: the open task key, or "" (for diagnostics).
    Query ``awaiting_decision() -> bool``: whether the open step still waits for a decision.

Search attributes: DocKind, OrgUnit, UrgencyLevel, ProcessKey, ProcessVersion (set at start
by the starter), Stage, DueAt and Overdue (kept current here).

Timers: each human step waits until its due time; when it passes, the task row and the
``Overdue`` attribute are flagged and the step keeps waiting.

Open patches: none.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows.contracts import (
        ApplyDecisionInput,
        ApplyDecisionResult,
        DecideInput,
        DecideResult,
        DueAtInput,
        DueAtResult,
        IncomingInput,
        LoadDefinitionInput,
        OpenTaskInput,
        ProcessPlan,
        RegisterIncomingInput,
        StepSpec,
        TaskRef,
    )
    from workflows.search_attributes import DUE_AT, OVERDUE, STAGE

SHORT = timedelta(seconds=30)
DB_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30))


@workflow.defn(name="IncomingDocument")
class IncomingDocumentWorkflow:
    """Lifecycle of one incoming document: register → direct → (handling, issue 3) → close."""

    def __init__(self) -> None:
        # Handlers may run before run() starts: every piece of state exists from here.
        self._open_key = ""
        self._open_actions: list[str] = []
        self._decision: DecideInput | None = None
        self._applied_status = ""
        self._round = 0

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
        for step in plan.steps:
            if step.kind == "register":
                workflow.upsert_search_attributes([STAGE.value_set("register")])
                await workflow.execute_activity(
                    "register_incoming",
                    RegisterIncomingInput(start.document_id, workflow.info().workflow_id),
                    start_to_close_timeout=SHORT,
                    retry_policy=DB_RETRY,
                )
            elif step.kind == "direct":
                status = await self._human_step(start, step)
            else:
                raise ApplicationError(f"unknown step kind {step.kind}", non_retryable=True)
        workflow.upsert_search_attributes([STAGE.value_set("closed"), OVERDUE.value_set(False)])
        await workflow.wait_condition(workflow.all_handlers_finished)
        return status

    async def _human_step(self, start: IncomingInput, step: StepSpec) -> str:
        """Project a task, wait for the decision with a deadline timer, apply it.

        1. Compute the due time in working days (an activity: the calendar is data).
        2. Open the task row (idempotent on workflow id + task key).
        3. Wait for ``decide``; when the due time passes first, flag Overdue and keep waiting.
        4. Apply the decision in one activity (closes the row, updates the document, audits).
        """
        self._round += 1
        key = f"{step.kind}:{self._round}"
        days = step.urgent_working_days if start.urgency_rank > 0 else step.working_days
        due = await workflow.execute_activity(
            "compute_due_at", DueAtInput(workflow.now(), days),
            result_type=DueAtResult, start_to_close_timeout=SHORT, retry_policy=DB_RETRY,
        )
        due_at = due.due_at
        await workflow.execute_activity(
            "open_task",
            OpenTaskInput(
                workflow_id=workflow.info().workflow_id, task_key=key,
                document_id=start.document_id, step=step.kind, agency_id=start.agency_id,
                candidate_role=step.candidate_role, actions=list(step.actions),
                urgency_rank=start.urgency_rank, due_at=due_at,
            ),
            start_to_close_timeout=SHORT, retry_policy=DB_RETRY,
        )
        self._open_key, self._open_actions, self._decision = key, list(step.actions), None
        workflow.upsert_search_attributes(
            [STAGE.value_set(step.kind), DUE_AT.value_set(due_at), OVERDUE.value_set(False)]
        )

        overdue = False
        while self._decision is None:
            remaining = (due_at - workflow.now()).total_seconds()
            if overdue or remaining <= 0:
                if not overdue:
                    overdue = True
                    await self._flag_overdue(start.document_id, key)
                await workflow.wait_condition(lambda: self._decision is not None)
                break
            try:
                await workflow.wait_condition(
                    lambda: self._decision is not None, timeout=timedelta(seconds=remaining)
                )
            except TimeoutError:
                continue

        decision = self._decision
        result = await workflow.execute_activity(
            "apply_decision",
            ApplyDecisionInput(
                document_id=start.document_id, workflow_id=workflow.info().workflow_id,
                task_key=key, step=step.kind, action=decision.action,
                actor_id=decision.actor_id, fields=dict(decision.fields),
            ),
            result_type=ApplyDecisionResult, start_to_close_timeout=SHORT, retry_policy=DB_RETRY,
        )
        self._open_key, self._open_actions = "", []
        self._applied_status = result.document_status
        workflow.upsert_search_attributes([OVERDUE.value_set(False)])
        return self._applied_status

    async def _flag_overdue(self, document_id: str, key: str) -> None:
        workflow.upsert_search_attributes([OVERDUE.value_set(True)])
        await workflow.execute_activity(
            "mark_task_overdue", TaskRef(workflow.info().workflow_id, key, document_id),
            start_to_close_timeout=SHORT, retry_policy=DB_RETRY,
        )

    @workflow.update
    async def decide(self, command: DecideInput) -> DecideResult:
        """Record the decision, then answer once it has been applied to the database."""
        self._decision = command
        self._applied_status = ""
        await workflow.wait_condition(lambda: self._applied_status != "")
        return DecideResult(command.task_key, command.action, self._applied_status)

    @decide.validator
    def _validate_decide(self, command: DecideInput) -> None:
        """Reject stale or impossible decisions; who may act was checked by the web layer."""
        if not self._open_key or command.task_key != self._open_key:
            raise ApplicationError("task_not_open", type="task_not_open")
        if self._decision is not None:
            raise ApplicationError("task_already_decided", type="task_already_decided")
        if command.action not in self._open_actions:
            raise ApplicationError("action_not_allowed", type="action_not_allowed")

    @workflow.query
    def open_step(self) -> str:
        """Return the key of the open human step, or "" when none is open."""
        return self._open_key

    @workflow.query
    def awaiting_decision(self) -> bool:
        """True while the open step has no decision yet (the reconciler's question)."""
        return bool(self._open_key) and self._decision is None
