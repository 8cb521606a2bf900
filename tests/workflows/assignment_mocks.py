"""Stand-ins for the activities of ``WorkAssignment`` (no database), shared by its workflow tests
and its history recorder (``tests/workflows/record_assignment_histories.py``)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from temporalio import activity
from temporalio.exceptions import ApplicationError

from tests.workflows.mocks import MockActivities
from workflows.contracts import ApplyDecisionInput, ApplyDecisionResult
from workflows.work_contracts import AssignmentInput, AssignmentPartyRef, CloseAssignmentInput

ASSIGNER_ID, HEAD_ID, LEAD_ID, SUPPORTER_ID = 3, 4, 5, 6
LEAD_UNIT, SUPPORT_UNIT, SUPPORTER_UNIT = 7, 8, 9
# The assignment's status after each decision, as the real activity answers.
STATUS_AFTER = {"cu_nguoi_chu_tri": "in_progress", "gui_y_kien": "in_progress", "xin_gia_han": "in_progress",
                "dong_y_gia_han": "in_progress", "tu_choi_gia_han": "in_progress", "bao_cao_ket_qua": "submitted",
                "tra_lai_ket_qua": "in_progress", "nghiem_thu_ket_qua": "done"}


def assignment_input(assignment_id: int = 1, *, lead_user_id: int | None = LEAD_ID, supporters: bool = True,
                     due_date: str = "2099-01-02") -> AssignmentInput:
    """A synthetic start (ids only): a lead person (or, with ``lead_user_id=None``, a lead unit), a
    supporting person and a supporting unit."""
    return AssignmentInput(
        assignment_id=assignment_id, agency_id=2, agency_code="000.00.01.H23", assigner_id=ASSIGNER_ID,
        assigner_role="lanh_dao_co_quan", due_date=due_date, lead_user_id=lead_user_id, lead_unit_id=LEAD_UNIT,
        supporters=[AssignmentPartyRef(11, SUPPORTER_UNIT, SUPPORTER_ID), AssignmentPartyRef(12, SUPPORT_UNIT)]
        if supporters else [])


class AssignmentMocks(MockActivities):
    """The human-step stand-ins plus the assignment's own; ``close_gate``, when set, holds
    ``close_assignment`` until the test opens it (a cancellation caught half-way)."""

    close_gate: asyncio.Event | None = None

    @activity.defn(name="apply_assignment_decision")
    async def apply_assignment_decision(self, request: ApplyDecisionInput) -> ApplyDecisionResult:
        self.calls.append(("apply_assignment_decision", request))
        if request.action not in STATUS_AFTER:  # as the real activity: fail for good, never retry
            raise ApplicationError("unknown_action", type="unknown_action", non_retryable=True)
        return ApplyDecisionResult(STATUS_AFTER[request.action])

    @activity.defn(name="close_assignment")
    async def close_assignment(self, request: CloseAssignmentInput) -> int:
        self.calls.append(("close_assignment", request))
        if self.close_gate is not None:
            await self.close_gate.wait()
        return 1

    def all(self) -> Sequence:
        return [self.compute_due_at, self.open_task, self.mark_task_overdue, self.escalate_overdue,
                self.send_reminder, self.apply_assignment_decision, self.close_assignment]
