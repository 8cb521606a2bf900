"""Record the committed replay history of RecordFile (TEMPORAL-PATTERNS §9).

Run from the repository root: ``python -m tests.workflows.record_record_file_histories [case…]``.
It starts its own dev server and runs the real workflow with stand-in activities (synthetic
values, no database) through a hồ sơ's whole life: review and closing, the transfer warning's
timer, transfer, the archive's acceptance, a read request beside the retention timer, the
council's disposal. ``packaged`` is the same life since the patch ``record-package``: the export
package prepared in the background once the hồ sơ is closed. With no argument only the cases without a file are written. Never re-record
a file to make replay pass: a change that breaks replay needs a ``workflow.patched()`` branch.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from temporalio import activity
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from tests.workflows.mocks import MockActivities
from worker import WORKFLOWS
from workflows import search_attributes
from workflows.contracts import ApplyDecisionInput, ApplyDecisionResult, DecideInput
from workflows.record_contracts import (
    LoadRecordInput,
    PrepareRecordPackageInput,
    RecordFileInput,
    RecordRequest,
    RecordRequestInput,
    RecordRequestResult,
    RecordState,
    RemoveFilesInput,
    WarnTransferInput,
)
from workflows.record_file import RecordFileWorkflow
from workflows.starter import start_record_file

HISTORIES = Path(__file__).resolve().parent / "histories" / "RecordFile"
CASES = ["whole_life", "packaged"]
TIMER = timedelta(seconds=2)  # the warning and the end of retention, in real seconds
STATUS_AFTER = {"dong_ho_so": "da_dong", "tiep_nhan_luu_tru": "luu_tru", "huy_ho_so": "da_huy",
                "dong_y_khai_thac": "luu_tru"}
CREATOR_ID, ARCHIVIST_ID, LEADER_ID = 5, 6, 3


class RecordMocks(MockActivities):
    """The hồ sơ's activities over a status kept in memory; timers fall ``TIMER`` after first read."""

    def __init__(self) -> None:
        super().__init__()
        self.status = "dang_lap"
        self.warned = False
        self.access = [7]
        self.ends_at: datetime | None = None

    @activity.defn(name="load_record")
    async def load_record(self, request: LoadRecordInput) -> RecordState:
        self.calls.append(("load_record", request))
        now = datetime.now(UTC)
        state = RecordState(status=self.status, agency_id=2, unit_id=7, creator_id=CREATOR_ID, must_transfer=True)
        if self.status == "da_dong" and not self.warned:
            state.warn_at = now + TIMER
        if self.status == "luu_tru":
            self.ends_at = self.ends_at or now + TIMER
            state.retention_ends_at, state.pending_access = self.ends_at, list(self.access)
        return state

    @activity.defn(name="record_requested")
    async def record_requested(self, request: RecordRequestInput) -> RecordRequestResult:
        self.calls.append(("record_requested", request))
        if request.request.kind == "transfer":
            self.status = "dang_nop"
        return RecordRequestResult(status=self.status)

    @activity.defn(name="apply_record_decision")
    async def apply_record_decision(self, request: ApplyDecisionInput) -> ApplyDecisionResult:
        self.calls.append(("apply_record_decision", request))
        if request.action == "dong_y_khai_thac":
            self.access = []
        else:
            self.status = STATUS_AFTER[request.action]
        return ApplyDecisionResult(self.status)

    @activity.defn(name="warn_record_transfer")
    async def warn_record_transfer(self, request: WarnTransferInput) -> int:
        self.calls.append(("warn_record_transfer", request))
        self.warned = True
        return 2

    @activity.defn(name="remove_disposed_files")
    async def remove_disposed_files(self, request: RemoveFilesInput) -> int:
        self.calls.append(("remove_disposed_files", request))
        return 1

    @activity.defn(name="prepare_record_package")
    async def prepare_record_package(self, request: PrepareRecordPackageInput) -> bool:
        self.calls.append(("prepare_record_package", request))
        return True

    def all(self) -> Sequence:
        return [*super().all(), self.load_record, self.record_requested, self.apply_record_decision,
                self.warn_record_transfer, self.remove_disposed_files, self.prepare_record_package]


async def _open_step(handle: WorkflowHandle, prefix: str) -> str:
    for _ in range(300):
        found = [key for key in await handle.query(RecordFileWorkflow.open_steps) if key.startswith(prefix)]
        if found:
            return found[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {prefix} step opened")


async def _decide(handle: WorkflowHandle, key: str, action: str, actor_id: int, **fields: str) -> None:
    await handle.execute_update(RecordFileWorkflow.decide, DecideInput(key, action, actor_id, fields),
                                id=f"{key}:{action}")


async def record_case(client: Client, case: str) -> str:
    """Run the whole life of one hồ sơ and return its history as JSON."""
    task_queue = f"history-{case}"
    mocks = RecordMocks()
    async with Worker(client, task_queue=task_queue, workflows=WORKFLOWS, activities=mocks.all()):
        handle = await start_record_file(client, task_queue, RecordFileInput(record_id=41, agency_id=2),
                                         f"hoso-history-{case}", "000.00.01.H23")
        await handle.execute_update(RecordFileWorkflow.request, RecordRequest("review-1", "review", CREATOR_ID),
                                    id="review-1")
        await _decide(handle, await _open_step(handle, "record_review"), "dong_ho_so", CREATOR_ID, note="Đủ")
        while not mocks.warned:  # the transfer warning's timer
            await asyncio.sleep(0.1)
        await handle.execute_update(RecordFileWorkflow.request, RecordRequest("transfer-1", "transfer", CREATOR_ID),
                                    id="transfer-1")
        await _decide(handle, await _open_step(handle, "record_accept"), "tiep_nhan_luu_tru", ARCHIVIST_ID,
                      condition="Đầy đủ")
        await _decide(handle, await _open_step(handle, "record_access"), "dong_y_khai_thac", LEADER_ID)
        await _decide(handle, await _open_step(handle, "record_dispose"), "huy_ho_so", LEADER_ID,
                      decision="Quyết định số 05/QĐ-VP")
        assert await handle.result() == "da_huy"
        history = await handle.fetch_history()
    return json.dumps(json.loads(history.to_json()), indent=2, ensure_ascii=False) + "\n"


async def main() -> None:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(Path(sys.executable).parent / "temporal"),
        search_attributes=search_attributes.ALL, ui=False)
    try:
        HISTORIES.mkdir(parents=True, exist_ok=True)
        wanted = sys.argv[1:] or [case for case in CASES if not (HISTORIES / f"{case}.json").exists()]
        for case in wanted:
            (HISTORIES / f"{case}.json").write_text(await record_case(env.client, case), encoding="utf-8")
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
