"""Work assigned without a document (giao việc, issue 13) as a durable workflow.

One run per assignment (``giaoviec-<uuid>``), started when the assigner (an agency leader, or a
unit head within their unit) records it:

1. ``name_lead``: when a unit was given the work, its head names the lead person (``cu_nguoi_chu_tri``).
2. ``support``: each supporting person, or the head of each supporting unit, sends a contribution
   (``gui_y_kien``); these steps run beside the lead's and close when the result is accepted.
3. ``carry_out``: the lead reports the result (``bao_cao_ket_qua``, optionally naming an outgoing
   document) or asks for more time (``xin_gia_han``), which the assigner grants or refuses in an
   ``extension`` step; either way the lead's step opens again, with the new deadline if granted.
   Progress reports are database records, not steps (``commands/assignments.py``).
4. ``assess``: the assigner accepts the result with a rating (``nghiem_thu_ket_qua``) and the
   assignment is done, or sends it back with a reason (``tra_lai_ket_qua``) and the lead's step
   opens again.

Protocol: the ``decide`` update and the step queries of ``workflows.human_steps.HumanSteps``, plus
    Update ``cancel(CancelAssignmentInput) -> str``: the assigner cancels; the open steps close
        and the assignment is cancelled, audited with who and why. Refused (``assignment_closed``)
        once the work is accepted or cancelled, and (``assignment_busy``) while a decision is
        being applied.
Search attributes: ``DocKind`` (``assignment``), ``OrgUnit`` (at start), ``Stage``, ``DueAt`` and
``Overdue`` (kept current by the human steps; no titles, no names).
Timers: each step's deadline with its reminder and escalation (``human_steps``); the lead's and
the supporters' steps fall due with the assignment.
Open patches: none.
"""

from __future__ import annotations

import asyncio

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows.contracts import ActivityName
    from workflows.search_attributes import OVERDUE, STAGE
    from workflows.vocabulary import Action, Role
    from workflows.work_contracts import (
        AssignmentInput,
        AssignmentPartyRef,
        CancelAssignmentInput,
        CloseAssignmentInput,
    )

from workflows.human_steps import DB_RETRY, SHORT, HumanStep, HumanSteps

NAME_DAYS = 1  # working days for a lead unit's head to name the lead person
EXTENSION_DAYS = 1  # for the assigner to answer a request for more time
REVIEW_DAYS = 2  # for the assigner to accept or send back a result
OPERATOR_CANCELLED = "Quy trình giao việc bị dừng từ hệ thống quản lý quy trình"


@workflow.defn(name="WorkAssignment")
class WorkAssignmentWorkflow(HumanSteps):
    """An assignment: the lead is named, carries it out, reports; the assigner accepts or sends back."""

    APPLY_DECISION = ActivityName.APPLY_ASSIGNMENT_DECISION

    def __init__(self) -> None:
        super().__init__()
        self._cancel: CancelAssignmentInput | None = None
        self._cancelled: set[str] = set()  # request ids of cancellations applied
        self._finished = False
        self._supporters: list[asyncio.Task] = []

    @workflow.run
    async def run(self, start: AssignmentInput) -> str:
        work = asyncio.ensure_future(self._carry_out(start))
        try:
            await workflow.wait_condition(lambda: work.done() or self._cancel is not None)
        except asyncio.CancelledError:
            # An operator cancelled the run (Temporal UI): the open steps must leave the inboxes and
            # the assignment must say so. Shielded, so a second cancellation cannot cut it short.
            await self._stop(work)
            await asyncio.shield(asyncio.ensure_future(self._close(start, cancelled=True, reason=OPERATOR_CANCELLED)))
            raise
        if self._cancel is not None and not work.done():
            request = self._cancel
            await self._stop(work)
            await self._close(start, cancelled=True, actor_id=request.actor_id, reason=request.reason)
            self._cancelled.add(request.request_id)
            outcome = "cancelled"
        else:
            outcome = work.result()
        self._finished = True
        workflow.upsert_search_attributes([STAGE.value_set("closed"), OVERDUE.value_set(False)])
        await workflow.wait_condition(workflow.all_handlers_finished)
        return outcome

    async def _carry_out(self, start: AssignmentInput) -> str:
        """Steps 1–4 of the module docstring; returns ``done`` once the result is accepted."""
        lead_id = start.lead_user_id
        if lead_id is None:
            naming, _ = await self._human_step(start, self._step(
                start, "name_lead", Role.UNIT_LEADER, [Action.NAME_LEAD], NAME_DAYS, unit_id=start.lead_unit_id))
            lead_id = int(naming.fields["handler_id"])
        self._supporters = [asyncio.ensure_future(self._support(start, party)) for party in start.supporters]
        due_date = start.due_date
        while True:
            decision, _ = await self._human_step(start, self._step(
                start, "carry_out", Role.OFFICER, [Action.REPORT_RESULT, Action.ASK_EXTENSION], 0,
                due_date=due_date, unit_id=start.lead_unit_id, assignee_id=lead_id))
            if decision.action == Action.ASK_EXTENSION:
                asked = decision.fields["new_due_date"]
                verdict, _ = await self._human_step(start, self._assigner_step(
                    start, "extension", [Action.GRANT_EXTENSION, Action.REFUSE_EXTENSION], EXTENSION_DAYS,
                    context={"new_due_date": asked}))
                if verdict.action == Action.GRANT_EXTENSION:
                    due_date = asked
                continue
            review, _ = await self._human_step(start, self._assigner_step(
                start, "assess", [Action.ACCEPT_RESULT, Action.RETURN_RESULT], REVIEW_DAYS))
            if review.action == Action.ACCEPT_RESULT:
                break
        if any(not task.done() for task in self._supporters):
            # Contributions still missing when the result was accepted are no longer needed.
            await self._stop(None)
            await self._close(start, cancelled=False)
        return "done"

    async def _support(self, start: AssignmentInput, party: AssignmentPartyRef) -> None:
        """A supporting person, or a supporting unit's head, sends a contribution."""
        role = Role.OFFICER if party.user_id is not None else Role.UNIT_LEADER
        await self._human_step(start, self._step(
            start, "support", role, [Action.SEND_OPINION], 0, due_date=start.due_date, unit_id=party.unit_id,
            assignee_id=party.user_id, context={"party_id": str(party.party_id)}))

    def _step(self, start: AssignmentInput, kind: str, role: Role, actions: list[str], days: int,
              **more) -> HumanStep:
        return HumanStep(kind, role, list(actions), days, work_assignment_id=start.assignment_id, **more)

    def _assigner_step(self, start: AssignmentInput, kind: str, actions: list[str], days: int,
                       context: dict[str, str] | None = None) -> HumanStep:
        """A step for the assigner in person (a unit head's in their unit, where escalation goes)."""
        unit = start.assigner_unit_id if start.assigner_role == Role.UNIT_LEADER else None
        return self._step(start, kind, Role(start.assigner_role), actions, days, unit_id=unit,
                          assignee_id=start.assigner_id, context=context)

    async def _stop(self, work: asyncio.Task | None) -> None:
        """Cancel the lead's work and the supporters' steps; forget every open step."""
        running = [task for task in [work, *self._supporters] if task is not None and not task.done()]
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        for key in list(self._open):
            if key in self._decisions and key not in self._applied:
                # A decision accepted in the same moment as the cancellation: its caller is answered
                # (the step is closed with the others), so no update is left waiting for ever.
                self._applied[key] = "cancelled"
            self._forget_step(key)

    async def _close(self, start: AssignmentInput, *, cancelled: bool, actor_id: int | None = None,
                     reason: str = "") -> None:
        await workflow.execute_activity(
            ActivityName.CLOSE_ASSIGNMENT,
            CloseAssignmentInput(start.assignment_id, workflow.info().workflow_id, cancelled=cancelled,
                                 actor_id=actor_id, reason=reason),
            start_to_close_timeout=SHORT, retry_policy=DB_RETRY)

    @workflow.update
    async def cancel(self, request: CancelAssignmentInput) -> str:
        """Cancel the assignment; answers once its steps are closed and the cancellation recorded."""
        if self._cancel is None:
            self._cancel = request
        await workflow.wait_condition(lambda: self._finished)
        if request.request_id not in self._cancelled:
            # Another cancellation, or the acceptance, got there first.
            raise ApplicationError("assignment_closed", type="assignment_closed")
        return "cancelled"

    @cancel.validator
    def _validate_cancel(self, request: CancelAssignmentInput) -> None:
        """Refuse a cancellation once the work has ended, or while a decision is being applied."""
        if request.request_id in self._cancelled:
            return  # a retry of the cancellation that was applied: answered the same
        if self._finished or self._cancel is not None:
            raise ApplicationError("assignment_closed", type="assignment_closed")
        if any(key in self._decisions for key in self._open):
            raise ApplicationError("assignment_busy", type="assignment_busy")
