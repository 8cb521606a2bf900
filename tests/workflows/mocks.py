"""Stand-in activities for workflow tests and history recording: no database, synthetic values.

Each stand-in is registered under the real activity's name, records its call, and returns a
fixed value (TEMPORAL-PATTERNS §12, tier 3).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from worker import WORKFLOWS
from workflows.contracts import (
    ApplyDecisionInput,
    ApplyDecisionResult,
    CloseWorkflowTasksInput,
    DueAtInput,
    DueAtResult,
    EscalateInput,
    IncomingInput,
    LoadDefinitionInput,
    OpenTaskInput,
    ProcessPlan,
    RegisterIncomingInput,
    RegisterIncomingResult,
    StepSpec,
    TaskRef,
    VerifySignaturesInput,
    VerifySignaturesResult,
)

DIRECT_ACTIONS = ["giao_xu_ly", "luu_tham_khao"]
STATUS_AFTER = {"giao_xu_ly": "directed", "luu_tham_khao": "for_reference", "phan_cong": "in_progress",
                "hoan_thanh": "done", "gui_y_kien": "in_progress", "xin_gia_han": "in_progress",
                "dong_y_gia_han": "in_progress", "tu_choi_gia_han": "in_progress", "vao_so": "new"}
ARRIVAL_DATE = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
LEADER_ID = 3
# A test that waits longer than this on the workflow has found a hang, not a slow machine.
RPC_TIMEOUT = timedelta(seconds=10)


def incoming_input(document_id: str | None = None, urgency_rank: int = 0) -> IncomingInput:
    """A synthetic start input (no personal data, no real agency rows behind it)."""
    return IncomingInput(
        document_id=document_id or str(uuid.uuid4()), agency_id=2, agency_code="000.00.01.H23",
        urgency_rank=urgency_rank, process_key="incoming-standard", process_version=1,
    )


class MockActivities:
    """Records every call; ``due_in`` sets how far after the step start the deadline falls."""

    def __init__(self, due_in: timedelta = timedelta(days=1), with_handling: bool = False) -> None:
        self.due_in = due_in
        self.with_handling = with_handling
        self.calls: list[tuple[str, Any]] = []

    def called(self, name: str) -> list[Any]:
        """The inputs of every call to one activity, in order."""
        return [request for activity_name, request in self.calls if activity_name == name]

    @activity.defn(name="load_definition")
    async def load_definition(self, request: LoadDefinitionInput) -> ProcessPlan:
        self.calls.append(("load_definition", request))
        steps = [StepSpec(kind="verify_signature")] if self.with_handling else []
        steps += [
            StepSpec(kind="register"),
            StepSpec(kind="direct", candidate_role="lanh_dao_co_quan", working_days=1,
                     urgent_working_days=0, actions=list(DIRECT_ACTIONS)),
        ]
        if self.with_handling:
            steps.append(StepSpec(kind="handle", working_days=10, urgent_working_days=2))
        return ProcessPlan(request.key, request.version, steps)

    @activity.defn(name="register_incoming")
    async def register_incoming(self, request: RegisterIncomingInput) -> RegisterIncomingResult:
        self.calls.append(("register_incoming", request))
        return RegisterIncomingResult(register_id=1, year=2026, arrival_number=1, arrival_date=ARRIVAL_DATE)

    @activity.defn(name="compute_due_at")
    async def compute_due_at(self, request: DueAtInput) -> DueAtResult:
        self.calls.append(("compute_due_at", request))
        return DueAtResult(request.start + self.due_in)

    @activity.defn(name="open_task")
    async def open_task(self, request: OpenTaskInput) -> int:
        self.calls.append(("open_task", request))
        return 1

    @activity.defn(name="mark_task_overdue")
    async def mark_task_overdue(self, request: TaskRef) -> bool:
        self.calls.append(("mark_task_overdue", request))
        return True

    @activity.defn(name="apply_decision")
    async def apply_decision(self, request: ApplyDecisionInput) -> ApplyDecisionResult:
        self.calls.append(("apply_decision", request))
        if request.action not in STATUS_AFTER:  # as the real activity: fail for good, never retry
            raise ApplicationError("unknown_action", type="unknown_action", non_retryable=True)
        return ApplyDecisionResult(STATUS_AFTER[request.action])

    @activity.defn(name="verify_signatures")
    async def verify_signatures(self, request: VerifySignaturesInput) -> VerifySignaturesResult:
        self.calls.append(("verify_signatures", request))
        return VerifySignaturesResult(verdict="unsigned", signature_count=0, for_reference_only=True)

    @activity.defn(name="escalate_overdue")
    async def escalate_overdue(self, request: EscalateInput) -> int:
        self.calls.append(("escalate_overdue", request))
        return 2

    @activity.defn(name="send_reminder")
    async def send_reminder(self, request: TaskRef) -> int:
        self.calls.append(("send_reminder", request))
        return 1

    @activity.defn(name="close_workflow_tasks")
    async def close_workflow_tasks(self, request: CloseWorkflowTasksInput) -> int:
        self.calls.append(("close_workflow_tasks", request))
        return 1

    def all(self) -> Sequence:
        return [self.load_definition, self.register_incoming, self.compute_due_at, self.open_task,
                self.mark_task_overdue, self.apply_decision, self.escalate_overdue,
                self.close_workflow_tasks, self.verify_signatures, self.send_reminder]


@asynccontextmanager
async def mock_worker(client: Client, task_queue: str, mocks: MockActivities, identity: str | None = None):
    """Run the real workflows with the stand-in activities for the duration of the block."""
    options = {"identity": identity} if identity else {}
    async with Worker(client, task_queue=task_queue, workflows=WORKFLOWS, activities=mocks.all(), **options):
        yield mocks
