"""A cancelled document workflow leaves nothing open in the inbox and says why in the history."""

from __future__ import annotations

from temporalio.client import WorkflowExecutionStatus

from models.audit import AuditEvent
from models.tasks.tables import Task
from models.vocab import TaskStatus
from tests.conftest import minimal_pdf
from tests.helpers import eventually, eventually_async, make_settings, rows, running_worker, upload


async def test_cancelling_a_document_workflow_closes_its_open_steps_and_records_why(
        seeded_sqlite, temporal_env, task_queue, tmp_path):
    engine, client = seeded_sqlite, temporal_env.client
    settings = make_settings(tmp_path, task_queue)
    async with running_worker(client, engine, settings):
        document = await upload(engine, client, settings, minimal_pdf())
        await eventually(lambda: rows(engine, Task, Task.document_id == document.id, Task.status == TaskStatus.OPEN))
        handle = client.get_workflow_handle(document.workflow_id)
        await handle.cancel()  # as an operator would in the Temporal UI

        async def cancelled():
            return (await handle.describe()).status == WorkflowExecutionStatus.CANCELED

        await eventually_async(cancelled)
    tasks = rows(engine, Task, Task.document_id == document.id)
    assert tasks and all(task.status == TaskStatus.CANCELLED for task in tasks)
    events = rows(engine, AuditEvent, AuditEvent.subject_id == document.id,
                  AuditEvent.code == "document.workflow_cancelled")
    assert len(events) == 1 and events[0].data["reason"]
