"""Record the committed replay histories of FixityCheck and RecordExport (TEMPORAL-PATTERNS §9).

Run from the repository root: ``python -m tests.workflows.record_export_histories [case…]``. It
starts its own dev server and runs the real workflows with stand-in activities (synthetic values,
no database or files). With no argument only the cases without a file are written. Never
re-record a file to make replay pass: a change that breaks replay needs a ``workflow.patched()``
branch.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from temporalio import activity
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from worker import WORKFLOWS
from workflows import search_attributes
from workflows.contracts import ActivityName
from workflows.fixity import FixityCheckWorkflow
from workflows.record_contracts import (
    FixityBatchInput,
    FixityBatchResult,
    FixityPlan,
    RecordExportFailure,
    RecordExportInput,
    RecordExportResult,
)
from workflows.record_export import RecordExportWorkflow

HISTORIES = Path(__file__).resolve().parent / "histories"
CASES = {"FixityCheck/round_with_a_problem": "fixity", "RecordExport/built": "built",
         "RecordExport/file_missing": "missing"}


class StandIns:
    """The fixity and export activities, answering as a store of three files would."""

    def __init__(self, missing: bool = False) -> None:
        self.missing, self.left = missing, 3

    @activity.defn(name=ActivityName.PLAN_FIXITY_ROUND)
    async def plan(self) -> FixityPlan:
        return FixityPlan(quota=3, batch=2)

    @activity.defn(name=ActivityName.CHECK_FIXITY_BATCH)
    async def check(self, request: FixityBatchInput) -> FixityBatchResult:
        checked = min(request.limit, self.left)
        self.left -= checked
        return FixityBatchResult(checked=checked, problems=1 if self.left else 0, reported=1 if self.left else 0,
                                 pass_finished=self.left == 0)

    @activity.defn(name=ActivityName.EXPORT_RECORD)
    async def export(self, request: RecordExportInput) -> RecordExportResult:
        if self.missing:
            raise ApplicationError("record_export_file_missing", {"so_ky_hieu": "12/QĐ-VP", "position": "3"},
                                   type="record_export_file_missing", non_retryable=True)
        return RecordExportResult(documents=3, size=456_789)

    @activity.defn(name=ActivityName.FAIL_RECORD_EXPORT)
    async def fail(self, failure: RecordExportFailure) -> bool:
        return True

    def all(self) -> list:
        return [self.plan, self.check, self.export, self.fail]


async def record_case(client: Client, case: str) -> str:
    """Run one case and return its history as JSON."""
    kind = CASES[case]
    task_queue = f"history-{kind}"
    async with Worker(client, task_queue=task_queue, workflows=WORKFLOWS,
                      activities=StandIns(missing=kind == "missing").all()):
        if kind == "fixity":
            handle = await client.start_workflow(FixityCheckWorkflow.run, id="fixity-history", task_queue=task_queue)
            assert (await handle.result()).checked == 3
        else:
            handle = await client.start_workflow(RecordExportWorkflow.run, RecordExportInput(f"history-{kind}"),
                                                 id=f"xuathoso-history-{kind}", task_queue=task_queue)
            try:
                await handle.result()
            except WorkflowFailureError:
                assert kind == "missing"
        history = await handle.fetch_history()
    return json.dumps(json.loads(history.to_json()), indent=2, ensure_ascii=False) + "\n"


async def main() -> None:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(Path(sys.executable).parent / "temporal"),
        search_attributes=search_attributes.ALL, ui=False)
    try:
        wanted = sys.argv[1:] or [case for case in CASES if not (HISTORIES / f"{case}.json").exists()]
        for case in wanted:
            target = HISTORIES / f"{case}.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(await record_case(env.client, case), encoding="utf-8")
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
