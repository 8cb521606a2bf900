"""Record the committed replay histories of IncomingDocument (TEMPORAL-PATTERNS §9).

Run from the repository root: ``python -m tests.workflows.record_histories``. It starts its own
dev server, runs the real workflow with the stand-in activities of ``tests.workflows.mocks`` (no
database, synthetic values only) along each representative path, and writes
``tests/workflows/histories/IncomingDocument/<case>.json``.

Record only new paths: ``python -m tests.workflows.record_histories handling`` writes that case;
with no argument only the cases without a file are written. A change that breaks replay of the
existing files needs a ``workflow.patched()`` branch, never re-recorded files.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
import uuid
from pathlib import Path

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from tests.workflows.mocks import LEADER_ID, MockActivities, incoming_input, mock_worker
from workflows import search_attributes
from workflows.contracts import DecideInput
from workflows.incoming import IncomingDocumentWorkflow
from workflows.starter import start_incoming

HISTORIES = Path(__file__).resolve().parent / "histories"
WORKFLOW_TYPE = "IncomingDocument"
IDENTITY = "qlvb-history-recorder"
# The default shape since handling: signature check, direction, the lead unit assigns, the
# handler asks for more time, the leader grants it, the handler finishes; the cooperating unit
# (assign:3) never acts and is cancelled.
HANDLING = [
    ("direct:1", "giao_xu_ly", {"opinion": "Phòng 7 chủ trì, phòng 8 phối hợp", "lead_unit_id": "7",
                                "cooperating_unit_ids": "8", "due_date": "2026-12-15"}),
    ("assign:2", "phan_cong", {"handler_id": "5", "opinion": "Giao đồng chí xử lý"}),
    ("handle:4", "xin_gia_han", {"new_due_date": "2026-12-22", "reason": "Chờ số liệu"}),
    ("extension:5", "dong_y_gia_han", {"opinion": "Đồng ý"}),
    ("handle:6", "hoan_thanh", {"result": "Đã trả lời"}),
]
# case name -> (plan with handling steps?, [(task key, action, fields) in the order people act])
CASES: dict[str, tuple[bool, list[tuple[str, str, dict[str, str]]]]] = {
    "giao_xu_ly": (False, [("direct:1", "giao_xu_ly", {
        "opinion": "Giao Phòng Tổng hợp chủ trì", "lead_unit_id": "7", "cooperating_unit_ids": "8",
        "due_date": "2026-12-15"})]),
    "luu_tham_khao": (False, [("direct:1", "luu_tham_khao", {"opinion": "Lưu để tham khảo"})]),
    "handling": (True, HANDLING),
    # Since patch 2026-12-03-earliest-due: Stage and DueAt follow the open step due first.
    "handling_earliest_due": (True, HANDLING),
    # Since patch 2026-11-26-accept-received: a document another agency sent waits for the văn thư.
    "received_accepted": (True, [
        ("accept:1", "vao_so", {"opinion": "Đúng nơi nhận"}),
        ("direct:2", "luu_tham_khao", {"opinion": "Lưu để tham khảo"}),
    ]),
}
# Cases whose document came from another agency (the start input's source).
SOURCES = {"received_accepted": "internal"}


def document_id_for(case: str) -> str:
    """A fixed synthetic document id per case, so re-recording gives the same workflow id."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"qlvb-test-history/{WORKFLOW_TYPE}/{case}"))


def workflow_id_for(case: str) -> str:
    return f"incoming-{document_id_for(case)}"


async def record_case(client: Client, case: str) -> str:
    """Run one path to completion and return its history as JSON."""
    with_handling, decisions = CASES[case]
    task_queue = f"record-{case}"
    mocks = MockActivities(with_handling=with_handling)
    async with mock_worker(client, task_queue, mocks, identity=IDENTITY):
        start = dataclasses.replace(incoming_input(document_id_for(case)), source=SOURCES.get(case, ""))
        handle = await start_incoming(client, task_queue, start)
        for key, action, fields in decisions:
            for _ in range(200):
                if key in await handle.query(IncomingDocumentWorkflow.open_steps):
                    break
                await asyncio.sleep(0.05)
            else:
                raise RuntimeError(f"{case}: step {key} never opened")
            await handle.execute_update(
                IncomingDocumentWorkflow.decide,
                DecideInput(task_key=key, action=action, actor_id=LEADER_ID, fields=fields),
                id=f"{key}:{action}:recorded",
            )
        await handle.result()
        history = await handle.fetch_history()
    return json.dumps(json.loads(history.to_json()), indent=2, ensure_ascii=False) + "\n"


async def main() -> None:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(Path(sys.executable).parent / "temporal"),
        search_attributes=search_attributes.ALL,
        ui=False,
    )
    try:
        client = await Client.connect(env.client.service_client.config.target_host,
                                      namespace="default", identity=IDENTITY)
        target = HISTORIES / WORKFLOW_TYPE
        target.mkdir(parents=True, exist_ok=True)
        wanted = sys.argv[1:] or [case for case in CASES if not (target / f"{case}.json").exists()]
        for case in wanted:
            path = target / f"{case}.json"
            path.write_text(await record_case(client, case), encoding="utf-8")
            print(f"wrote {path.relative_to(HISTORIES.parent.parent.parent)}")  # noqa: T201
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
