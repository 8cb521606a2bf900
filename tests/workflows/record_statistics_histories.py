"""Record the committed replay history of StatisticsRefresh (TEMPORAL-PATTERNS §9).

Run from the repository root: ``python -m tests.workflows.record_statistics_histories``. It starts
its own dev server and runs the real workflow with a stand-in activity (synthetic figures, no
database). Only a missing file is written; never re-record one to make replay pass: a change that
breaks replay needs a ``workflow.patched()`` branch.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from temporalio import activity
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from worker import WORKFLOWS
from workflows import search_attributes
from workflows.contracts import ActivityName
from workflows.statistics import StatisticsRefreshWorkflow
from workflows.work_contracts import StatisticsRefreshResult

HISTORIES = Path(__file__).resolve().parent / "histories"
CASE = "StatisticsRefresh/refresh"


@activity.defn(name=ActivityName.REFRESH_STATISTICS)
async def refresh_statistics() -> StatisticsRefreshResult:
    return StatisticsRefreshResult(agencies=300, rows=123_456, seconds=42.0)


async def record(client: Client) -> str:
    async with Worker(client, task_queue="history-statistics", workflows=WORKFLOWS, activities=[refresh_statistics]):
        handle = await client.start_workflow(StatisticsRefreshWorkflow.run, id="qlvb-statistics-history",
                                             task_queue="history-statistics")
        assert (await handle.result()).agencies == 300
        history = await handle.fetch_history()
    return json.dumps(json.loads(history.to_json()), indent=2, ensure_ascii=False) + "\n"


async def main() -> None:
    target = HISTORIES / f"{CASE}.json"
    if target.exists():
        return
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(Path(sys.executable).parent / "temporal"),
        search_attributes=search_attributes.ALL, ui=False)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(await record(env.client), encoding="utf-8")
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
