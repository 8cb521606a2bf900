"""``FixityCheck`` on the dev server: a round re-hashes the stored files, reports a corrupted one to
the administrators, and the worker's schedule starts such rounds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.service import RPCError, RPCStatusCode

from config.settings import Settings
from models.db import transaction
from models.documents.file_store import FileStore
from models.documents.fixity import FixityProblem
from models.notifications.notify import administrators
from models.notifications.tables import Notification
from tests.conftest import minimal_pdf
from tests.helpers import rows, running_worker, upload
from workflows.fixity import FixityCheckWorkflow
from workflows.record_contracts import FIXITY_SCHEDULE_ID
from workflows.starter import ensure_fixity_schedule


async def test_a_round_reports_a_corrupted_file_to_every_administrator(seeded_sqlite, temporal_env, task_queue,
                                                                        tmp_path):
    engine, client = seeded_sqlite, temporal_env.client
    # A period already over: the round checks every file now, two per batch.
    settings = Settings(var_dir=tmp_path, temporal_task_queue=task_queue, fixity_period_days=1,
                        fixity_round_minutes=24 * 60, fixity_batch_files=2)
    documents = [await upload(engine, client, settings, minimal_pdf(pages=n, text_line=f"Van ban {n}"))
                 for n in (1, 2, 3)]
    with transaction(engine) as session:
        admins = administrators(session)
    store = FileStore(settings.files_dir)
    digests = sorted(store.digests())
    corrupted = digests[1]
    store.path_for(corrupted).write_bytes(b"%PDF-1.7 not the bytes that were stored")

    async with running_worker(client, engine, settings):
        result = await client.execute_workflow(FixityCheckWorkflow.run, id=f"fixity-{task_queue}",
                                               task_queue=task_queue, execution_timeout=timedelta(minutes=2))

    assert len(documents) == 3
    assert (result.checked, result.problems, result.reported, result.pass_finished) == (len(digests), 1, 1, True)
    assert [(p.sha256, p.kind) for p in rows(engine, FixityProblem)] == [(corrupted, "mismatch")]
    told = rows(engine, Notification, Notification.code == "fixity_failed")
    assert admins and sorted(n.user_id for n in told) == sorted(admins)
    assert all(corrupted[:12] in n.data["detail"] and n.urgent for n in told)


async def test_the_worker_keeps_a_fixity_schedule_unless_the_period_is_zero(temporal_env, task_queue):
    client = temporal_env.client
    await ensure_fixity_schedule(client, task_queue, timedelta(minutes=60))
    await ensure_fixity_schedule(client, task_queue, timedelta(minutes=30))  # idempotent: updated
    description = await client.get_schedule_handle(FIXITY_SCHEDULE_ID).describe()
    assert description.schedule.action.workflow == "FixityCheck"
    assert description.schedule.spec.intervals[0].every == timedelta(minutes=30)

    await ensure_fixity_schedule(client, task_queue, None)
    with pytest.raises(RPCError) as gone:
        await client.get_schedule_handle(FIXITY_SCHEDULE_ID).describe()
    assert gone.value.status == RPCStatusCode.NOT_FOUND
