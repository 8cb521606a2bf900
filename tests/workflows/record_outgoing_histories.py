"""Record the committed replay histories of OutgoingDocument, RecallDocument, RecordPlanApproval, ScheduleApproval and
the hub workflows (TEMPORAL-PATTERNS §9).

Run from the repository root: ``python -m tests.workflows.record_outgoing_histories [case…]``.
Like ``record_histories`` (IncomingDocument), it starts its own dev server and runs the real
workflows with stand-in activities (synthetic values, no database); with no argument only the
cases without a file are written. Never re-record a file to make replay pass: a change that
breaks replay needs a ``workflow.patched()`` branch.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from temporalio import activity
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.definitions import _outgoing_steps
from models.processes.schema import DEFAULT_OUTGOING
from tests.workflows.mocks import MockActivities
from worker import WORKFLOWS
from workflows import search_attributes
from workflows.contracts import (
    ApplyDecisionInput,
    ApplyDecisionResult,
    ConsultTarget,
    DecideInput,
    DispatchResult,
    IssueInput,
    LoadDefinitionInput,
    OutgoingInput,
    PollResult,
    ProcessPlan,
    RecallInput,
    SendInput,
    StopWorkflowInput,
)
from workflows.exchange import HubDeliveryWorkflow, HubPollWorkflow
from workflows.record_contracts import RecordPlanApprovalInput
from workflows.starter import (
    start_outgoing,
    start_recall,
    start_record_plan_approval,
    start_schedule_approval,
)
from workflows.work_contracts import ScheduleApprovalInput

HISTORIES = Path(__file__).resolve().parent / "histories"
IDENTITY = "qlvb-history-recorder"
DRAFTER_ID, SIGNER_ID, CLERK_ID = 5, 3, 2
STATUS_AFTER = {"gop_y": "in_review", "duyet": "in_review", "tra_lai_du_thao": "draft", "trinh_lai": "in_review",
                "ky_so": "signed", "ban_hanh": "issued", "dong_y_thu_hoi": "recalled", "tu_choi_thu_hoi": "registered",
                "duyet_danh_muc": "ban_hanh", "tra_lai_danh_muc": "du_thao", "duyet_lich": "da_ban_hanh",
                "tra_lai_lich": "du_thao"}

# One consulted unit, a send-back to the drafter, then the default chain to issue.
SEND_BACK_THEN_ISSUE = [
    ("consult:1", "gop_y", {"opinion": "Thống nhất"}),
    ("review:2", "tra_lai_du_thao", {"comment": "Bổ sung số liệu"}),
    ("revise:3", "trinh_lai", {}),
    ("review:4", "duyet", {}),
    ("format_check:5", "duyet", {}),
    ("approve:6", "duyet", {}),
    ("sign:7", "ky_so", {"file_sha256": "0" * 64}),
    ("issue:8", "ban_hanh", {}),
]
# (workflow type, case) -> [(task key, action, fields) in the order people act]
CASES: dict[tuple[str, str], list[tuple[str, str, dict[str, str]]]] = {
    ("OutgoingDocument", "send_back_then_issue"): SEND_BACK_THEN_ISSUE,
    # Since patch 2026-12-04-dispatch-children: the recipients' workflows start as children.
    ("OutgoingDocument", "send_back_then_issue_children"): SEND_BACK_THEN_ISSUE,
    ("RecallDocument", "agreed"): [("recall:1", "dong_y_thu_hoi", {"note": "Đã hủy"})],
    # Since patch 2026-12-03-recall-cancels-through-sdk: the document workflow is cancelled through
    # an external handle (here there is none to cancel, which the workflow accepts).
    ("RecallDocument", "agreed_through_sdk"): [("recall:1", "dong_y_thu_hoi", {"note": "Đã hủy"})],
    # No human steps: one package sent on the first try; one round of the receive loop.
    ("HubDelivery", "sent"): [],
    ("HubPoll", "round"): [],
    # A Danh mục hồ sơ: one round approved, one sent back (each round is a run of its own).
    ("RecordPlanApproval", "approved"): [("approve_plan:1", "duyet_danh_muc", {"comment": "Đồng ý"})],
    ("RecordPlanApproval", "sent_back"): [("approve_plan:1", "tra_lai_danh_muc", {"reason": "Bổ sung hồ sơ"})],
    # A weekly work schedule: its first publication approved or sent back, and a change approved.
    ("ScheduleApproval", "schedule_approved"): [("approve_schedule:1", "duyet_lich", {"comment": "Đồng ý"})],
    ("ScheduleApproval", "schedule_sent_back"): [("approve_schedule:1", "tra_lai_lich", {"reason": "Bổ sung thành phần"})],
    ("ScheduleApproval", "schedule_change_approved"): [("approve_schedule:1", "duyet_lich", {})],
}


class OutgoingMocks(MockActivities):
    """The incoming stand-ins plus those of the outgoing and recall activities."""

    @activity.defn(name="load_definition")
    async def load_definition(self, request: LoadDefinitionInput) -> ProcessPlan:
        self.calls.append(("load_definition", request))
        return ProcessPlan(request.key, request.version, _outgoing_steps(DEFAULT_OUTGOING.steps))

    async def _apply(self, name: str, request: ApplyDecisionInput) -> ApplyDecisionResult:
        self.calls.append((name, request))
        return ApplyDecisionResult(STATUS_AFTER[request.action])

    @activity.defn(name="apply_outgoing_decision")
    async def apply_outgoing_decision(self, request: ApplyDecisionInput) -> ApplyDecisionResult:
        return await self._apply("apply_outgoing_decision", request)

    @activity.defn(name="issue_outgoing")
    async def issue_outgoing(self, request: ApplyDecisionInput) -> ApplyDecisionResult:
        return await self._apply("issue_outgoing", request)

    @activity.defn(name="dispatch_outgoing")
    async def dispatch_outgoing(self, request: IssueInput) -> DispatchResult:
        self.calls.append(("dispatch_outgoing", request))
        return DispatchResult(delivered=1, waiting=1)

    @activity.defn(name="apply_recall_decision")
    async def apply_recall_decision(self, request: ApplyDecisionInput) -> ApplyDecisionResult:
        return await self._apply("apply_recall_decision", request)

    @activity.defn(name="apply_record_plan_decision")
    async def apply_record_plan_decision(self, request: ApplyDecisionInput) -> ApplyDecisionResult:
        return await self._apply("apply_record_plan_decision", request)

    @activity.defn(name="stop_document_workflow")
    async def stop_document_workflow(self, request: StopWorkflowInput) -> bool:
        self.calls.append(("stop_document_workflow", request))
        return True

    @activity.defn(name="send_hub_package")
    async def send_hub_package(self, request: SendInput) -> str:
        self.calls.append(("send_hub_package", request))
        return "hub-package-1"

    @activity.defn(name="poll_hub")
    async def poll_hub(self) -> PollResult:
        self.calls.append(("poll_hub", None))
        return PollResult(stored=1, statuses=2, queued_sends=[1])

    @activity.defn(name="apply_schedule_decision")
    async def apply_schedule_decision(self, request: ApplyDecisionInput) -> ApplyDecisionResult:
        return await self._apply("apply_schedule_decision", request)

    def all(self) -> Sequence:
        return [self.load_definition, self.compute_due_at, self.open_task, self.mark_task_overdue,
                self.escalate_overdue, self.send_reminder, self.apply_outgoing_decision, self.issue_outgoing,
                self.dispatch_outgoing, self.apply_recall_decision, self.stop_document_workflow,
                self.send_hub_package, self.poll_hub, self.apply_record_plan_decision,
                self.apply_schedule_decision]


def document_id_for(workflow_type: str, case: str) -> str:
    """A fixed synthetic document id per case, so re-recording gives the same workflow id."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"qlvb-test-history/{workflow_type}/{case}"))


async def _start(client: Client, task_queue: str, workflow_type: str, case: str) -> Any:
    document_id = document_id_for(workflow_type, case)
    if workflow_type == "HubDelivery":
        return await client.start_workflow(HubDeliveryWorkflow.run, SendInput(1), id=f"hub-send-{document_id}",
                                           task_queue=task_queue)
    if workflow_type == "HubPoll":
        return await client.start_workflow(HubPollWorkflow.run, id=f"hub-poll-{document_id}", task_queue=task_queue)
    if workflow_type == "RecordPlanApproval":
        plan_id = 7 if case == "approved" else 8  # one run per plan and round
        return await start_record_plan_approval(client, task_queue, RecordPlanApprovalInput(plan_id, 2, 1),
                                                "000.00.01.H23")
    if workflow_type == "ScheduleApproval":
        return await start_schedule_approval(
            client, task_queue, ScheduleApprovalInput(7, 2, 1, change=case == "schedule_change_approved"),
            f"lichtuan-7-1-{case.removeprefix('schedule_').replace('_', '')[:8]}", "000.00.01.H23")
    if workflow_type == "OutgoingDocument":
        return await start_outgoing(client, task_queue, OutgoingInput(
            document_id, 2, "000.00.01.H23", 0, "outgoing-standard", 1, drafter_id=DRAFTER_ID,
            signer_id=SIGNER_ID, drafting_unit_id=7, consultations=[ConsultTarget(unit_id=8)]))
    return await start_recall(client, task_queue, RecallInput(
        document_id, 4, 0, str(uuid.uuid5(uuid.NAMESPACE_URL, "qlvb-test-history/sender")), "Sai số liệu",
        "Văn phòng"), "000.00.02.H23")


async def record_case(client: Client, workflow_type: str, case: str) -> str:
    """Run one path to completion and return its history as JSON."""
    task_queue = f"record-{workflow_type}-{case}"
    async with Worker(client, task_queue=task_queue, workflows=WORKFLOWS, activities=OutgoingMocks().all(),
                      identity=IDENTITY):
        handle = await _start(client, task_queue, workflow_type, case)
        for key, action, fields in CASES[(workflow_type, case)]:
            for _ in range(200):
                if key in await handle.query("open_steps", result_type=list):
                    break
                await asyncio.sleep(0.05)
            else:
                raise RuntimeError(f"{case}: step {key} never opened")
            await handle.execute_update("decide", DecideInput(key, action, CLERK_ID, fields),
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
        for workflow_type, case in CASES:
            path = HISTORIES / workflow_type / f"{case}.json"
            if sys.argv[1:] and case not in sys.argv[1:]:
                continue
            if not sys.argv[1:] and path.exists():
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(await record_case(client, workflow_type, case), encoding="utf-8")
            print(f"wrote {path.relative_to(HISTORIES.parent.parent.parent)}")  # noqa: T201
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
