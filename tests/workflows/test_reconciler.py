"""The worker's reconciler: lost workflow starts and decisions stuck in the handshake."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from temporalio.client import Client

from models.db import transaction, utcnow
from models.documents.tables import Document
from models.tasks.tables import Task
from models.vocab import DocumentStatus, TaskStatus
from tests.conftest import minimal_pdf
from tests.helpers import eventually, eventually_async, make_settings, rows, running_worker, upload
from worker import reconcile_completing, reconcile_starts


class _TemporalDown:
    """A client whose start_workflow fails, as when the server is unreachable."""

    def __init__(self, real: Client) -> None:
        self._real = real

    async def start_workflow(self, *args, **kwargs):
        from temporalio.service import RPCError, RPCStatusCode

        raise RPCError("unavailable", RPCStatusCode.UNAVAILABLE, b"")

    def __getattr__(self, name):
        return getattr(self._real, name)


async def test_it_starts_the_workflow_of_a_document_whose_start_was_lost(seeded_sqlite, temporal_env, task_queue, tmp_path):
    engine, client = seeded_sqlite, temporal_env.client
    settings = make_settings(tmp_path, task_queue)
    document = await upload(engine, _TemporalDown(client), settings, minimal_pdf())
    assert rows(engine, Document, Document.id == document.id)[0].status == DocumentStatus.NEW

    async with running_worker(client, engine, settings):
        assert await reconcile_starts(client, engine, task_queue, older_than_seconds=0) == 1
        await eventually(lambda: rows(engine, Document, Document.id == document.id,
                                      Document.status == DocumentStatus.REGISTERED))
        # A second round finds nothing left to start.
        assert await reconcile_starts(client, engine, task_queue, older_than_seconds=0) == 0


async def test_it_puts_back_a_task_whose_decision_never_reached_the_workflow(seeded_sqlite, temporal_env, task_queue, tmp_path):
    engine, client = seeded_sqlite, temporal_env.client
    settings = make_settings(tmp_path, task_queue)
    async with running_worker(client, engine, settings):
        document = await upload(engine, client, settings, minimal_pdf())
        task = await eventually(lambda: next(iter(rows(engine, Task, Task.document_id == document.id)), None))
        with transaction(engine) as session:
            session.execute(update(Task).where(Task.id == task.id).values(
                status=TaskStatus.COMPLETING, assignee_id=1,
                state_changed_at=utcnow() - timedelta(minutes=10)))

        async def reverted():
            # The task row can exist a moment before the workflow marks the step open.
            return await reconcile_completing(client, engine) == 1

        await eventually_async(reverted)
        assert rows(engine, Task, Task.id == task.id)[0].status == TaskStatus.CLAIMED
