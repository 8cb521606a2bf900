"""Record the committed replay histories of ScheduleApproval (TEMPORAL-PATTERNS §9).

Run from the repository root: ``python -m tests.workflows.record_schedule_histories [case…]``. Like
the other recorders it starts its own dev server and runs the real workflow with stand-in
activities (synthetic values, no database); with no argument only the cases without a file are
written. Never re-record a file to make replay pass: a change that breaks replay needs a
``workflow.patched()`` branch. ``tests/workflows/test_replay.py`` replays every committed file.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from temporalio import activity
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from tests.workflows.mocks import MockActivities
from worker import WORKFLOWS
from workflows import search_attributes
from workflows.contracts import ApplyDecisionInput, ApplyDecisionResult, DecideInput, ScheduleApprovalInput
from workflows.starter import start_schedule_approval

HISTORIES = Path(__file__).resolve().parent / "histories"
WORKFLOW_TYPE = "ScheduleApproval"
IDENTITY = "qlvb-history-recorder"
LEADER_ID = 3
STATUS_AFTER = {"duyet_lich": "da_ban_hanh", "tra_lai_lich": "du_thao"}
# case -> (a change to a published schedule?, [(task key, action, fields)] in the order people act)
CASES: dict[str, tuple[bool, list[tuple[str, str, dict[str, str]]]]] = {
    "approved": (False, [("approve_schedule:1", "duyet_lich", {"comment": "Đồng ý"})]),
    "sent_back": (False, [("approve_schedule:1", "tra_lai_lich", {"reason": "Bổ sung thành phần"})]),
    "change_approved": (True, [("approve_schedule:1", "duyet_lich", {})]),
}


class ScheduleMocks(MockActivities):
    """The human-step stand-ins plus the schedule's decision."""

    @activity.defn(name="apply_schedule_decision")
    async def apply_schedule_decision(self, request: ApplyDecisionInput) -> ApplyDecisionResult:
        self.calls.append(("apply_schedule_decision", request))
        return ApplyDecisionResult(STATUS_AFTER[request.action])

    def all(self) -> Sequence:
        return [self.compute_due_at, self.open_task, self.mark_task_overdue, self.escalate_overdue,
                self.send_reminder, self.apply_schedule_decision]


async def record_case(client: Client, case: str) -> str:
    """Run one path to completion and return its history as JSON."""
    task_queue = f"record-{WORKFLOW_TYPE}-{case}"
    change, steps = CASES[case]
    async with Worker(client, task_queue=task_queue, workflows=WORKFLOWS, activities=ScheduleMocks().all(),
                      identity=IDENTITY):
        handle = await start_schedule_approval(client, task_queue, ScheduleApprovalInput(7, 2, 1, change=change),
                                               f"lichtuan-7-1-{case.replace('_', '')[:8]}", "000.00.01.H23")
        for key, action, fields in steps:
            for _ in range(200):
                if key in await handle.query("open_steps", result_type=list):
                    break
                await asyncio.sleep(0.05)
            else:
                raise RuntimeError(f"{case}: step {key} never opened")
            await handle.execute_update("decide", DecideInput(key, action, LEADER_ID, fields),
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
        for case in CASES:
            path = HISTORIES / WORKFLOW_TYPE / f"{case}.json"
            if sys.argv[1:] and case not in sys.argv[1:]:
                continue
            if not sys.argv[1:] and path.exists():
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(await record_case(client, case), encoding="utf-8")
            print(f"wrote {path.relative_to(HISTORIES.parent.parent.parent)}")  # noqa: T201
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
