"""Record the committed replay histories of ``WorkAssignment`` (TEMPORAL-PATTERNS §9).

Run from the repository root: ``python -m tests.workflows.record_assignment_histories [case…]``.
Like the other recorders it starts its own dev server and runs the real workflow with stand-in
activities (``tests/workflows/assignment_mocks.py``); with no argument only the cases without a
file are written. Never re-record a file to make replay pass: a change that breaks replay needs a
``workflow.patched()`` branch.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from pathlib import Path

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from tests.workflows.assignment_mocks import (
    ASSIGNER_ID,
    HEAD_ID,
    LEAD_ID,
    SUPPORTER_ID,
    AssignmentMocks,
    assignment_input,
)
from worker import WORKFLOWS
from workflows import search_attributes
from workflows.assignment import WorkAssignmentWorkflow
from workflows.contracts import DecideInput
from workflows.starter import start_assignment
from workflows.work_contracts import CancelAssignmentInput, assignment_workflow_id

HISTORIES = Path(__file__).resolve().parent / "histories" / "WorkAssignment"
IDENTITY = "qlvb-history-recorder"
# case -> (does a unit lead, [(step kind, action, actor, fields)] in the order people act; "cancel" cancels)
CASES: dict[str, tuple[bool, list[tuple[str, str, int, dict[str, str]]]]] = {
    # A unit names its lead; a supporter contributes; more time granted; a result sent back, then
    # accepted while the supporting unit has not answered (its step is closed).
    "named_extended_returned_accepted": (True, [
        ("name_lead", "cu_nguoi_chu_tri", HEAD_ID, {"handler_id": str(LEAD_ID)}),
        ("support", "gui_y_kien", SUPPORTER_ID, {"opinion": "Số liệu kèm theo"}),
        ("carry_out", "xin_gia_han", LEAD_ID, {"new_due_date": "2099-02-01", "reason": "Chờ số liệu"}),
        ("extension", "dong_y_gia_han", ASSIGNER_ID, {}),
        ("carry_out", "bao_cao_ket_qua", LEAD_ID, {"result": "Đã xong"}),
        ("assess", "tra_lai_ket_qua", ASSIGNER_ID, {"reason": "Thiếu phụ lục"}),
        ("carry_out", "bao_cao_ket_qua", LEAD_ID, {"result": "Đã bổ sung"}),
        ("assess", "nghiem_thu_ket_qua", ASSIGNER_ID, {"rating": "5"}),
    ]),
    # The assigner cancels while the lead works: the open steps close.
    "cancelled": (False, [("carry_out", "cancel", ASSIGNER_ID, {"reason": "Không còn cần thiết"})]),
}


def workflow_id_for(case: str) -> str:
    """A fixed workflow id per case, so re-recording gives the same history."""
    return assignment_workflow_id(str(uuid.uuid5(uuid.NAMESPACE_URL, f"qlvb-test-history/WorkAssignment/{case}")))


async def _wait_for(handle, kind: str) -> str:
    """The key of the first open step of ``kind`` (of two supporters', the person's: opened first)."""
    for _ in range(200):
        keys = [key for key in await handle.query(WorkAssignmentWorkflow.open_steps) if key.startswith(f"{kind}:")]
        if keys:
            return sorted(keys, key=lambda key: int(key.split(":")[1]))[0]
        await asyncio.sleep(0.05)
    raise RuntimeError(f"step {kind} never opened")


async def record_case(client: Client, case: str) -> str:
    """Run one path to completion and return its history as JSON."""
    unit_lead, actions = CASES[case]
    task_queue = f"record-WorkAssignment-{case}"
    async with Worker(client, task_queue=task_queue, workflows=WORKFLOWS, activities=AssignmentMocks().all(),
                      identity=IDENTITY):
        start = assignment_input(lead_user_id=None if unit_lead else LEAD_ID)
        handle = await start_assignment(client, task_queue, start, workflow_id_for(case))
        for kind, action, actor, fields in actions:
            key = await _wait_for(handle, kind)
            if action == "cancel":
                await handle.execute_update(WorkAssignmentWorkflow.cancel,
                                            CancelAssignmentInput("cancel:recorded", actor, fields["reason"]),
                                            id="cancel:recorded")
                continue
            await handle.execute_update(WorkAssignmentWorkflow.decide, DecideInput(key, action, actor, fields),
                                        id=f"{key}:{action}:recorded")
        await handle.result()
        history = await handle.fetch_history()
    return json.dumps(json.loads(history.to_json()), indent=2, ensure_ascii=False) + "\n"


async def main() -> None:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(Path(sys.executable).parent / "temporal"),
        search_attributes=search_attributes.ALL, ui=False)
    try:
        client = await Client.connect(env.client.service_client.config.target_host, namespace="default",
                                      identity=IDENTITY)
        HISTORIES.mkdir(parents=True, exist_ok=True)
        for case in CASES:
            path = HISTORIES / f"{case}.json"
            if (sys.argv[1:] and case not in sys.argv[1:]) or (not sys.argv[1:] and path.exists()):
                continue
            path.write_text(await record_case(client, case), encoding="utf-8")
            print(f"wrote {path.relative_to(HISTORIES.parents[3])}")  # noqa: T201
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
