"""The worker's reconciler: lost workflow starts and decisions stuck in the handshake."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from temporalio.client import Client

from activities.maintenance import reconcile_completing, reconcile_starts
from models.db import transaction, utcnow
from models.documents.tables import Document
from models.tasks.tables import Task
from models.vocab import DocumentStatus, TaskStatus
from tests.conftest import minimal_pdf
from tests.helpers import eventually, eventually_async, make_settings, rows, running_worker, upload


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


async def test_a_hub_document_whose_first_start_was_lost_completes_after_reconciliation(
        seeded_sqlite, temporal_env, task_queue, tmp_path):
    """The receive loop stored a package and died before starting its workflow (kill -9 between the
    commit and the start): the reconciler starts the same workflow the first start would have."""
    from models.documents.file_store import FileStore
    from models.exchange import repo as exchange_repo
    from models.exchange.edxml.build import build_package
    from models.exchange.edxml.package import Attachment, Organization
    from models.processes import repo as definition_repo
    from tests.unit.edxml_fixtures import small_package
    from workflows.contracts import incoming_workflow_id

    engine, client = seeded_sqlite, temporal_env.client
    settings = make_settings(tmp_path, task_queue)
    store = FileStore(settings.files_dir)
    package = build_package(small_package(
        sender=Organization("000.00.00.G09", "Bộ Nội vụ"),
        recipients=(Organization("000.00.01.H23", "Văn phòng UBND tỉnh Hà Nam"),),
        document_id="000.00.00.G09,2026/11/20,77/BNV-VP",
        attachments=(Attachment("1", "77-BNV-VP.pdf", minimal_pdf(), "application/pdf", "Văn bản"),)))
    with transaction(engine) as session:
        received = exchange_repo.store_received(session, hub_doc_id="hub-lost-start", message_type="edoc",
                                                data=package, sha256=store.put(package), put=store.put)
        assert received.start_incoming is not None
        document_id = received.start_incoming.id
        current = definition_repo.current(session, definition_repo.INCOMING_PROCESS)
    stored = rows(engine, Document, Document.id == document_id)[0]
    assert (stored.process_key, stored.process_version) == (current.key, current.version)

    async with running_worker(client, engine, settings):
        assert await reconcile_starts(client, engine, task_queue, older_than_seconds=0) == 1
        # A document from another agency waits for the văn thư to register it (QĐ44 Điều 10.1.b).
        await eventually(lambda: rows(engine, Task, Task.document_id == document_id, Task.step == "accept"),
                         timeout=30)
    handle = client.get_workflow_handle(incoming_workflow_id(document_id))
    first = await handle.describe()
    assert first.status.name == "RUNNING"
    # Still NEW while it waits for the văn thư: a later round asks again, and starts nothing new.
    await reconcile_starts(client, engine, task_queue, older_than_seconds=0)
    assert (await handle.describe()).run_id == first.run_id


async def test_a_maintenance_round_runs_as_one_scheduled_workflow(seeded_sqlite, temporal_env, task_queue, tmp_path):
    """The Reconcile workflow the schedule starts does what the reconciler loop did, part by part."""
    from workflows.maintenance import ReconcileWorkflow

    engine, client = seeded_sqlite, temporal_env.client
    settings = make_settings(tmp_path, task_queue)
    document = await upload(engine, _TemporalDown(client), settings, minimal_pdf())
    with transaction(engine) as session:  # its start was lost a while ago
        session.execute(update(Document).where(Document.id == document.id)
                        .values(created_at=utcnow() - timedelta(minutes=5)))

    async with running_worker(client, engine, settings):
        done = await client.execute_workflow(ReconcileWorkflow.run, id=f"reconcile-{task_queue}",
                                             task_queue=task_queue)
        assert done["restart_lost_starts"] == 1
        assert set(done) == {"restart_lost_starts", "put_back_lost_decisions", "report_recipients_not_reached",
                             "deliver_mail", "index_text_layers", "sign_audit_day_heads", "deliver_push"}
        assert all(count >= 0 for count in done.values())  # no part failed
        await eventually(lambda: rows(engine, Document, Document.id == document.id,
                                      Document.status == DocumentStatus.REGISTERED))
