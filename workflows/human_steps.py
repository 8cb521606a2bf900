"""Human steps shared by the document workflows: a task row, a deadline timer, a decision.

``HumanSteps`` is the base class of ``IncomingDocumentWorkflow`` and ``OutgoingDocumentWorkflow``.
It owns the protocol the inbox speaks to every document workflow:

    Update ``decide(DecideInput) -> DecideResult``: the decision on one open human step.
        Its validator rejects (before anything is recorded) a decision for a step that is not
        open, one already decided, or an action the step does not allow.
    Query ``open_step() -> str``: the key of one open step, or "".
    Query ``open_steps() -> list[str]``: every open step key.
    Query ``awaiting_decision() -> bool``: whether an open step still waits for a decision.
    Query ``waiting_on(task_key) -> bool``: whether that step is open and undecided.

Timers: each human step waits until its due time (with a reminder shortly before); when it
passes, the task row and the ``Overdue`` attribute are flagged, the unit head and leaders are
alerted, and the step keeps waiting.

Open patches: ``2026-11-26-escalate-overdue`` (alerts on overdue steps; histories recorded
before it flag the task only), ``2026-11-26-due-reminder`` (a reminder four hours before a
step falls due, for steps longer than eight hours) and ``2026-12-03-earliest-due`` (``Stage`` and
``DueAt`` describe the open step that falls due first, also when a step closes while others run;
before it they described the step opened last).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows.contracts import (
        ActivityName,
        ApplyDecisionInput,
        ApplyDecisionResult,
        DecideInput,
        DecideResult,
        DueAtInput,
        DueAtResult,
        EscalateInput,
        OpenTaskInput,
        TaskRef,
    )
    from workflows.search_attributes import DUE_AT, OVERDUE, STAGE
    from workflows.vocabulary import Action

# The decision fields the workflow itself reads, and their form ("id": a positive integer,
# "ids": comma-separated ones, "date": YYYY-MM-DD; "?" when it may be empty or absent). The update
# validator refuses a malformed value to the caller, so it never reaches history, whoever calls.
FIELDS_THE_WORKFLOW_READS: dict[str, dict[str, str]] = {
    Action.DIRECT: {"lead_unit_id": "id", "cooperating_unit_ids": "ids?", "due_date": "date?"},
    Action.ASSIGN: {"handler_id": "id", "due_date": "date?"},
    Action.ASK_EXTENSION: {"new_due_date": "date"},
    Action.NAME_LEAD: {"handler_id": "id"},
}

SHORT = timedelta(seconds=30)
DB_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30))
ESCALATE_PATCH = "2026-11-26-escalate-overdue"
REMINDER_PATCH = "2026-11-26-due-reminder"
EARLIEST_DUE_PATCH = "2026-12-03-earliest-due"
REMINDER_LEAD = timedelta(hours=4)


class DocumentStart(Protocol):
    """What a human step needs from a workflow's start input."""

    document_id: str
    agency_id: int
    urgency_rank: int


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
    # The agency whose people act, when not the document's own (a consulted agency).
    agency_id: int | None = None
    # The activity that applies the decision, when not the workflow's usual one (issuing).
    apply_activity: str = ""
    # How long applying may take, and how often it must prove it is alive, when it is long work
    # (issuing signs and seals the file and its attachments); a database write takes SHORT.
    apply_timeout: timedelta = timedelta(seconds=30)
    apply_heartbeat: timedelta | None = None
    # What the step is about when it is not the start's document: a hồ sơ or a Danh mục hồ sơ.
    record_id: int | None = None
    record_plan_id: int | None = None
    work_assignment_id: int | None = None  # or work assigned without a document (giao việc)
    schedule_id: int | None = None  # or a weekly work schedule


class HumanSteps:
    """Human-step machinery; subclasses name the activity that applies their decisions."""

    APPLY_DECISION = ActivityName.APPLY_DECISION

    def __init__(self) -> None:
        # Handlers may run before run() starts: every piece of state exists from here.
        self._open: dict[str, list[str]] = {}  # task key -> allowed actions
        self._decisions: dict[str, DecideInput] = {}
        self._applied: dict[str, str] = {}  # task key -> document status after applying
        self._overdue: set[str] = set()
        self._round = 0
        self._branch_keys: dict[int, set[str]] = {}
        self._due_at: dict[str, datetime] = {}  # open step key -> its due time
        self._kind_of: dict[str, str] = {}  # open step key -> its kind (the Stage it shows)

    async def _human_step(self, start: DocumentStart, step: HumanStep) -> tuple[DecideInput, str]:
        """Project a task, wait for the decision with a deadline timer, apply it.

        1. Compute the due time (an activity: the calendar is data).
        2. Open the task row (idempotent on workflow id + task key).
        3. Wait for ``decide``; when the due time passes first, flag Overdue, alert, keep waiting.
        4. Apply the decision in one activity (closes the row, updates the document, audits).
        """
        self._round += 1
        key = f"{step.kind}:{self._round}"
        due = await workflow.execute_activity(
            ActivityName.COMPUTE_DUE_AT, DueAtInput(workflow.now(), step.working_days, step.due_date),
            result_type=DueAtResult, start_to_close_timeout=SHORT, retry_policy=DB_RETRY,
        )
        due_at = due.due_at
        # Open for decisions before the row exists: someone may act the moment the inbox shows it.
        self._open[key] = list(step.actions)
        if step.branch_unit is not None:
            self._branch_keys.setdefault(step.branch_unit, set()).add(key)
        await workflow.execute_activity(
            ActivityName.OPEN_TASK,
            OpenTaskInput(
                workflow_id=workflow.info().workflow_id, task_key=key,
                document_id=start.document_id, step=step.kind,
                agency_id=step.agency_id if step.agency_id is not None else start.agency_id,
                candidate_role=step.candidate_role, actions=list(step.actions),
                urgency_rank=start.urgency_rank, due_at=due_at, unit_id=step.unit_id,
                assignee_id=step.assignee_id, record_id=step.record_id, record_plan_id=step.record_plan_id,
                work_assignment_id=step.work_assignment_id,
                schedule_id=step.schedule_id,
            ),
            start_to_close_timeout=SHORT, retry_policy=DB_RETRY,
        )
        self._due_at[key], self._kind_of[key] = due_at, step.kind
        if workflow.patched(EARLIEST_DUE_PATCH):
            workflow.upsert_search_attributes([*self._open_step_attributes(), OVERDUE.value_set(bool(self._overdue))])
        else:
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
                        ActivityName.SEND_REMINDER, TaskRef(workflow.info().workflow_id, key, start.document_id),
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
            step.apply_activity or self.APPLY_DECISION,
            ApplyDecisionInput(
                document_id=start.document_id, workflow_id=workflow.info().workflow_id,
                task_key=key, step=step.kind, action=decision.action,
                actor_id=decision.actor_id, fields={**(step.context or {}), **decision.fields},
                unit_id=step.unit_id, branch_role=step.branch_role,
            ),
            result_type=ApplyDecisionResult, start_to_close_timeout=step.apply_timeout,
            heartbeat_timeout=step.apply_heartbeat, retry_policy=DB_RETRY,
        )
        self._forget_step(key)
        self._applied[key] = result.document_status
        attributes = [OVERDUE.value_set(bool(self._overdue))]
        if workflow.patched(EARLIEST_DUE_PATCH):
            attributes = [*self._open_step_attributes(), *attributes]
        workflow.upsert_search_attributes(attributes)
        return decision, result.document_status

    def _forget_step(self, key: str) -> None:
        """The step is closed (decided, cancelled or withdrawn): it no longer counts anywhere."""
        self._open.pop(key, None)
        self._overdue.discard(key)
        self._due_at.pop(key, None)
        self._kind_of.pop(key, None)

    def _open_step_attributes(self) -> list:
        """``Stage`` and ``DueAt`` of the open step that falls due first; nothing when none is open.

        Several steps run at once while units handle a document: supervisors filter on the
        earliest deadline, and a step closing must not leave its own deadline behind.
        """
        if not self._due_at:
            return [DUE_AT.value_unset()]
        first = min(self._due_at, key=lambda key: (self._due_at[key], key))
        return [STAGE.value_set(self._kind_of[first]), DUE_AT.value_set(self._due_at[first])]

    async def _flag_overdue(self, document_id: str, key: str, step: HumanStep) -> None:
        self._overdue.add(key)
        workflow.upsert_search_attributes([OVERDUE.value_set(True)])
        await workflow.execute_activity(
            ActivityName.MARK_TASK_OVERDUE, TaskRef(workflow.info().workflow_id, key, document_id),
            start_to_close_timeout=SHORT, retry_policy=DB_RETRY,
        )
        if workflow.patched(ESCALATE_PATCH):
            await workflow.execute_activity(
                ActivityName.ESCALATE_OVERDUE,
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
        malformed = malformed_fields(command.action, command.fields)
        if malformed:
            raise ApplicationError("invalid_fields", {"fields": malformed}, type="invalid_fields")

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


def malformed_fields(action: str, fields: dict[str, str]) -> list[str]:
    """The names of the fields the workflow reads for ``action`` that are missing or malformed."""
    bad = []
    for name, form in FIELDS_THE_WORKFLOW_READS.get(action, {}).items():
        value = fields.get(name, "") if isinstance(fields, dict) else ""
        if not isinstance(value, str):
            bad.append(name)
            continue
        kind, optional = form.rstrip("?"), form.endswith("?")
        if not value:
            if not optional:
                bad.append(name)
        elif kind == "id" and not _is_id(value):
            bad.append(name)
        elif kind == "ids" and not all(_is_id(part) for part in value.split(",") if part):
            bad.append(name)
        elif kind == "date" and not _is_date(value):
            bad.append(name)
    return bad


def _is_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= 18 and int(value) > 0


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10
